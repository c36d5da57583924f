package io.objmapper;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks, before a store opens, that this JVM lets Chronicle Map (the persistent tier
 * index) in where it needs to go. The check asks the modules themselves whether the
 * packages are open or exported, so flags given on the command line, in
 * {@code JDK_JAVA_OPTIONS}, or by an executable jar's {@code Add-Opens}/{@code Add-Exports}
 * manifest attributes all count.
 */
final class JvmFlags {
  /** One flag and the question that tells whether this JVM runs with it. */
  record Requirement(String flag, String module, String pkg, boolean open) {}

  /** What Chronicle Map needs on 17+; each one's removal breaks it. */
  static final List<Requirement> REQUIRED = List.of(
      new Requirement("--add-opens=java.base/java.lang=ALL-UNNAMED", "java.base", "java.lang", true),
      new Requirement("--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "java.base", "java.lang.reflect", true),
      new Requirement("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "java.base", "sun.nio.ch", false),
      new Requirement("--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "java.base", "jdk.internal.ref", false),
      new Requirement("--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED", "jdk.compiler",
          "com.sun.tools.javac.file", false));

  /** Accepted by 17, needed from 25 on (restricted native methods). */
  static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

  /**
   * Not needed to run, but part of the one line: without them Chronicle Map reports its use to
   * an analytics service over the network and writes {@code ~/.chronicle.analytics.client.id}.
   */
  static final String CHRONICLE_QUIET = "-Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true";

  /** The line to add: every flag, whatever is already there. */
  static final String ALL_FLAGS = String.join(" ",
      REQUIRED.stream().map(Requirement::flag).toList()) + " " + CHRONICLE_QUIET + " " + NATIVE_ACCESS;

  /** Answers whether a module opens or exports a package to the module Chronicle Map runs in. */
  interface Probe {
    /** Empty if the JVM has no such module (a runtime without {@code jdk.compiler}). */
    Optional<Boolean> allows(String module, String pkg, boolean open);
  }

  private JvmFlags() {}

  /**
   * Throws {@link MissingJvmFlagsException} if a tier of {@code tiers} keeps a persistent
   * index ({@code persistIndexes} and the tier's own {@code persistIndex}) and this JVM lacks
   * a flag Chronicle Map needs. Loads no Chronicle Map code.
   */
  static void checkFor(List<TierConfig> tiers, boolean persistIndexes) {
    if (!persistIndexes) {
      return;
    }
    for (TierConfig t : tiers) {
      if (t.has(TierFlag.PERSISTENT) && t.persistIndex() && t.indexPath().isPresent()) {
        check(t.name(), runningJvm());
        return;
      }
    }
  }

  /** Throws if {@code probe} says a flag is missing; {@code tier} names the tier that needs them. */
  static void check(String tier, Probe probe) {
    List<String> missing = missing(probe);
    if (missing.isEmpty()) {
      return;
    }
    boolean noCompiler = probe.allows("jdk.compiler", "com.sun.tools.javac.file", false).isEmpty();
    throw new MissingJvmFlagsException("tier \"" + tier + "\" keeps a persistent index (Chronicle Map), which needs "
        + "JVM flags this JVM was started without: " + String.join(" ", missing)
        + (noCompiler ? " (and a full JDK: this runtime has no jdk.compiler module)" : "")
        + ". Add this one line to the java command (or Surefire's argLine, Gradle's jvmArgs, JDK_JAVA_OPTIONS): "
        + ALL_FLAGS + " (or set persistIndex(false) / \"persist_index\": false, which needs no flags)",
        missing, ALL_FLAGS);
  }

  /** The flags {@code probe} says are missing, in the order of {@link #REQUIRED}. */
  static List<String> missing(Probe probe) {
    List<String> missing = new ArrayList<>();
    for (Requirement r : REQUIRED) {
      if (!probe.allows(r.module(), r.pkg(), r.open()).orElse(false)) {
        missing.add(r.flag());
      }
    }
    return missing;
  }

  /** Asks this JVM's modules about the module that holds Chronicle Map's classes (loaded, not initialized). */
  static Probe runningJvm() {
    Module target = chronicleModule();
    return (module, pkg, open) -> ModuleLayer.boot().findModule(module)
        .map(m -> open ? m.isOpen(pkg, target) : m.isExported(pkg, target));
  }

  private static Module chronicleModule() {
    try {
      return Class.forName("net.openhft.chronicle.map.ChronicleMap", false, JvmFlags.class.getClassLoader())
          .getModule();
    } catch (ClassNotFoundException | LinkageError e) { // not on the path: opening the index says so
      return JvmFlags.class.getModule();
    }
  }
}
