package io.objmapper.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.protocol.Capability;
import io.objmapper.spi.TierFlag;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The records hold configurations built in code to the rules the loader applies. */
class ConfigModelTest {
  private static final BackendConfig MEMORY = BackendConfig.of("mem", "memory", Path.of("/srv/mem"), 1);

  @Test
  void recordBuiltInCodeIsCheckedLikeAFile() {
    assertThatThrownBy(() -> new IndexConfig(16, -5, 0.9, true, 60))
        .isInstanceOf(ConfigException.class)
        .hasMessage("max_open_fds: must be > 0, was -5");
  }

  @Test
  void sectionReplacedInCodeKeepsTheOtherSections() {
    ObjMapperConfig config = ObjMapperConfig.of(List.of(MEMORY))
        .withIndex(new IndexConfig(16, 64, 0.5, false, 1));
    assertThat(config.index().maxOpenFds()).isEqualTo(64);
    assertThat(config.threadPool()).isEqualTo(ThreadPoolConfig.DEFAULTS);
  }

  @Test
  void configWithoutBackendsCannotBeBuilt() {
    assertThatThrownBy(() -> ObjMapperConfig.of(List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("backends: at least one backend is required");
  }

  @Test
  void backendListIsACopyThatCannotBeChanged() {
    List<BackendConfig> list = new ArrayList<>(List.of(MEMORY));
    ObjMapperConfig config = ObjMapperConfig.of(list);
    list.clear();
    assertThat(config.backends()).containsExactly(MEMORY);
    assertThatThrownBy(() -> config.backends().add(MEMORY))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void flagSetIsACopyThatCannotBeChanged() {
    EnumSet<TierFlag> flags = EnumSet.of(TierFlag.READABLE);
    BackendConfig b = new BackendConfig("a", "hdd", Path.of("/srv/a"), 1, 1.0, flags, false, null);
    flags.add(TierFlag.WRITABLE);
    assertThat(b.flags()).containsExactly(TierFlag.READABLE);
    assertThatThrownBy(() -> b.flags().add(TierFlag.WRITABLE))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void mountPathIsNormalized() {
    BackendConfig b = BackendConfig.of("a", "hdd", Path.of("/srv/x/../a/"), 1);
    assertThat(b.mountPath()).isEqualTo(Path.of("/srv/a"));
  }

  @Test
  void fileSystemRootIsNotAMountPath() {
    assertThatThrownBy(() -> BackendConfig.of("a", "hdd", Path.of("/"), 1))
        .isInstanceOf(ConfigException.class)
        .hasMessage("mount_path: must not be the file system root");
  }

  @Test
  void gigabytesAreDecimal() {
    assertThat(BackendConfig.gigabytesToBytes("capacity_gb", new BigDecimal("0.01")))
        .isEqualTo(10_000_000L);
    assertThat(BackendConfig.gigabytesToBytes("capacity_gb", new BigDecimal("2.5")))
        .isEqualTo(2_500_000_000L);
  }

  @Test
  void capacityReadsBackInGigabytes() {
    assertThat(BackendConfig.of("a", "hdd", Path.of("/srv/a"), 16_000_000_000L).capacityGb())
        .isEqualTo(new BigDecimal("16"));
    assertThat(BackendConfig.of("a", "hdd", Path.of("/srv/a"), 10_000_000L).capacityGb())
        .isEqualTo(new BigDecimal("0.01"));
  }

  @Test
  void capabilityMaskAndSetConvertBothWays() {
    Set<Capability> all = EnumSet.allOf(Capability.class);
    assertThat(Capability.mask(all)).isEqualTo(0x001f);
    assertThat(Capability.of(0x0013))
        .containsExactly(Capability.OOO_REPLIES, Capability.PIPELINING, Capability.SEGMENTED);
  }

  @Test
  void capabilityBitsAreThoseOfTheProtocol() {
    assertThat(Capability.OOO_REPLIES.bit()).isEqualTo(0x0001);
    assertThat(Capability.PIPELINING.bit()).isEqualTo(0x0002);
    assertThat(Capability.COMPRESSION.bit()).isEqualTo(0x0004);
    assertThat(Capability.MULTIPLEXING.bit()).isEqualTo(0x0008);
    assertThat(Capability.SEGMENTED.bit()).isEqualTo(0x0010);
  }

  @Test
  void octalPermissionsReadBackAsTheSameOctal() {
    for (String mode : List.of("0660", "0600", "0777", "0000", "0640")) {
      ServerConfig server = ServerConfig.DEFAULTS.withSocketPath(Path.of("/run/om.sock"));
      ServerConfig withMode = new ServerConfig(server.socketPath(),
          ServerConfig.parsePermissions("socket_permissions", mode), server.tcp(),
          server.maxConnections(), server.idleTimeoutMs(), server.requestTimeoutMs(),
          server.shutdownGraceMs(), server.cCompat());
      assertThat(withMode.socketPermissionsOctal()).isEqualTo(mode);
    }
  }

  @Test
  void threeDigitPermissionsMeanTheSameAsFour() {
    assertThat(ServerConfig.parsePermissions("p", "644"))
        .isEqualTo(ServerConfig.parsePermissions("p", "0644"));
  }

  @Test
  void tcpAddressesReadBackInTheirWrittenForm() {
    for (String text : List.of("127.0.0.1:7000", "localhost:0", "[::1]:65535", "[fe80::1%eth0]:80")) {
      assertThat(HostPort.parse("tcp", text).toString()).isEqualTo(text);
    }
  }

  @Test
  void bracketedTcpHostIsStoredWithoutBrackets() {
    assertThat(HostPort.parse("tcp", "[::1]:7000")).isEqualTo(new HostPort("::1", 7000));
  }

  @Test
  void problemSeenFromAnArrayElementNamesTheWholePath() {
    ConfigException e = ConfigException.invalid("flags[2]", "unknown flag \"fast\"")
        .under("backends[1]");
    assertThat(e.path()).isEqualTo("backends[1].flags[2]");
    assertThat(e.getMessage()).isEqualTo("backends[1].flags[2]: unknown flag \"fast\"");
  }

  @Test
  void contradictionSeenFromItsSectionNamesBothKeysInFull() {
    ConfigException e = ConfigException.relation("cold_threshold", 0.8, "must be <",
        "hot_threshold", 0.7).under("lifecycle");
    assertThat(e.getMessage())
        .isEqualTo("lifecycle.cold_threshold (0.8) must be < lifecycle.hot_threshold (0.7)");
  }

  @Test
  void locationAndSourceAreAddedAfterTheReason() {
    ConfigException e = ConfigException.invalid("index.max_open_fds", "must be > 0, was -5")
        .at(17, 9).in("/etc/objmapper.conf");
    assertThat(e.getMessage()).isEqualTo(
        "index.max_open_fds: must be > 0, was -5 (/etc/objmapper.conf, line 17, column 9)");
    assertThat(e.reason()).isEqualTo("index.max_open_fds: must be > 0, was -5");
  }
}
