package io.objmapper.internal.config;

import static io.objmapper.internal.config.TestConfigs.withBackendAnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The {@code server} keys of who may connect and who may write: each is read, each default
 * holds when it is left out, and each bad value is refused naming the key (and element).
 */
class PeerAccessConfigTest {
  private static ServerConfig server(String section) {
    return ObjMapperConfig.parse(withBackendAnd("\"server\": " + section)).server();
  }

  private static ConfigException failure(String section) {
    try {
      ServerConfig accepted = server(section);
      return fail("expected a ConfigException, but the section was accepted as " + accepted);
    } catch (ConfigException e) {
      return e;
    }
  }

  @Test
  void leftOutEveryPeerConnectsLoopbackTcpIsOpenAndTheServersOwnUidWrites() {
    PeerAccessConfig a = server("{}").access();
    assertThat(a).isEqualTo(PeerAccessConfig.DEFAULTS);
    assertThat(a.allowUids()).isEmpty();
    assertThat(a.allowGids()).isEmpty();
    assertThat(a.tcpAllow()).isEmpty();
    assertThat(a.writerUids()).as("empty: the server's own uid").isEmpty();
    assertThat(a.writerGids()).isEmpty();
  }

  @Test
  void everyKeyIsRead() {
    ServerConfig s = server("""
        {"allow_uids": [1000, 0], "allow_gids": [50], "tcp_allow": ["10.0.0.0/8", "192.0.2.7", "fd00::/8"],
         "writer_uids": [1000], "writer_gids": [60, 61], "socket_permissions": "0600"}""");
    assertThat(s.access()).isEqualTo(new PeerAccessConfig(List.of(1000L, 0L), List.of(50L),
        List.of("10.0.0.0/8", "192.0.2.7", "fd00::/8"), Optional.of(List.of(1000L)), List.of(60L, 61L)));
    assertThat(s.socketPermissionsOctal()).isEqualTo("0600");
  }

  @Test
  void anEmptyWriterUidListMeansNoUidWrites() {
    assertThat(server("{\"writer_uids\": []}").access().writerUids()).contains(List.of());
  }

  @Test
  void theServerSettingsCarryThem() {
    ObjMapperConfig c = ObjMapperConfig.parse(withBackendAnd(
        "\"server\": {\"allow_gids\": [5], \"tcp_allow\": [\"127.0.0.1\"], \"writer_gids\": [6]}"));
    ServerSettings s = c.serverSettings();
    assertThat(s.access().allowGids()).containsExactly(5L);
    assertThat(s.access().tcpAllow()).containsExactly("127.0.0.1");
    assertThat(s.access().writerGids()).containsExactly(6L);
  }

  @Test
  void theOtherWithersKeepThem() {
    PeerAccessConfig a = new PeerAccessConfig(List.of(1L), List.of(), List.of(), Optional.empty(), List.of());
    ServerConfig s = ServerConfig.DEFAULTS.withAccess(a);
    assertThat(s.withSocketPath(java.nio.file.Path.of("/tmp/o.sock")).access()).isEqualTo(a);
    assertThat(s.withTcp(null).access()).isEqualTo(a);
    assertThat(s.withSharedFdUids(List.of()).access()).isEqualTo(a);
  }

  @Test
  void aNegativeUidIsRefusedNamingTheElement() {
    ConfigException e = failure("{\"allow_uids\": [1000, -1]}");
    assertThat(e.path()).isEqualTo("server.allow_uids[1]");
    assertThat(e.reason()).isEqualTo("server.allow_uids[1]: must be a uid (0 to 4294967295), was -1");
  }

  @Test
  void aGidAboveThirtyTwoBitsIsRefusedNamingTheElement() {
    assertThat(failure("{\"allow_gids\": [4294967296]}").path()).isEqualTo("server.allow_gids[0]");
    assertThat(failure("{\"writer_gids\": [-7]}").path()).isEqualTo("server.writer_gids[0]");
  }

  @Test
  void aBadWriterUidIsRefusedNamingTheElement() {
    assertThat(failure("{\"writer_uids\": [0, 4294967296]}").path()).isEqualTo("server.writer_uids[1]");
  }

  @Test
  void aUidThatIsNotANumberIsRefusedNamingTheKey() {
    assertThat(failure("{\"allow_uids\": [\"alice\"]}").getMessage()).contains("server.allow_uids");
    assertThat(failure("{\"writer_uids\": \"0\"}").getMessage()).contains("server.writer_uids");
  }

  @Test
  void aRangeThatIsNoCidrIsRefusedNamingTheElement() {
    ConfigException e = failure("{\"tcp_allow\": [\"10.0.0.0/8\", \"example.com\"]}");
    assertThat(e.path()).isEqualTo("server.tcp_allow[1]");
    assertThat(e.reason()).startsWith("server.tcp_allow[1]: must be a CIDR range").contains("example.com");
    assertThat(failure("{\"tcp_allow\": [\"10.0.0.0/33\"]}").reason()).contains("prefix length not in 0..32");
    assertThat(failure("{\"tcp_allow\": [null]}").path()).isEqualTo("server.tcp_allow[0]");
    assertThat(failure("{\"tcp_allow\": \"10.0.0.0/8\"}").getMessage()).contains("server.tcp_allow");
  }

  @Test
  void aNullListIsRefusedNamingTheKey() {
    assertThat(failure("{\"allow_uids\": null}").path()).isEqualTo("server.allow_uids");
    assertThat(failure("{\"writer_gids\": null}").path()).isEqualTo("server.writer_gids");
  }

  @Test
  void aSocketModeThatIsNotOctalIsRefusedNamingTheKey() {
    assertThat(failure("{\"socket_permissions\": \"rw-rw----\"}").path()).isEqualTo("server.socket_permissions");
  }
}
