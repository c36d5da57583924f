package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.TierConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store that needs Chronicle Map says which JVM flags are missing; one that does not needs none. */
class JvmFlagsTest {
  @TempDir Path dir;

  /** A probe of a JVM in which every requirement holds except the flags in {@code missing}. */
  private static JvmFlags.Probe allBut(List<String> missing) {
    return (module, pkg, open) -> Optional.of(JvmFlags.REQUIRED.stream()
        .filter(r -> r.module().equals(module) && r.pkg().equals(pkg) && r.open() == open)
        .noneMatch(r -> missing.contains(r.flag())));
  }

  @Test
  void theLineTheMessageGivesIsReadmesLineAndTheBuildsFlags() throws IOException {
    Path project = Path.of(System.getProperty("objmapper.testdata")).getParent();
    String readme = Files.readString(project.resolve("README.md"), StandardCharsets.UTF_8);
    assertThat(readme).as("README's java command").contains("java " + JvmFlags.ALL_FLAGS + " -cp");
    String pom = Files.readString(project.resolve("pom.xml"), StandardCharsets.UTF_8);
    assertThat(pom).as("the parent pom's flags").contains("<objmapper.jvm.flags>" + JvmFlags.ALL_FLAGS + "</");
  }

  @Test
  void aJvmWithEveryFlagPassesTheCheck() {
    assertThat(JvmFlags.missing(allBut(List.of()))).isEmpty();
    JvmFlags.check("disk", allBut(List.of())); // throws nothing
  }

  @Test
  void theMessageListsExactlyTheMissingFlagsAndTheLineToAdd() {
    List<String> gone = List.of("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED");
    assertThatThrownBy(() -> JvmFlags.check("disk", allBut(gone)))
        .isInstanceOfSatisfying(MissingJvmFlagsException.class, e -> {
          assertThat(e.missingFlags()).containsExactly("--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
              "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
          assertThat(e.requiredFlags()).isEqualTo(JvmFlags.ALL_FLAGS);
          assertThat(e.getMessage()).contains("tier \"disk\"")
              .contains("without: --add-opens=java.base/java.lang.reflect=ALL-UNNAMED "
                  + "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED.")
              .endsWith(JvmFlags.ALL_FLAGS + " (or set persistIndex(false) / \"persist_index\": false, "
                  + "which needs no flags)")
              .doesNotContain("full JDK");
          assertThat(e.getMessage().substring(0, e.getMessage().indexOf(". Add")))
              .doesNotContain("java.base/java.lang=", "jdk.internal.ref");
        });
  }

  @Test
  void aRuntimeWithoutTheCompilerModuleIsToldItNeedsAFullJdk() {
    JvmFlags.Probe noCompiler = (module, pkg, open) -> module.equals("jdk.compiler") ? Optional.empty()
        : Optional.of(true);
    assertThatThrownBy(() -> JvmFlags.check("disk", noCompiler))
        .isInstanceOfSatisfying(MissingJvmFlagsException.class, e -> {
          assertThat(e.missingFlags()).containsExactly(
              "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED");
          assertThat(e.getMessage()).contains("a full JDK");
        });
  }

  @Test
  void thisTestJvmHasTheFlagsOfThePom() {
    assertThat(JvmFlags.missing(JvmFlags.runningJvm())).isEmpty();
  }

  @Test
  void aStoreWithoutPersistentIndexesIsNotChecked() {
    // checkFor skips the probe entirely: a tier list with a persistent index but persistIndexes off
    JvmFlags.checkFor(List.of(TierConfig.builder().name("disk").type("fs").root(dir)
        .flags(io.objmapper.spi.TierFlag.PERSISTENT, io.objmapper.spi.TierFlag.READABLE).persistIndex(true).build()),
        false);
  }

  /** What a child JVM printed and how it ended. */
  private record Child(int exit, List<String> out, String err) {}

  private Child runChild(boolean flags, Map<String, String> env, String mode) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (flags) {
      cmd.addAll(List.of(JvmFlags.ALL_FLAGS.split(" ")));
    }
    cmd.add("-Dchronicle.analytics.disable=true");
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(JvmFlagsChild.class.getName());
    cmd.add(mode);
    cmd.add(dir.resolve("disk").toString());
    Files.createDirectories(dir.resolve("disk"));
    Path err = dir.resolve("stderr.txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectError(err.toFile()).redirectOutput(dir.resolve("stdout.txt").toFile());
    pb.environment().remove("JDK_JAVA_OPTIONS");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM ended").isTrue();
    return new Child(p.exitValue(), Files.readAllLines(dir.resolve("stdout.txt"), StandardCharsets.UTF_8),
        Files.readString(err));
  }

  private List<String> indexFiles() throws IOException {
    try (var s = Files.list(dir.resolve("disk"))) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.contains("index")).toList();
    }
  }

  @Test
  void aPersistentIndexInAJvmWithoutFlagsFailsInBuildBeforeOpeningAnything() throws Exception {
    Child c = runChild(false, Map.of(), "persistent-index");
    assertThat(c.out()).as("stderr: %s", c.err()).singleElement().asString()
        .startsWith(MissingJvmFlagsException.class.getName() + ": tier \"disk\" keeps a persistent index")
        .contains("without: " + JvmFlags.REQUIRED.stream().map(JvmFlags.Requirement::flag)
            .reduce((a, b) -> a + " " + b).orElseThrow() + ".")
        .contains(JvmFlags.ALL_FLAGS);
    assertThat(indexFiles()).as("no index file was made").isEmpty();
  }

  @Test
  void aStoreWithoutPersistentIndexRunsInAJvmWithoutFlags() throws Exception {
    Child c = runChild(false, Map.of(), "heap-index");
    assertThat(c.out()).as("stderr: %s", c.err()).containsExactly("ok");
  }

  @Test
  void flagsGivenThroughJdkJavaOptionsCount() throws Exception {
    Child c = runChild(false, Map.of("JDK_JAVA_OPTIONS", JvmFlags.ALL_FLAGS), "persistent-index");
    assertThat(c.out()).as("stderr: %s", c.err()).containsExactly("ok");
  }
}
