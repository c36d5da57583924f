package io.objmapper.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.protocol.Capability;
import io.objmapper.spi.TierFlag;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A document that sets only what is required gets the documented default for the rest. */
class ConfigDefaultsTest {
  private final ObjMapperConfig config = ObjMapperConfig.parse("""
      {"backends": [{"name": "m", "type": "memory", "mount_path": "/srv/m", "capacity_gb": 1}]}
      """);

  @Test
  void threadPoolDefaultsToTheServerBuildersWorkersAndTheJvmStack() {
    assertThat(config.threadPool()).isEqualTo(new ThreadPoolConfig(10, 100, 0));
    assertThat(config.threadPool().minWorkers()).isEqualTo(io.objmapper.server.ObjectServer.DEFAULT_MIN_WORKERS);
    assertThat(config.threadPool().maxWorkers()).isEqualTo(io.objmapper.server.ObjectServer.DEFAULT_MAX_WORKERS);
  }

  @Test
  void protocolDefaultsToVersionTwoWithEverySupportedCapability() {
    assertThat(config.protocol()).isEqualTo(ProtocolConfig.DEFAULTS);
    assertThat(config.protocol().capabilities())
        .containsExactlyInAnyOrder(Capability.OOO_REPLIES, Capability.PIPELINING, Capability.SEGMENTED);
    assertThat(config.protocol().capabilityMask()).isEqualTo(io.objmapper.protocol.Capabilities.SUPPORTED);
    assertThat(config.protocol().maxPipeline()).isEqualTo(100);
  }

  @Test
  void indexDefaultsToTheSeedValues() {
    assertThat(config.index()).isEqualTo(new IndexConfig(1 << 20, 10_000, 0.9, true, 60));
  }

  @Test
  void lifecycleDefaultsToTheSeedValuesAndATenSecondRound() {
    assertThat(config.lifecycle())
        .isEqualTo(new LifecycleConfig(0.7, 0.3, 0.95, 0.85, 3600, 100, 10_000, 50_000));
  }

  @Test
  void serverDefaultsToAPrivateSocketInTmpWithoutTcp() {
    ServerConfig server = config.server();
    assertThat(server.socketPath()).isEqualTo(Path.of("/tmp/objmapper.sock"));
    assertThat(server.socketPermissions()).isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
    assertThat(server.tcp()).isEmpty();
    assertThat(server.maxConnections()).isEqualTo(8192);
    assertThat(server.maxConnectionsPerPeer()).isEqualTo(4096);
    assertThat(server.writeTimeoutMs()).isEqualTo(10_000);
    assertThat(server.ioThreads()).as("picked from the processors").isZero();
    assertThat(server.idleTimeoutMs()).isEqualTo(300_000);
    assertThat(server.requestTimeoutMs()).isEqualTo(30_000);
    assertThat(server.shutdownGraceMs()).isEqualTo(5_000);
    assertThat(server.cCompat()).isFalse();
  }

  @Test
  void backendDefaultsToReadableWritableUnitCostAndNoPersistedIndex() {
    BackendConfig backend = config.backends().get(0);
    assertThat(backend.flags()).containsExactlyInAnyOrder(TierFlag.READABLE, TierFlag.WRITABLE);
    assertThat(backend.perfFactor()).isEqualTo(1.0);
    assertThat(backend.persistIndex()).isFalse();
    assertThat(backend.indexPath()).isEqualTo(Path.of("/srv/m/.objmapper_index"));
  }

  @Test
  void aBackendWithoutCapacityIsUnlimitedAndAMemoryOneNeedsNoMountPath() {
    ObjMapperConfig minimal = ObjMapperConfig.parse("""
        {"backends": [{"name": "m", "type": "memory", "flags": ["ephemeral", "readable", "writable"]},
                      {"name": "d", "type": "nvme", "mount_path": "/srv/d"}]}
        """);
    BackendConfig memory = minimal.backends().get(0);
    assertThat(memory.mountPath()).isNull();
    assertThat(memory.capacityBytes()).isEqualTo(io.objmapper.spi.TierConfig.UNLIMITED);
    assertThat(minimal.tierConfigs().get(0).root()).as("a private folder in /dev/shm, made at open").isEmpty();
    assertThat(minimal.backends().get(1).capacityBytes()).isEqualTo(io.objmapper.spi.TierConfig.UNLIMITED);
    assertThat(minimal.withDataDirectory(Path.of("/tmp/x")).backends().get(0).mountPath())
        .as("--data moves the tiers that have a folder").isNull();
  }

  @Test
  void emptySectionsAreTheSameAsMissingOnes() {
    ObjMapperConfig withEmpty = ObjMapperConfig.parse(TestConfigs.withBackendAnd("""
          "thread_pool": {}, "protocol": {}, "index": {}, "lifecycle": {}, "server": {}"""));
    assertThat(withEmpty.withBackends(config.backends())).isEqualTo(config);
  }

  @Test
  void everyServerKeyIsRead() {
    ServerConfig server = ObjMapperConfig.parse(TestConfigs.withBackendAnd("""
          "server": {"socket_path": "/run/objmapper/om.sock", "socket_permissions": "0600",
            "tcp": "[::1]:7000", "max_connections": 8, "idle_timeout_ms": 0,
            "request_timeout_ms": 250, "shutdown_grace_ms": 1, "c_compat": true,
            "max_connections_per_peer": 3, "write_timeout_ms": 70, "io_threads": 2}""")).server();
    assertThat(server).isEqualTo(new ServerConfig(Path.of("/run/objmapper/om.sock"),
        PosixFilePermissions.fromString("rw-------"), Optional.of(new HostPort("::1", 7000)), 8,
        0, 250, 1, true, 3, 70, 2));
  }

  @Test
  void everyDefaultIsTheOneOfTheBuilderTheKeyFeeds() {
    assertThat(config.index().maxOpenFds()).isEqualTo(io.objmapper.ObjMapper.Builder.DEFAULT_MAX_OPEN_FDS);
    assertThat(config.index().fdEvictThreshold()).isEqualTo(io.objmapper.ObjMapper.Builder.DEFAULT_FD_EVICT_THRESHOLD);
    assertThat(config.index().globalBuckets()).isEqualTo(io.objmapper.ObjMapper.Builder.DEFAULT_GLOBAL_INDEX_ENTRIES);
    assertThat(config.lifecycle().policy()).usingRecursiveComparison()
        .isEqualTo(io.objmapper.LifecyclePolicy.defaults());
    assertThat(config.protocol().maxPipeline()).isEqualTo(io.objmapper.server.ObjectServer.DEFAULT_MAX_PIPELINE);
    assertThat(config.server().idleTimeoutMs()).isEqualTo(io.objmapper.server.ObjectServer.DEFAULT_IDLE_TIMEOUT_MILLIS);
    assertThat(config.server().requestTimeoutMs())
        .isEqualTo(io.objmapper.server.ObjectServer.DEFAULT_REQUEST_TIMEOUT_MILLIS);
    assertThat(config.server().shutdownGraceMs())
        .isEqualTo(io.objmapper.server.ObjectServer.DEFAULT_SHUTDOWN_GRACE_MILLIS);
    io.objmapper.spi.TierConfig tier = config.tierConfigs().get(0);
    assertThat(tier.perfFactor()).isEqualTo(1.0);
    assertThat(tier.flags()).containsExactlyInAnyOrder(TierFlag.READABLE, TierFlag.WRITABLE);
  }

  @Test
  void lifecycleIntervalIsReadBesideTheSeedKeys() {
    LifecycleConfig lifecycle = ObjMapperConfig.parse(TestConfigs.withBackendAnd(
        "  \"lifecycle\": {\"interval_ms\": 250}")).lifecycle();
    assertThat(lifecycle.intervalMs()).isEqualTo(250);
    assertThat(lifecycle.hotThreshold()).isEqualTo(0.7);
  }

  @Test
  void maxPendingPutsDefaultsToTheServerBuildersAndIsReadAndChecked() {
    assertThat(config.serverSettings().maxPendingPuts()).isEqualTo(ServerDefaults.MAX_PENDING_PUTS).isEqualTo(1024);
    ObjMapperConfig two = ObjMapperConfig.parse(TestConfigs.withBackendAnd("  \"server\": {\"max_pending_puts\": 2}"));
    assertThat(two.serverSettings().maxPendingPuts()).isEqualTo(2);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ObjMapperConfig.parse(TestConfigs.withBackendAnd(
        "  \"server\": {\"max_pending_puts\": 0}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("server.max_pending_puts");
  }

  @Test
  void idleSpinDefaultsToTheServerBuildersAndIsReadAndChecked() {
    assertThat(config.serverSettings().idleSpinMicros())
        .isEqualTo(io.objmapper.server.ObjectServer.DEFAULT_IDLE_SPIN_MICROS).isEqualTo(20);
    ObjMapperConfig off = ObjMapperConfig.parse(TestConfigs.withBackendAnd("  \"server\": {\"idle_spin_us\": 0}"));
    assertThat(off.serverSettings().idleSpinMicros()).isZero();
    ObjMapperConfig most = ObjMapperConfig.parse(TestConfigs.withBackendAnd("  \"server\": {\"idle_spin_us\": 1000}"));
    assertThat(most.serverSettings().idleSpinMicros()).isEqualTo(1000);
    for (String bad : new String[] {"-1", "1001"}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ObjMapperConfig.parse(TestConfigs.withBackendAnd(
          "  \"server\": {\"idle_spin_us\": " + bad + "}")))
          .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("server.idle_spin_us");
    }
  }

  @Test
  void aLifecycleIntervalOfZeroRunsNoBackgroundRoundsAndANegativeOneIsRefused() {
    ObjMapperConfig none = ObjMapperConfig.parse(TestConfigs.withBackendAnd("  \"lifecycle\": {\"interval_ms\": 0}"));
    assertThat(none.lifecycle().intervalMs()).isZero();
    assertThat(none.lifecycle().policy().intervalMillis()).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ObjMapperConfig.parse(TestConfigs.withBackendAnd(
        "  \"lifecycle\": {\"interval_ms\": -1}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("lifecycle.interval_ms");
  }
}
