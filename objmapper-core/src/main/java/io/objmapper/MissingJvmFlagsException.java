package io.objmapper;

import java.util.List;

/**
 * Thrown by {@link ObjMapper.Builder#build()} when a tier keeps a persistent index (a
 * Chronicle Map file) and this JVM was started without the flags Chronicle Map needs. It is
 * thrown before anything is opened; a store without persistent indexes needs no flags.
 *
 * <p>The message lists the missing flags and the one line that adds them all:
 * <pre>
 * --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
 * --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
 * --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED --enable-native-access=ALL-UNNAMED
 * </pre>
 * on the {@code java} command line, in Surefire's {@code argLine}, in Gradle's
 * {@code jvmArgs}, in {@code JDK_JAVA_OPTIONS}, or as {@code Add-Opens}/{@code Add-Exports}
 * attributes of an executable jar's manifest.
 */
public class MissingJvmFlagsException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final List<String> missingFlags;
  private final String requiredFlags;

  public MissingJvmFlagsException(String message, List<String> missingFlags, String requiredFlags) {
    super(message);
    this.missingFlags = List.copyOf(missingFlags);
    this.requiredFlags = requiredFlags;
  }

  /** The flags this JVM lacks, each as it is written on the {@code java} command line. */
  public List<String> missingFlags() {
    return missingFlags;
  }

  /** Every flag a persistent index needs, as one line to add to the {@code java} command. */
  public String requiredFlags() {
    return requiredFlags;
  }
}
