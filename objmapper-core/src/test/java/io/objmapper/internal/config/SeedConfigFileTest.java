package io.objmapper.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.protocol.Capability;
import io.objmapper.spi.TierFlag;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seed document's example file loads unchanged and means what it says. */
class SeedConfigFileTest {
  private final ObjMapperConfig config = ObjMapperConfig.load(TestConfigs.seedFile());

  @Test
  void threadPoolIsReadFromTheFile() {
    assertThat(config.threadPool()).isEqualTo(new ThreadPoolConfig(10, 100, 2_097_152));
  }

  @Test
  void protocolIsVersionTwoWithPipelineOneHundred() {
    assertThat(config.protocol().version()).isEqualTo(2);
    assertThat(config.protocol().maxPipeline()).isEqualTo(100);
  }

  @Test
  void capabilityNamesBecomeTheirBitMask() {
    assertThat(config.protocol().capabilities())
        .containsExactly(Capability.OOO_REPLIES, Capability.PIPELINING);
    assertThat(config.protocol().capabilityMask()).isEqualTo(0x0001 | 0x0002);
  }

  @Test
  void indexIsReadFromTheFile() {
    assertThat(config.index()).isEqualTo(new IndexConfig(1_048_576, 10_000, 0.9, true, 60));
  }

  @Test
  void backendsKeepFileOrderNamesAndTypes() {
    assertThat(config.backends()).extracting(BackendConfig::name)
        .containsExactly("Memory Cache", "NVMe Hot Tier", "HDD Cold Tier");
    assertThat(config.backends()).extracting(BackendConfig::type)
        .containsExactly("memory", "nvme", "hdd");
  }

  @Test
  void capacityInGigabytesBecomesDecimalBytes() {
    assertThat(config.backends()).extracting(BackendConfig::capacityBytes)
        .containsExactly(16_000_000_000L, 1_024_000_000_000L, 10_240_000_000_000L);
  }

  @Test
  void perfFactorsAreReadFromTheFile() {
    assertThat(config.backends()).extracting(BackendConfig::perfFactor)
        .containsExactly(1.0, 3.0, 80.0);
  }

  @Test
  void flagsAreReadFromTheFileIncludingTheOneSplitOverTwoLines() {
    assertThat(config.backends().get(0).flags()).containsExactlyInAnyOrder(
        TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE);
    assertThat(config.backends().get(1).flags()).containsExactlyInAnyOrder(
        TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE,
        TierFlag.MIGRATION_SRC, TierFlag.MIGRATION_DST);
    assertThat(config.backends().get(2).flags()).containsExactlyInAnyOrder(
        TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE,
        TierFlag.MIGRATION_DST);
  }

  @Test
  void pathsAndIndexPersistenceAreReadFromTheFile() {
    BackendConfig memory = config.backends().get(0);
    BackendConfig nvme = config.backends().get(1);
    assertThat(memory.mountPath()).isEqualTo(Path.of("/mnt/objmapper/memory"));
    assertThat(memory.persistIndex()).isFalse();
    assertThat(nvme.mountPath()).isEqualTo(Path.of("/mnt/objmapper/nvme"));
    assertThat(nvme.persistIndex()).isTrue();
    assertThat(nvme.indexPath()).isEqualTo(Path.of("/mnt/objmapper/nvme/.objmapper_index"));
    assertThat(config.backends().get(2).indexPath())
        .isEqualTo(Path.of("/mnt/objmapper/hdd/.objmapper_index"));
  }

  @Test
  void lifecycleIsReadFromTheFileWithTheDefaultRoundInterval() {
    assertThat(config.lifecycle())
        .isEqualTo(new LifecycleConfig(0.7, 0.3, 0.95, 0.85, 3600, 100, 10_000, 50_000));
  }

  @Test
  void sectionsTheFileLeavesOutGetTheirDefaults() {
    assertThat(config.server()).isEqualTo(ServerConfig.DEFAULTS);
  }

  @Test
  void seedValuesAreTheDefaultsOfTheSectionsItSetsButTheStackSizeAndCapabilities() {
    // The defaults are the builders' (one per setting); the seed file sets a 2 MiB stack and
    // leaves SEGMENTED out of its capabilities.
    ObjMapperConfig defaults = ObjMapperConfig.of(List.of(config.backends().get(0)))
        .withThreadPool(new ThreadPoolConfig(10, 100, 2 * 1024 * 1024))
        .withProtocol(new ProtocolConfig(2, 100, java.util.Set.of(Capability.OOO_REPLIES, Capability.PIPELINING)));
    assertThat(config.withBackends(defaults.backends())).isEqualTo(defaults);
  }

}
