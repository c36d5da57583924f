package io.objmapper.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code server.shared_fd_uids}: who may negotiate SHARED_FD. */
class SharedFdUidsConfigTest {
  @Test
  void missingMeansTheDefaultTheServersOwnUid() {
    ServerConfig server = ObjMapperConfig.parse(TestConfigs.withBackendAnd("\"server\": {}")).server();
    assertThat(server.sharedFdUids()).isEmpty();
  }

  @Test
  void listedUidsAreRead() {
    ServerConfig server = ObjMapperConfig.parse(TestConfigs.withBackendAnd(
        "\"server\": {\"shared_fd_uids\": [1000, 0]}")).server();
    assertThat(server.sharedFdUids()).contains(List.of(1000L, 0L));
  }

  @Test
  void anEmptyListTrustsNobody() {
    ServerConfig server = ObjMapperConfig.parse(TestConfigs.withBackendAnd(
        "\"server\": {\"shared_fd_uids\": []}")).server();
    assertThat(server.sharedFdUids()).contains(List.of());
  }

  @Test
  void aNegativeUidIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> ObjMapperConfig.parse(TestConfigs.withBackendAnd(
        "\"server\": {\"shared_fd_uids\": [-1]}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("shared_fd_uids");
  }

  @Test
  void aUidAboveThirtyTwoBitsIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> ObjMapperConfig.parse(TestConfigs.withBackendAnd(
        "\"server\": {\"shared_fd_uids\": [4294967296]}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("shared_fd_uids");
  }

  @Test
  void withSharedFdUidsKeepsTheOtherKeys() {
    ServerConfig d = ServerConfig.DEFAULTS.withSharedFdUids(List.of(7L));
    assertThat(d.sharedFdUids()).isEqualTo(Optional.of(List.of(7L)));
    assertThat(d.withSocketPath(java.nio.file.Path.of("/tmp/x.sock")).sharedFdUids()).contains(List.of(7L));
    assertThat(d.socketPermissions()).isEqualTo(ServerConfig.DEFAULTS.socketPermissions());
  }
}
