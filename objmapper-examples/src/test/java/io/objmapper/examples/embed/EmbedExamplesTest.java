package io.objmapper.examples.embed;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.ObjMapperStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs every example, so that none of them can stop working unnoticed. */
class EmbedExamplesTest {
  @TempDir
  Path workDir;

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, UTF_8);

  // ---- in-process lookups ---------------------------------------------------------------

  @Test
  void inProcessLookupReadsEachObjectBackFromTheTierItsFlagsChose() throws IOException {
    InProcessLookupExample.Result result = InProcessLookupExample.run(workDir, out);

    assertThat(result.greeting()).isEqualTo("hello, objmapper");
    assertThat(result.greetingTier()).isEqualTo("disk");
    assertThat(result.session()).isEqualTo("user=ada");
    assertThat(result.sessionTier()).isEqualTo("memory");
    assertThat(result.sessionEphemeral()).isTrue();
    assertThat(printed()).contains(
        "/greetings/hello.txt: 16 bytes from tier disk: hello, objmapper",
        "/sessions/42: 8 bytes from tier memory (ephemeral): user=ada",
        "tier memory (memory, volatile): 1 objects, 8 bytes",
        "tier disk (fs, persistent): 1 objects, 16 bytes");
  }

  @Test
  void inProcessLookupCountsItsLookupsAndServesTheSecondOpenFromTheCache() throws IOException {
    ObjMapperStats stats = InProcessLookupExample.run(workDir, out).stats();

    assertThat(stats.lookups()).isEqualTo(3);
    assertThat(stats.fdCacheMisses()).isEqualTo(2);
    assertThat(stats.fdCacheHits()).isEqualTo(1);
    assertThat(printed()).contains("lookups 3, descriptor cache hits 1, misses 2");
  }

  @Test
  void inProcessLookupLeavesOnlyThePersistentTierBehind() throws IOException {
    InProcessLookupExample.run(workDir, out);

    assertThat(namesIn(workDir)).containsExactly("disk");
  }

  // ---- embedded server ------------------------------------------------------------------

  @Test
  void embeddedServerPassesADescriptorToTheClientAndRemovesItsSocket() throws IOException {
    EmbeddedServerExample.Result result = EmbeddedServerExample.run(workDir, out);

    assertThat(result.content()).isEqualTo("hello from the server");
    assertThat(result.descriptorPassed()).isTrue();
    assertThat(result.socket()).doesNotExist();
    assertThat(printed())
        .contains("/hello.txt: 21 bytes through a passed descriptor: hello from the server")
        .contains("shut down; socket removed: true");
  }

  @Test
  void embeddedServerMovesItsSocketToAShortDirectoryWhenTheWorkDirIsTooDeep() throws IOException {
    Path deep = Files.createDirectories(workDir.resolve("a-directory-deep-enough".repeat(4))
        .resolve("that-a-socket-path-below-it-would-not-fit"));

    EmbeddedServerExample.Result result = EmbeddedServerExample.run(deep, out);

    assertThat(result.content()).isEqualTo("hello from the server");
    assertThat(result.socket().toString().getBytes(UTF_8).length)
        .isLessThanOrEqualTo(EmbeddedServerExample.MAX_SOCKET_PATH_BYTES);
    assertThat(result.socket().getParent()).doesNotExist();
  }

  // ---- custom tier ----------------------------------------------------------------------

  @Test
  void customTierRunsTheStoreOnThePluginFoundByServiceLoader() throws IOException {
    CustomTierExample.Result result = CustomTierExample.run(workDir, out);

    assertThat(result.types()).contains("sharded");
    assertThat(result.content()).isEqualTo("meow");
    assertThat(result.files()).containsExactly(
        "41/69/ZG9jcy9yZWFkbWUudHh0", "d3/77/cGhvdG9zL2NhdC5qcGc", "eb/42/cGhvdG9zL2RvZy5qcGc");
    assertThat(printed())
        .contains("/photos/cat.jpg from tier objects: meow", "  d3/77/cGhvdG9zL2NhdC5qcGc");
  }

  // ---- the main methods -----------------------------------------------------------------

  @Test
  void inProcessLookupMainPrintsWhatItReadAndRemovesItsDirectory() throws Exception {
    String output =
        runMain("objmapper-in-process-", () -> InProcessLookupExample.main(new String[0]));

    assertThat(output).contains("hello, objmapper", "user=ada");
  }

  @Test
  void embeddedServerMainPrintsWhatTheClientReceivedAndRemovesItsDirectory() throws Exception {
    String output = runMain("objmapper-embedded-", () -> EmbeddedServerExample.main(new String[0]));

    assertThat(output).contains("through a passed descriptor: hello from the server",
        "socket removed: true");
  }

  @Test
  void customTierMainPrintsTheShardedFilesAndRemovesItsDirectory() throws Exception {
    String output = runMain("objmapper-custom-tier-", () -> CustomTierExample.main(new String[0]));

    assertThat(output).contains("sharded", "  d3/77/cGhvdG9zL2NhdC5qcGc");
  }

  // ---- helpers --------------------------------------------------------------------------

  @FunctionalInterface
  private interface Main {
    void run() throws Exception;
  }

  /**
   * Runs {@code main} with standard output captured, and checks it left no directory named
   * {@code prefix...} in the temporary directory.
   */
  private static String runMain(String prefix, Main main) throws Exception {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    Set<String> before = namesStartingWith(tmp, prefix);
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(captured, true, UTF_8));
    try {
      main.run();
    } finally {
      System.setOut(stdout);
    }
    assertThat(namesStartingWith(tmp, prefix)).isSubsetOf(before);
    return captured.toString(UTF_8);
  }

  private static Set<String> namesStartingWith(Path dir, String prefix) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(prefix))
          .collect(Collectors.toSet());
    }
  }

  private static List<String> namesIn(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  private String printed() {
    return printed.toString(UTF_8);
  }
}
