package io.objmapper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.server.ObjectServer;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ObjMapper.Builder}: what build() opens, and that building changes nothing. */
class BuilderTest {
  @TempDir Path dir;

  private Path seedCopy() throws Exception {
    return Files.copy(ConfigFileTest.seedConfig(), dir.resolve("objmapper.conf"));
  }

  private static TierConfig extra(Path root) {
    return TierConfig.builder().name("extra").type("fs").root(root)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).perfFactor(50).build();
  }

  @Test
  void aSecondBuildOpensTheSameTiersWithTheSameSettings() throws Exception {
    ObjMapper.Builder b = ObjMapper.builder().configFile(seedCopy()).dataDirectory(dir.resolve("data"))
        .maxOpenFds(2).backgroundRounds(false);
    List<TierConfig> first;
    try (ObjMapper store = b.build()) {
      first = store.tiers();
      for (int i = 0; i < 5; i++) {
        store.put("/o" + i, new byte[] {(byte) i});
        store.open("/o" + i).close();
      }
      assertThat(store.stats().openDescriptors()).isLessThanOrEqualTo(2);
    }
    assertThat(b.tiers()).isEqualTo(first);
    try (ObjMapper again = b.build()) {
      assertThat(again.tiers()).isEqualTo(first);
      assertThat(again.tiers()).allSatisfy(t -> assertThat(t.root()).get().matches(r -> r.startsWith(dir.resolve("data"))));
      assertThat(again.open("/o3").readAllBytes()).containsExactly(3);
      for (int i = 0; i < 5; i++) {
        again.open("/o" + i).close();
      }
      assertThat(again.stats().openDescriptors()).isLessThanOrEqualTo(2);
    }
  }

  @Test
  void aTierAddedAfterTheConfigFileIsKeptAfterTheFilesTiers() throws Exception {
    Path extraRoot = Files.createDirectories(dir.resolve("extra"));
    ObjMapper.Builder b = ObjMapper.builder().configFile(seedCopy()).dataDirectory(dir.resolve("data"))
        .tier(TestStores.migratable(extra(extraRoot))).backgroundRounds(false);
    try (ObjMapper store = b.build()) {
      assertThat(store.tiers()).extracting(TierConfig::name)
          .containsExactly("Memory Cache", "NVMe Hot Tier", "HDD Cold Tier", "extra");
      assertThat(store.tiers()).extracting(TierConfig::id).containsExactly(0, 1, 2, 3);
      assertThat(store.tiers().get(3).root()).contains(extraRoot); // not moved under the data directory
      assertThat(store.move(store.put("/x", "x".getBytes(UTF_8)).name(), "extra").tier()).isEqualTo("extra");
    }
  }

  @Test
  void aTierAddedBeforeTheConfigFileIsKeptToo() throws Exception {
    Path extraRoot = Files.createDirectories(dir.resolve("extra"));
    ObjMapper.Builder b = ObjMapper.builder().tier(extra(extraRoot)).configFile(seedCopy())
        .dataDirectory(dir.resolve("data"));
    assertThat(b.tiers()).extracting(TierConfig::name)
        .containsExactly("Memory Cache", "NVMe Hot Tier", "HDD Cold Tier", "extra");
  }

  @Test
  void aSecondConfigFileReplacesTheFirstsTiers() throws Exception {
    Path seed = seedCopy();
    Path one = Files.writeString(dir.resolve("one.conf"), """
        {"backends": [{"name": "only", "type": "fs", "mount_path": "/srv/only", "capacity_gb": 1}]}
        """);
    ObjMapper.Builder b = ObjMapper.builder().configFile(seed).configFile(one);
    assertThat(b.tiers()).extracting(TierConfig::name).containsExactly("only");
  }

  @Test
  void settersAfterTheConfigFileOverrideItAndBuildingKeepsThem() throws Exception {
    ObjMapper.Builder b = ObjMapper.builder().configFile(seedCopy()).dataDirectory(dir.resolve("data"))
        .lifecycle(LifecyclePolicy.builder().intervalMillis(123).build()).backgroundRounds(false);
    b.build().close();
    try (ObjMapper store = b.build()) {
      assertThat(store.tiers()).hasSize(3);
    }
    assertThat(b.lifecycle.intervalMillis()).isEqualTo(123);
  }

  @Test
  void aFailedBuildLeavesTheBuilderUsable() throws Exception {
    ObjMapper.Builder b = ObjMapper.builder();
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("no tiers");
    b.tier(TestStores.memory(dir));
    try (ObjMapper store = b.build()) {
      assertThat(store.tiers()).extracting(TierConfig::name).containsExactly("mem");
    }
  }

  @Test
  void aDataDirectoryWithoutAConfigFileIsRefusedAtBuild() {
    ObjMapper.Builder b = ObjMapper.builder().tier(TestStores.memory(dir)).dataDirectory(dir.resolve("data"));
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("configFile");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void theFilesServerSectionsReachTheServerBuilderAsItsSetters() throws Exception {
    String text = Files.readString(ConfigFileTest.seedConfig(), UTF_8)
        .replace("\"max_workers\": 100", "\"max_workers\": 3").replace("\"min_workers\": 10", "\"min_workers\": 1");
    Path config = Files.writeString(dir.resolve("small.conf"), text);
    try (ObjMapper store = ObjMapper.builder().configFile(config).dataDirectory(dir.resolve("data"))
        .backgroundRounds(false).build()) {
      // the file says 3 workers: 4 connections are refused by the server builder's own check
      ObjectServer.Builder server = store.server().unixSocket(dir.resolve("s.sock"));
      assertThatThrownBy(() -> server.maxConnections(4).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxWorkers (3)");
    }
  }
}
