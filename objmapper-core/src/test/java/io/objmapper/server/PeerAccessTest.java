package io.objmapper.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.internal.net.AddressRange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decisions of who may connect and who may write, on {@link PeerCredentials} values as the
 * kernel reports them (a test cannot change its own uid, so the live tests cover only the uid
 * it runs as).
 */
class PeerAccessTest {
  private static final long[] NONE = new long[0];
  private static final InetSocketAddress TCP_PEER = new InetSocketAddress("192.0.2.7", 40000);

  private static PeerCredentials unix(long uid, long gid) {
    return new PeerCredentials(1234, uid, gid, null);
  }

  private static PeerAccess allowing(long[] uids, long[] gids) {
    return new PeerAccess(uids, gids, List.of(), NONE, NONE);
  }

  @Test
  void anAddressIsShownAsHostPortWithAnIpv6LiteralInBrackets() throws Exception {
    assertThat(ObjectServer.hostPort(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 7000)))
        .isEqualTo("127.0.0.1:7000");
    assertThat(ObjectServer.hostPort(new InetSocketAddress(InetAddress.getByName("::"), 43759)))
        .isEqualTo("[0:0:0:0:0:0:0:0]:43759");
    assertThat(ObjectServer.hostPort(new InetSocketAddress(InetAddress.getByName("::1"), 80))).isEqualTo("[0:0:0:0:0:0:0:1]:80");
  }

  @Test
  void withoutAllowListsEveryUnixPeerIsAdmitted() {
    PeerAccess a = allowing(NONE, NONE);
    assertThat(a.admitsUnix(unix(0, 0))).isTrue();
    assertThat(a.admitsUnix(unix(65534, 65534))).isTrue();
    assertThat(a.admitsUnix(unix(-1, -1))).as("credentials that could not be read").isTrue();
  }

  @Test
  void aUnixPeerIsAdmittedIfItsUidOrItsGidIsListed() {
    PeerAccess a = allowing(new long[] {1000, 1001}, new long[] {50});
    assertThat(a.admitsUnix(unix(1000, 7))).isTrue();
    assertThat(a.admitsUnix(unix(1001, 7))).isTrue();
    assertThat(a.admitsUnix(unix(2000, 50))).as("by gid").isTrue();
    assertThat(a.admitsUnix(unix(2000, 51))).isFalse();
    assertThat(a.admitsUnix(unix(0, 0))).as("root is not special").isFalse();
    assertThat(a.admitsUnix(unix(-1, -1))).as("unknown credentials match no list").isFalse();
  }

  @Test
  void aGidListAloneAdmitsThatGroupOnly() {
    PeerAccess a = allowing(NONE, new long[] {50});
    assertThat(a.admitsUnix(unix(1000, 50))).isTrue();
    assertThat(a.admitsUnix(unix(1000, 49))).isFalse();
  }

  @Test
  void tcpSourcesAreAdmittedByTheAllowListOrAllWithoutOne() throws Exception {
    PeerAccess open = new PeerAccess(NONE, NONE, List.of(), NONE, NONE);
    assertThat(open.admitsTcp(InetAddress.getByName("203.0.113.1"))).isTrue();
    PeerAccess listed = new PeerAccess(NONE, NONE, AddressRange.parseAll(List.of("10.0.0.0/8", "192.0.2.7")), NONE, NONE);
    assertThat(listed.admitsTcp(InetAddress.getByName("10.9.8.7"))).isTrue();
    assertThat(listed.admitsTcp(InetAddress.getByName("192.0.2.7"))).isTrue();
    assertThat(listed.admitsTcp(InetAddress.getByName("192.0.2.8"))).isFalse();
    assertThat(listed.admitsTcp(InetAddress.getByName("127.0.0.1"))).as("a list binds loopback too").isFalse();
    assertThat(listed.admitsTcp(null)).as("a source that is no address").isFalse();
  }

  @Test
  void writersAreUnixPeersOnTheWriterListsOnly() {
    PeerAccess a = new PeerAccess(NONE, NONE, List.of(), new long[] {1000}, new long[] {60});
    assertThat(a.mayWrite(unix(1000, 1))).isTrue();
    assertThat(a.mayWrite(unix(2000, 60))).as("by gid").isTrue();
    assertThat(a.mayWrite(unix(2000, 61))).isFalse();
    assertThat(a.mayWrite(unix(-1, -1))).isFalse();
    assertThat(a.mayWrite(new PeerCredentials(-1, -1, -1, TCP_PEER))).as("TCP peers never write").isFalse();
    assertThat(a.mayWrite(new PeerCredentials(-1, 1000, 60, TCP_PEER))).as("whatever ids it claims").isFalse();
    assertThat(new PeerAccess(NONE, NONE, List.of(), NONE, NONE).mayWrite(unix(1000, 60))).as("no writers").isFalse();
  }

  @Test
  void theServerWritersDefaultToItsOwnUid() throws Exception {
    long uid = ((Number) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid")).longValue();
    RequestHandler h = uri -> {
      throw new io.objmapper.ObjectNotFoundException(uri);
    };
    ObjectServer byDefault = ObjectServer.builder(h).unixSocket(java.nio.file.Path.of("/nonexistent/s.sock")).build();
    try {
      assertThat(byDefault.mayWrite(unix(uid, 12345))).isTrue();
      assertThat(byDefault.mayWrite(unix(uid + 1, 12345))).isFalse();
      assertThat(byDefault.mayWrite(new PeerCredentials(-1, -1, -1, TCP_PEER))).isFalse();
    } finally {
      byDefault.close();
    }
    ObjectServer noUid = ObjectServer.builder(h).unixSocket(java.nio.file.Path.of("/nonexistent/s.sock"))
        .writerUids(List.of()).writerGids(List.of(12345L)).build();
    try {
      assertThat(noUid.mayWrite(unix(uid, 1))).isFalse();
      assertThat(noUid.mayWrite(unix(uid + 1, 12345))).isTrue();
    } finally {
      noUid.close();
    }
  }

  @Test
  void aNonLoopbackTcpListenerNeedsAnAllowList() throws Exception {
    PeerAccess.checkTcpListener(null, List.of());
    PeerAccess.checkTcpListener(new InetSocketAddress("127.0.0.1", 0), List.of());
    PeerAccess.checkTcpListener(new InetSocketAddress("::1", 0), List.of());
    PeerAccess.checkTcpListener(new InetSocketAddress("0.0.0.0", 0), AddressRange.parseAll(List.of("10.0.0.0/8")));
    for (InetSocketAddress open : List.of(new InetSocketAddress("0.0.0.0", 0), new InetSocketAddress("::", 7000),
        new InetSocketAddress("192.0.2.1", 7000), InetSocketAddress.createUnresolved("example.invalid", 7000))) {
      assertThatThrownBy(() -> PeerAccess.checkTcpListener(open, List.of())).as("%s", open)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("server.tcp_allow").hasMessageContaining("--tcp-allow");
    }
  }

  @Test
  void messagesNameTheKeyThatWouldAllow() {
    assertThat(PeerAccess.notAWriter(unix(1000, 100), "create /a")).contains("uid 1000", "server.writer_uids",
        "server.writer_gids", "create /a");
    assertThat(PeerAccess.notAWriter(new PeerCredentials(-1, -1, -1, TCP_PEER), "delete /a"))
        .contains("never write", "delete /a");
    assertThat(PeerAccess.refusalText(Refusal.UNIX_PEER, unix(1000, 100)))
        .contains("uid 1000", "server.allow_uids", "server.allow_gids");
    assertThat(PeerAccess.refusalText(Refusal.TCP_SOURCE, new PeerCredentials(-1, -1, -1, TCP_PEER)))
        .contains("192.0.2.7", "server.tcp_allow");
  }

  @Test
  void badIdsAndRangesAreRefusedByTheBuilder() {
    ObjectServer.Builder b = ObjectServer.builder(uri -> null);
    assertThatThrownBy(() -> b.allowUids(List.of(-1L))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a uid: -1");
    assertThatThrownBy(() -> b.allowGids(List.of(1L << 32))).hasMessageContaining("not a gid");
    assertThatThrownBy(() -> b.writerUids(java.util.Arrays.asList((Long) null))).hasMessageContaining("not a uid");
    assertThatThrownBy(() -> b.writerGids(List.of(-2L))).hasMessageContaining("not a gid");
    assertThatThrownBy(() -> b.tcpAllow(List.of("example.com"))).hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> b.socketMode(01777)).hasMessageContaining("1777");
    assertThatThrownBy(() -> b.socketMode(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
