package io.objmapper.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.objmapper.ObjMapper;
import io.objmapper.examples.Launcher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stats} and {@code where}, run in-process on stores that no server holds. */
class LauncherStoreCommandsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final long FAST_CAPACITY = 10_000; // capacity_gb 0.00001: decimal gigabytes

  @TempDir Path dir;
  Path conf;

  /** What a command printed and how it ended. */
  record Result(int code, String out, String err) {
    List<JsonNode> jsonLines() throws Exception {
      return out.lines().map(l -> {
        try {
          return JSON.readTree(l);
        } catch (Exception e) {
          throw new AssertionError("not JSON: " + l, e);
        }
      }).toList();
    }

    JsonNode json() throws Exception {
      assertThat(out.lines()).as("stdout of %s", this).hasSize(1);
      return JSON.readTree(out);
    }
  }

  static Result launch(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Launcher.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Two persistent fs tiers giving and taking migrations: "fast" (10 KB) and "slow" (1 GB). */
  static String twoTierConfig(Path dir, long intervalMs) {
    String flags = "[\"persistent\", \"readable\", \"writable\", \"migration_src\", \"migration_dst\"]";
    return """
        {
          "backends": [
            {"name": "fast", "type": "fs", "mount_path": "%s", "capacity_gb": 0.00001, "perf_factor": 1.0,
             "flags": %s, "persist_index": true},
            {"name": "slow", "type": "fs", "mount_path": "%s", "capacity_gb": 1, "perf_factor": 3.0,
             "flags": %s, "persist_index": true}
          ],
          "lifecycle": {"interval_ms": %d, "busy_requests_per_sec": 100000}
        }
        """.formatted(dir.resolve("fast"), flags, dir.resolve("slow"), flags, intervalMs);
  }

  @BeforeEach
  void writeConfig() throws Exception {
    Files.createDirectories(dir.resolve("fast"));
    Files.createDirectories(dir.resolve("slow"));
    conf = Files.writeString(dir.resolve("objmapper.conf"), twoTierConfig(dir, 3_600_000));
  }

  /** /a (100 bytes) on fast, /b (200 bytes) moved to slow; the store closed. */
  private void putAOnFastAndBOnSlow() throws Exception {
    try (ObjMapper store = ObjMapper.open(conf)) {
      store.put("/a", new byte[100]);
      store.put("/b", new byte[200]);
      store.move("/b", "slow");
    }
  }

  @Test
  void statsPrintsEveryTierAndTheLifecycleTotalsAsOneJsonObject() throws Exception {
    putAOnFastAndBOnSlow();
    Result r = launch("stats", "--config", conf.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = r.json();
    JsonNode fast = json.get("tiers").get(0);
    assertThat(fast.get("name").asText()).isEqualTo("fast");
    assertThat(fast.get("id").asInt()).isZero();
    assertThat(fast.get("type").asText()).isEqualTo("fs");
    assertThat(fast.get("persistent").asBoolean()).isTrue();
    assertThat(fast.get("objects").asLong()).isEqualTo(1);
    assertThat(fast.get("bytes").asLong()).isEqualTo(100);
    assertThat(fast.get("capacity_bytes").asLong()).isEqualTo(FAST_CAPACITY);
    JsonNode slow = json.get("tiers").get(1);
    assertThat(slow.get("name").asText()).isEqualTo("slow");
    assertThat(slow.get("id").asInt()).isEqualTo(1);
    assertThat(slow.get("objects").asLong()).isEqualTo(1);
    assertThat(slow.get("bytes").asLong()).isEqualTo(200);
    assertThat(slow.get("capacity_bytes").asLong()).isEqualTo(1_000_000_000L);
    JsonNode lifecycle = json.get("lifecycle");
    assertThat(lifecycle.fieldNames()).toIterable().containsExactly("rounds", "promotions", "demotions",
        "evictions", "manual_moves", "bytes_moved", "failures", "busy_rounds");
    assertThat(lifecycle.get("rounds").asLong()).isZero(); // this run's: the command runs no round
    assertThat(json.fieldNames()).toIterable().containsExactly("tiers", "lifecycle", "live");
    assertThat(json.get("live").asBoolean()).isFalse(); // no server: read from the store itself
  }

  @Test
  void statsOfAPlainServeStoreShowsTheMemoryTierBoundedByAQuarterOfSharedMemory() throws Exception {
    Path data = dir.resolve("data");
    try (ObjMapper store = StoreOptions.open(null, data, true, false)) {
      store.put("/x", new byte[7]);
    }
    Result r = launch("stats", "--data", data.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode tiers = r.json().get("tiers");
    assertThat(tiers.get(0).get("name").asText()).isEqualTo("memory");
    assertThat(tiers.get(0).get("type").asText()).isEqualTo("memory");
    assertThat(tiers.get(0).get("persistent").asBoolean()).isFalse();
    assertThat(tiers.get(0).get("capacity_bytes").asLong()).isEqualTo(StoreOptions.defaultMemoryCapacity())
        .isEqualTo(java.nio.file.Files.getFileStore(StoreOptions.SHARED_MEMORY).getTotalSpace() / 4);
    assertThat(tiers.get(1).get("name").asText()).isEqualTo("disk");
    assertThat(tiers.get(1).get("objects").asLong()).isEqualTo(1);
    assertThat(tiers.get(1).get("bytes").asLong()).isEqualTo(7);
  }

  @Test
  void wherePrintsOnePlacementPerName() throws Exception {
    putAOnFastAndBOnSlow();
    Result r = launch("where", "--config", conf.toString(), "/a", "/b");
    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> lines = r.jsonLines();
    assertThat(lines).hasSize(2);
    JsonNode a = lines.get(0);
    assertThat(a.fieldNames()).toIterable().containsExactly("name", "tier", "tier_id", "home_tier", "score", "heat",
        "accesses", "reason");
    assertThat(a.get("name").asText()).isEqualTo("/a");
    assertThat(a.get("tier").asText()).isEqualTo("fast");
    assertThat(a.get("tier_id").asInt()).isZero();
    assertThat(a.get("home_tier").asText()).isEqualTo("fast");
    assertThat(a.get("score").isNumber()).isTrue();
    assertThat(a.get("heat").isNumber()).isTrue();
    assertThat(a.get("accesses").isIntegralNumber()).isTrue();
    assertThat(a.get("reason").asText()).isNotBlank();
    JsonNode b = lines.get(1);
    assertThat(b.get("name").asText()).isEqualTo("/b");
    assertThat(b.get("tier").asText()).isEqualTo("slow");
    assertThat(b.get("tier_id").asInt()).isEqualTo(1);
    assertThat(b.get("home_tier").asText()).isEqualTo("slow");
  }

  @Test
  void whereExitsOneAndNamesTheObjectsNotFound() throws Exception {
    putAOnFastAndBOnSlow();
    Result r = launch("where", "--config", conf.toString(), "/nope", "/a");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.jsonLines()).singleElement().satisfies(a -> assertThat(a.get("name").asText()).isEqualTo("/a"));
    assertThat(r.err().lines()).containsExactly("where: not found: /nope");
  }

  @Test
  void whereExitsTwoOnAnInvalidNameBeforeOpeningTheStore() {
    Result r = launch("where", "--data", dir.resolve("absent").toString(), "/a", "/x/../etc/passwd");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).singleElement().asString().startsWith("where: invalid object name");
  }

  @Test
  void whereWithoutANameIsAUsageError() {
    Result r = launch("where", "--config", conf.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void statsOfAStoreThatDoesNotExistFailsInOneLineAndCreatesNothing() {
    Path absent = dir.resolve("absent");
    Result r = launch("stats", "--data", absent.toString());
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).singleElement().asString().startsWith("stats: no store under " + absent);
    assertThat(absent).doesNotExist();
  }

  @Test
  void anInvalidConfigurationIsReportedWithTheOffendingKey() throws Exception {
    Files.writeString(conf, twoTierConfig(dir, 3_600_000).replace("\"interval_ms\": 3600000", "\"interval_ms\": -1"));
    Result r = launch("stats", "--config", conf.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().lines()).singleElement().asString().startsWith("stats: invalid configuration: ")
        .contains("interval_ms");
  }

  @Test
  void aStoreHeldOpenFailsInOneLineWithoutAStackTrace() throws Exception {
    try (ObjMapper held = ObjMapper.open(conf)) {
      for (String command : List.of("stats", "where")) {
        Result r = command.equals("stats") ? launch("stats", "--config", conf.toString())
            : launch("where", "--config", conf.toString(), "/a");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).singleElement().asString()
            .startsWith(command + ": cannot open the store: ").contains(".objmapper_index");
      }
    }
  }
}
