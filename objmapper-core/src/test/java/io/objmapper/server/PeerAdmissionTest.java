package io.objmapper.server;

import static io.objmapper.server.RawClient.COPY;
import static io.objmapper.server.RawClient.FDPASS;
import static io.objmapper.server.RawClient.v1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may connect, live: Unix peers by uid and gid (this process is the peer, so a list
 * without its uid stands for another user), TCP sources by address on 127.0.0.1, and the
 * rule that a TCP listener open to other hosts needs an allow list. A refused peer is closed
 * before anything is read from it: the request it sent stays unread, no byte is answered and
 * the handler never sees it. (What the refused Unix client reads is a reset or, when
 * junixsocket's shutdown before its close reaches the client first, an end of stream: both
 * happen, so either is accepted.)
 */
@Timeout(60)
class PeerAdmissionTest {
  @TempDir Path dir;
  Path sock;
  GatedHandler handler;
  ObjectServer server;
  long uid;
  long gid;

  @BeforeEach
  void setUp() throws Exception {
    handler = new GatedHandler(TestObjects.create(dir));
    sock = dir.resolve("s.sock");
    uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    gid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue();
  }

  @AfterEach
  void tearDown() {
    handler.openGate();
    if (server != null) {
      server.close();
    }
  }

  private void start(Consumer<ObjectServer.Builder> config) throws Exception {
    ObjectServer.Builder b = ObjectServer.builder(handler).unixSocket(sock);
    config.accept(b);
    server = b.build().start();
  }

  /** An id that is not {@code id} (and still a valid one). */
  private static long other(long id) {
    return id == 0 ? 1 : id - 1;
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() < deadline).as(what).isTrue();
      Thread.yield();
    }
  }

  /**
   * Sends a request on a refused Unix connection: it is either not taken at all or left
   * unread, and the connection ends (a reset, or an end of stream) without a byte answered.
   */
  private static void expectClosedUnread(RawClient c) throws IOException {
    try {
      c.send(v1(FDPASS, "/hello.txt"));
    } catch (IOException e) {
      return; // closed before the request was even sent: nothing to read
    }
    ByteBuffer b = ByteBuffer.allocate(64);
    int read;
    try {
      read = c.readOnce(b);
    } catch (IOException reset) {
      read = -1;
    }
    assertThat(read).as("the connection ends without an answer").isEqualTo(-1);
    assertThat(b.position()).as("bytes answered").isZero();
  }

  @Test
  void aUnixPeerWhoseUidAndGidAreNotListedIsClosedUnreadAndCounted() throws Exception {
    start(b -> b.allowUids(List.of(other(uid))).allowGids(List.of(other(gid))));
    try (RawClient c = RawClient.connect(sock)) {
      expectClosedUnread(c);
    }
    await("the refusal counted", () -> server.refusedCount(Refusal.UNIX_PEER) == 1);
    assertThat(server.refusedCount()).isEqualTo(1);
    assertThat(server.refusedCount(Refusal.LIMIT)).isZero();
    assertThat(handler.acquired.get()).as("requests the handler saw").isZero();
    assertThat(server.connectionCount()).isZero();
  }

  @Test
  void aUnixPeerWhoseUidIsListedIsServed() throws Exception {
    start(b -> b.allowUids(List.of(other(uid), uid)));
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/hello.txt"));
      RawClient.Frame f = c.readV1();
      assertThat(f.status()).isZero();
      Fds.close(c.readDescriptor());
    }
    assertThat(server.refusedCount()).isZero();
  }

  @Test
  void aUnixPeerWhoseGidIsListedIsServed() throws Exception {
    start(b -> b.allowUids(List.of(other(uid))).allowGids(List.of(gid)));
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/hello.txt"));
      assertThat(c.readV1().status()).isZero();
      Fds.close(c.readDescriptor());
    }
    assertThat(server.refusedCount()).isZero();
  }

  @Test
  void theSocketFileHasTheConfiguredMode() throws Exception {
    start(b -> b.socketMode(0600));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-------");
  }

  @Test
  void aTcpSourceInTheAllowListIsServed() throws Exception {
    start(b -> b.tcp(new InetSocketAddress("127.0.0.1", 0)).tcpAllow(List.of("10.0.0.0/8", "127.0.0.0/8")));
    try (Socket s = new Socket("127.0.0.1", server.tcpAddress().getPort())) {
      s.getOutputStream().write(v1(COPY, "/hello.txt"));
      InputStream in = s.getInputStream();
      byte[] header = in.readNBytes(11);
      assertThat(header[0]).as("status").isZero();
      int metaLen = ((header[9] & 0xFF) << 8) | (header[10] & 0xFF);
      in.readNBytes(metaLen);
      assertThat(new String(in.readNBytes(TestObjects.HELLO.length()), StandardCharsets.UTF_8))
          .isEqualTo(TestObjects.HELLO);
    }
    assertThat(server.refusedCount()).isZero();
  }

  @Test
  void aTcpSourceOutsideTheAllowListIsClosedUnreadAndCountedEvenOnLoopback() throws Exception {
    start(b -> b.tcp(new InetSocketAddress("127.0.0.1", 0)).tcpAllow(List.of("10.0.0.0/8")));
    try (Socket s = new Socket("127.0.0.1", server.tcpAddress().getPort())) {
      int got;
      try {
        s.getOutputStream().write(v1(COPY, "/hello.txt"));
        got = s.getInputStream().read();
      } catch (IOException e) {
        got = -1; // a reset: closed with the request unread
      }
      assertThat(got).as("nothing answered").isEqualTo(-1);
    }
    await("the refusal counted", () -> server.refusedCount(Refusal.TCP_SOURCE) == 1);
    assertThat(server.refusedCount()).isEqualTo(1);
    assertThat(handler.acquired.get()).isZero();
    // the Unix socket is not bound by the TCP list
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/hello.txt"));
      assertThat(c.readV1().status()).isZero();
      Fds.close(c.readDescriptor());
    }
  }

  @Test
  void aTcpListenerOnEveryAddressWithoutAnAllowListRefusesToStart() throws Exception {
    ObjectServer.Builder b = ObjectServer.builder(handler).unixSocket(sock).tcp(new InetSocketAddress("0.0.0.0", 0));
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("server.tcp_allow").hasMessageContaining("0.0.0.0:0");
    assertThat(sock).as("nothing was bound").doesNotExist();
    server = b.tcpAllow(List.of("127.0.0.1")).build().start();
    try (Socket s = new Socket("127.0.0.1", server.tcpAddress().getPort())) {
      s.getOutputStream().write(v1(COPY, "/hello.txt"));
      assertThat(s.getInputStream().read()).as("status").isZero();
    }
  }
}
