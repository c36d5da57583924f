package io.objmapper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store opened from the seed's configuration file, its backends moved under a temp dir. */
class ConfigFileTest {
  @TempDir Path dir;

  /** {@code src-test-data/config/objmapper.conf}, found through the surefire property. */
  static Path seedConfig() {
    String testData = System.getProperty("objmapper.testdata");
    assertThat(testData).as("system property objmapper.testdata").isNotBlank();
    Path file = Path.of(testData, "config", "objmapper.conf");
    assertThat(file).isRegularFile();
    return file;
  }

  private Path data() {
    return dir.resolve("data");
  }

  /** The data directory; opening a configuration under it lays out the tier roots. */
  private Path dataWithRoots() {
    return data();
  }

  @Test
  void aTierTypeOrOptionsTheTierRefusesArePointedAtInTheFile() throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("d"));
    Path unknown = java.nio.file.Files.writeString(dir.resolve("unknown.conf"), """
        {
          "backends": [
            {"name": "x", "type": "floppy", "mount_path": "%s"}
          ]
        }
        """.formatted(dir.resolve("d")));
    assertThatThrownBy(() -> ObjMapper.builder().configFile(unknown).build())
        .isInstanceOfSatisfying(ConfigurationException.class, e -> {
          assertThat(e.path()).isEqualTo("backends[0].type");
          assertThat(e.reason()).contains("unknown tier type \"floppy\"").contains("known types: ");
          assertThat(e.source()).hasValue(unknown.toString());
          assertThat(e.line()).isEqualTo(3);
          assertThat(e.column()).isPositive();
        });
    Path badOption = java.nio.file.Files.writeString(dir.resolve("option.conf"), """
        {
          "backends": [
            {"name": "x", "type": "fs", "mount_path": "%s",
             "options": {"file_mode": "rw"}}
          ]
        }
        """.formatted(dir.resolve("d")));
    assertThatThrownBy(() -> ObjMapper.builder().configFile(badOption).build())
        .isInstanceOfSatisfying(ConfigurationException.class, e -> {
          assertThat(e.path()).isEqualTo("backends[0].options");
          assertThat(e.reason()).contains("file_mode");
          assertThat(e.line()).isEqualTo(4);
        });
  }

  @Test
  void seedConfigOpensUnderAFreshDataDirectoryCreatingTheTierRoots() throws Exception {
    try (ObjMapper store = ObjMapper.open(seedConfig(), data())) {
      store.put("/fresh", new byte[] {1, 2, 3});
      assertThat(data().resolve("nvme")).isDirectory();
      assertThat(data().resolve("hdd")).isDirectory();
    }
  }

  @Test
  void seedConfigOpensItsThreeBackendsUnderTheDataDirectory() throws Exception {
    try (ObjMapper store = ObjMapper.open(seedConfig(), dataWithRoots())) {
      assertThat(store.tiers()).extracting(TierConfig::name)
          .containsExactly("Memory Cache", "NVMe Hot Tier", "HDD Cold Tier");
      assertThat(store.tiers()).extracting(TierConfig::type).containsExactly("memory", "nvme", "hdd");
      assertThat(store.tiers()).allSatisfy(t -> assertThat(t.root()).get().matches(r -> r.startsWith(data())));
      assertThat(store.tiers().get(0).has(TierFlag.EPHEMERAL)).isTrue();
      assertThat(store.tiers().get(1).has(TierFlag.PERSISTENT)).isTrue();
    }
  }

  @Test
  void statsOfTheSeedStoreListThreeTiers() throws Exception {
    try (ObjMapper store = ObjMapper.open(seedConfig(), dataWithRoots())) {
      assertThat(store.stats().tiers()).extracting(ObjMapperStats.TierStats::name)
          .containsExactly("Memory Cache", "NVMe Hot Tier", "HDD Cold Tier");
      assertThat(store.stats().tiers()).extracting(ObjMapperStats.TierStats::persistent)
          .containsExactly(false, true, true);
      assertThat(store.stats().tiers().get(1).capacityBytes()).isEqualTo(1024L * 1_000_000_000L);
    }
  }

  @Test
  void putGoesToTheFastestPersistentBackendAndOpensBack() throws Exception {
    try (ObjMapper store = ObjMapper.open(seedConfig(), dataWithRoots())) {
      assertThat(store.put("/greeting", "hello".getBytes(UTF_8)).tier()).isEqualTo("NVMe Hot Tier");
      try (ObjectLease lease = store.open("/greeting")) {
        assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("hello");
      }
      assertThat(data().resolve("nvme/greeting")).hasContent("hello");
    }
  }

  @Test
  void ephemeralPutGoesToTheSeedsMemoryBackend() throws Exception {
    try (ObjMapper store = ObjMapper.open(seedConfig(), dataWithRoots())) {
      assertThat(store.put("/secret", "token".getBytes(UTF_8), ObjectFlag.EPHEMERAL).tier())
          .isEqualTo("Memory Cache");
      assertThat(data().resolve("memory/secret")).exists();
    }
  }

  @Test
  void maxOpenFdsOfTheFileBoundsTheDescriptorCache() throws Exception {
    String text = Files.readString(seedConfig(), UTF_8).replace("\"max_open_fds\": 10000", "\"max_open_fds\": 2");
    Path config = Files.writeString(dir.resolve("small.conf"), text);
    try (ObjMapper store = ObjMapper.open(config, dataWithRoots())) {
      for (int i = 0; i < 10; i++) {
        store.put("/o" + i, new byte[] {(byte) i});
        store.open("/o" + i).close();
      }
      assertThat(store.stats().openDescriptors()).isLessThanOrEqualTo(2);
    }
  }

  @Test
  void unknownKeyFailsWithAMessageNamingIt() throws Exception {
    String text = Files.readString(seedConfig(), UTF_8).replace("\"max_open_fds\"", "\"max_open_fdz\"");
    Path config = Files.writeString(dir.resolve("bad.conf"), text);
    assertThatThrownBy(() -> ObjMapper.open(config, data()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max_open_fdz");
  }

  @Test
  void badValueFailsWithAMessageNamingItsKey() throws Exception {
    String text = Files.readString(seedConfig(), UTF_8).replace("\"perf_factor\": 3.0", "\"perf_factor\": -3.0");
    Path config = Files.writeString(dir.resolve("bad.conf"), text);
    assertThatThrownBy(() -> ObjMapper.open(config, data()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("perf_factor");
  }

  @Test
  void invalidConfigCreatesNoTierDirectory() throws Exception {
    String text = Files.readString(seedConfig(), UTF_8)
        .replace("\"flags\": [\"ephemeral\",", "\"flags\": [\"volatile\",");
    Path config = Files.writeString(dir.resolve("bad.conf"), text);
    assertThatThrownBy(() -> ObjMapper.open(config, data()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("flags");
    assertThat(data()).doesNotExist();
  }
}
