package io.objmapper.examples.cli;

import static io.objmapper.examples.cli.LauncherProcess.NO_INPUT;
import static io.objmapper.examples.cli.LauncherStoreCommandsTest.launch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.objmapper.examples.cli.LauncherStoreCommandsTest.Result;
import io.objmapper.spi.ObjectNames;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.FileVisitResult;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
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
 * and are logged; while the store is served {@code stats} answers from the server's snapshot
 * (and agrees with the files on each tier) and {@code where} refuses it; once it stopped both
 * open the store and show where the rounds put the objects.
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
      LauncherProcess.stop(serve);
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private Process serve(String... extra) throws IOException {
    List<String> cmd = new ArrayList<>(serveCommandOf(dir.resolve("s.sock")));
    cmd.addAll(List.of(extra));
    return new ProcessBuilder(cmd).redirectInput(NO_INPUT).redirectError(stderr.toFile()).start();
  }

  /** The first line of {@code serve}'s log that contains {@code text}, waiting up to 30 s for it. */
  private String awaitLogLine(String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try (DirectoryChanges changes = new DirectoryChanges(stderr.getParent())) {
      while (System.nanoTime() < deadline) {
        if (Files.exists(stderr)) {
          for (String line : Files.readAllLines(stderr, StandardCharsets.UTF_8)) {
            if (line.contains(text)) {
              return line;
            }
          }
        }
        assertThat(serve.isAlive()).as("serve is running; its log:%n%s", Files.readString(stderr)).isTrue();
        changes.await(deadline); // the log grows
      }
    }
    throw new AssertionError("no \"" + text + "\" in serve's log:\n" + Files.readString(stderr));
  }

  @Test
  void backgroundRoundsEvictFromAFullTierAndAreLoggedAndStatsAndWhereShowTheResult() throws Exception {
    // 3 x 3,300 bytes fill "fast" (10,000 bytes) past its 95 % mark: a round sends one down to 85 %.
    // Put before the server starts: an import runs its puts in parallel, and a round that
    // came during them would see their room reserved as well as counted on the tier.
    try (io.objmapper.ObjMapper store = io.objmapper.ObjMapper.builder().configFile(conf).backgroundRounds(false)
        .build()) {
      for (String n : List.of("a", "b", "c")) {
        store.put("/" + n, new byte[3_300]);
      }
    }
    serve = serve();
    BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).startsWith("listening on unix:");

    String round = awaitLogLine("lifecycle round:");
    assertThat(round).contains("INFO").contains("1 evicted").contains("3300 bytes moved");

    // Served: stats answers from the server's snapshot, which comes to agree with the files on
    // each tier once the round's move is in it; where is kept out by the index lock.
    List<Path> roots = List.of(dir.resolve("fast"), dir.resolve("slow"));
    JsonNode live = awaitLiveStats(new String[] {"--config", conf.toString()}, roots,
        json -> json.get("lifecycle").get("evictions").asLong() == 1);
    assertThat(live.get("live").asBoolean()).isTrue();
    assertThat(live.get("pid").asLong()).isEqualTo(serve.pid());
    assertThat(Instant.parse(live.get("as_of").asText())).isNotNull();
    assertThat(live.get("tiers").get(0).get("bytes").asLong()).isEqualTo(6_600);
    assertThat(live.get("tiers").get(1).get("bytes").asLong()).isEqualTo(3_300);
    JsonNode totals = live.get("lifecycle");
    assertThat(totals.get("rounds").asLong()).isPositive();
    assertThat(totals.get("bytes_moved").asLong()).isEqualTo(3_300);
    assertThat(totals.get("failures").asLong()).isZero();
    Result busyWhere = launch("where", "--config", conf.toString(), "/a");
    assertThat(busyWhere.code()).isEqualTo(3);
    assertThat(busyWhere.err().lines()).singleElement().asString().startsWith("where: cannot open the store: ");

    serve.destroy(); // SIGTERM
    assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(serve.exitValue()).isZero();
    JsonNode last = LauncherStoreCommandsTest.JSON.readTree(dir.resolve("fast").resolve(StatsSnapshot.FILE_NAME).toFile());
    assertThat(last.get("live").asBoolean()).as("the last snapshot: %s", last).isFalse();
    assertThat(last.get("pid").asLong()).isEqualTo(serve.pid());

    Result stats = launch("stats", "--config", conf.toString()); // the store at rest: opened by stats itself
    assertThat(stats.code()).as(stats.err()).isZero();
    assertThat(stats.json().get("live").asBoolean()).isFalse();
    assertThat(stats.json().has("pid")).isFalse();
    assertThat(stats.json().has("as_of")).isFalse();
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
  void withoutSocketOrTcpFlagsServeListensWhereTheConfigurationSaysAndObjectCommandsFindIt() throws Exception {
    Path sock = dir.resolve("from-config.sock");
    Files.writeString(conf, Files.readString(conf).replaceFirst("\\{",
        "{\"server\": {\"socket_path\": \"" + sock + "\", \"tcp\": \"127.0.0.1:0\"},"));
    Path file = Files.writeString(dir.resolve("f.txt"), "config socket");
    List<String> cmd = LauncherProcess.command("serve", "--config", conf.toString(), "--import", in.toString());
    serve = new ProcessBuilder(cmd).redirectInput(NO_INPUT).redirectError(stderr.toFile()).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).as("the first line; log: %s", stderr)
        .matches("listening on unix:" + java.util.regex.Pattern.quote(sock.toString()) + " tcp:127\\.0\\.0\\.1:\\d+");
    // serve holds the store: put and ls with the same --config go through the configuration's socket.
    Result put = launch("put", "--config", conf.toString(), "/via-config", file.toString());
    assertThat(put.code()).as(put.err()).isZero();
    Result ls = launch("ls", "--config", conf.toString(), "/via");
    assertThat(ls.code()).as(ls.err()).isZero();
    assertThat(ls.out().lines()).singleElement().asString().startsWith("/via-config\t13\t");
  }

  @Test
  void aSecondServeOnAServedStoreFailsInOneLine() throws Exception {
    serve = serve();
    BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).startsWith("listening on unix:");
    Path secondErr = dir.resolve("second.err");
    Process second = new ProcessBuilder(serveCommandOf(dir.resolve("s2.sock"))).redirectInput(NO_INPUT)
        .redirectError(secondErr.toFile()).start();
    assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isEqualTo(ExitCodes.UNAVAILABLE);
    List<String> errLines = Files.readAllLines(secondErr).stream().filter(l -> !l.contains(" INFO ")).toList();
    assertThat(errLines).singleElement().asString().startsWith("serve: cannot open the store: ")
        .contains("in use by another process");
  }

  @Test
  void statsAnswersFromTheSnapshotOfAPlainServeUnderItsDataDirectory() throws Exception {
    Files.write(in.resolve("x"), new byte[1_234]);
    Files.write(Files.createDirectories(in.resolve("sub")).resolve("y"), new byte[56]);
    Path data = dir.resolve("data");
    List<String> cmd = serveCommandOf(dir.resolve("s.sock"));
    cmd.subList(cmd.indexOf("--config"), cmd.size()).clear();
    cmd.addAll(List.of("--data", data.toString(), "--import", in.toString()));
    serve = new ProcessBuilder(cmd).redirectInput(NO_INPUT).redirectError(stderr.toFile()).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).startsWith("listening on unix:");

    Path disk = data.resolve("disk");
    JsonNode live = awaitLiveStats(new String[] {"--data", data.toString()}, java.util.Arrays.asList(null, disk),
        json -> json.get("tiers").get(1).get("objects").asLong() == 2);
    assertThat(live.get("pid").asLong()).isEqualTo(serve.pid());
    assertThat(live.get("tiers").get(1).get("bytes").asLong()).isEqualTo(1_290);
    assertThat(disk.resolve(StatsSnapshot.FILE_NAME)).isRegularFile();

    serve.destroy(); // SIGTERM
    assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Result stats = launch("stats", "--data", data.toString());
    assertThat(stats.code()).as(stats.err()).isZero();
    assertThat(stats.json().get("live").asBoolean()).isFalse();
    assertThat(stats.json().get("tiers").get(1).get("bytes").asLong()).isEqualTo(1_290);
  }

  @Test
  void withoutAWritableSnapshotStatsFailsAsBeforeAndServeWarnsOnce() throws Exception {
    // A directory where the snapshot goes: every write fails; serving goes on.
    Files.createDirectories(dir.resolve("fast").resolve(StatsSnapshot.FILE_NAME).resolve("x"));
    Files.write(in.resolve("a"), new byte[10]);
    serve = serve("--import", in.toString());
    BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).startsWith("listening on unix:");
    assertThat(awaitLogLine("cannot write the stats snapshot")).contains("WARN");

    Result busy = launch("stats", "--config", conf.toString());
    assertThat(busy.code()).isEqualTo(3);
    assertThat(busy.out()).isEmpty();
    assertThat(busy.err().lines()).singleElement().asString()
        .startsWith("stats: cannot open the store: ").contains("in use by another process");

    serve.destroy(); // SIGTERM: the last write fails too, and is not logged again
    assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(serve.exitValue()).isZero();
    assertThat(Files.readAllLines(stderr)).filteredOn(l -> l.contains("cannot write the stats snapshot")).hasSize(1);
  }

  /**
   * Runs {@code stats ARGS} until it answers from a live snapshot that {@code wanted} accepts
   * and whose every tier with a root in {@code roots} (by position; null for none) reports the
   * objects and bytes of the files under that root; fails after 30 s.
   */
  private JsonNode awaitLiveStats(String[] args, List<Path> roots, java.util.function.Predicate<JsonNode> wanted)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String last = "nothing yet";
    // The snapshot is renamed into place at the root of the first persistent tier, the first root given.
    Path snapshotDir = roots.stream().filter(java.util.Objects::nonNull).findFirst().orElseThrow();
    try (DirectoryChanges changes = new DirectoryChanges(snapshotDir)) {
      while (System.nanoTime() < deadline) {
        assertThat(serve.isAlive()).as("serve is running; its log:%n%s", Files.readString(stderr)).isTrue();
        List<String> cmd = new ArrayList<>(List.of("stats"));
        cmd.addAll(List.of(args));
        Result r = launch(cmd.toArray(String[]::new));
        last = r.toString();
        if (r.code() == 0 && r.json().get("live").asBoolean() && wanted.test(r.json())) {
          JsonNode tiers = r.json().get("tiers");
          boolean matches = true;
          StringBuilder disk = new StringBuilder();
          for (int i = 0; i < roots.size(); i++) {
            if (roots.get(i) != null) {
              long[] onDisk = objectsAndBytesOnDisk(roots.get(i));
              disk.append(' ').append(roots.get(i).getFileName()).append('=').append(onDisk[0]).append('/')
                  .append(onDisk[1]);
              matches &= tiers.get(i).get("objects").asLong() == onDisk[0]
                  && tiers.get(i).get("bytes").asLong() == onDisk[1];
            }
          }
          if (matches) {
            return r.json();
          }
          last += " vs on disk (objects/bytes):" + disk;
        }
        changes.await(deadline); // the next snapshot
      }
    }
    throw new AssertionError("stats never answered as wanted from a live snapshot; last: " + last);
  }

  /** The objects (regular files) under a tier root and their bytes, skipping the tier's own .objmapper files. */
  static long[] objectsAndBytesOnDisk(Path root) throws IOException {
    long[] n = {0, 0};
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
        return !d.equals(root) && reserved(d) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
        if (attrs.isRegularFile() && !reserved(f)) {
          n[0]++;
          n[1] += attrs.size();
        }
        return FileVisitResult.CONTINUE;
      }

      private boolean reserved(Path p) {
        return p.getFileName().toString().startsWith(ObjectNames.RESERVED_PREFIX);
      }
    });
    return n;
  }

  /** {@code serve --socket SOCKET --config CONF} in a JVM like this one. */
  private List<String> serveCommandOf(Path socket) {
    List<String> cmd = LauncherProcess.command();
    cmd.addAll(List.of("serve",
        "--socket", socket.toString(), "--config", conf.toString()));
    return cmd;
  }
}
