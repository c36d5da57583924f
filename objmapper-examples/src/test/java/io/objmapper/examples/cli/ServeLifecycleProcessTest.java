package io.objmapper.examples.cli;

import static io.objmapper.examples.cli.LauncherStoreCommandsTest.launch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.objmapper.examples.cli.LauncherStoreCommandsTest.Result;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code serve --config} with a lifecycle section as a child process: background rounds run
 * and are logged, {@code stats} and {@code where} refuse the store while it is served and
 * show where the rounds put the objects once it stopped.
 */
class ServeLifecycleProcessTest {
  Path dir;
  Path conf;
  Path in;
  Path stderr;
  Process serve;

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory("om");
    Files.createDirectories(dir.resolve("fast"));
    Files.createDirectories(dir.resolve("slow"));
    conf = Files.writeString(dir.resolve("objmapper.conf"), LauncherStoreCommandsTest.twoTierConfig(dir, 100));
    in = Files.createDirectories(dir.resolve("in"));
    stderr = dir.resolve("serve.err");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (serve != null && serve.isAlive()) {
      serve.destroy();
      if (!serve.waitFor(30, TimeUnit.SECONDS)) {
        serve.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private Process serve(String... extra) throws IOException {
    List<String> cmd = new ArrayList<>(serveCommandOf(dir.resolve("s.sock")));
    cmd.addAll(List.of(extra));
    return new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
  }

  /** The first line of {@code serve}'s log that contains {@code text}, waiting up to 30 s for it. */
  private String awaitLogLine(String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (Files.exists(stderr)) {
        for (String line : Files.readAllLines(stderr, StandardCharsets.UTF_8)) {
          if (line.contains(text)) {
            return line;
          }
        }
      }
      assertThat(serve.isAlive()).as("serve is running; its log:%n%s", Files.readString(stderr)).isTrue();
      Thread.sleep(50);
    }
    throw new AssertionError("no \"" + text + "\" in serve's log:\n" + Files.readString(stderr));
  }

  @Test
  void backgroundRoundsEvictFromAFullTierAndAreLoggedAndStatsAndWhereShowTheResult() throws Exception {
    // 3 x 3,300 bytes fill "fast" (10,000 bytes) past its 95 % mark: a round sends one down to 85 %.
    for (String n : List.of("a", "b", "c")) {
      Files.write(in.resolve(n), new byte[3_300]);
    }
    serve = serve("--import", in.toString());
    BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).startsWith("listening on unix:");

    String round = awaitLogLine("lifecycle round:");
    assertThat(round).contains("INFO").contains("1 evicted").contains("3300 bytes moved");

    // Served: the index lock keeps both commands out, with one line each and exit code 3.
    Result busy = launch("stats", "--config", conf.toString());
    assertThat(busy.code()).isEqualTo(3);
    assertThat(busy.out()).isEmpty();
    assertThat(busy.err().lines()).singleElement().asString()
        .startsWith("stats: cannot open the store: ").contains("in use by another process");
    Result busyWhere = launch("where", "--config", conf.toString(), "/a");
    assertThat(busyWhere.code()).isEqualTo(3);
    assertThat(busyWhere.err().lines()).singleElement().asString().startsWith("where: cannot open the store: ");

    serve.destroy(); // SIGTERM
    assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(serve.exitValue()).isZero();

    Result stats = launch("stats", "--config", conf.toString());
    assertThat(stats.code()).as(stats.err()).isZero();
    JsonNode tiers = stats.json().get("tiers");
    assertThat(tiers.get(0).get("name").asText()).isEqualTo("fast");
    assertThat(tiers.get(0).get("objects").asLong()).isEqualTo(2);
    assertThat(tiers.get(0).get("bytes").asLong()).isEqualTo(6_600);
    assertThat(tiers.get(1).get("objects").asLong()).isEqualTo(1);
    assertThat(tiers.get(1).get("bytes").asLong()).isEqualTo(3_300);

    Result where = launch("where", "--config", conf.toString(), "/a", "/b", "/c");
    assertThat(where.code()).as(where.err()).isZero();
    List<JsonNode> placements = where.jsonLines();
    assertThat(placements).extracting(p -> p.get("tier").asText()).containsExactlyInAnyOrder("fast", "fast", "slow");
    assertThat(placements).allSatisfy(p -> assertThat(p.get("tier_id").asInt())
        .isEqualTo(p.get("tier").asText().equals("fast") ? 0 : 1));
  }

  @Test
  void aSecondServeOnAServedStoreFailsInOneLine() throws Exception {
    serve = serve();
    BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).startsWith("listening on unix:");
    Path secondErr = dir.resolve("second.err");
    Process second = new ProcessBuilder(serveCommandOf(dir.resolve("s2.sock"))).redirectError(secondErr.toFile()).start();
    assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isEqualTo(1);
    List<String> errLines = Files.readAllLines(secondErr).stream().filter(l -> !l.contains(" INFO ")).toList();
    assertThat(errLines).singleElement().asString().startsWith("serve: cannot open the store: ")
        .contains("in use by another process");
  }

  /** {@code serve --socket SOCKET --config CONF} in a JVM like this one. */
  private List<String> serveCommandOf(Path socket) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-") || a.startsWith("-Dchronicle") || a.startsWith("--enable-native")) {
        cmd.add(a);
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.objmapper.examples.Launcher", "serve",
        "--socket", socket.toString(), "--config", conf.toString()));
    return cmd;
  }
}
