package io.objmapper.server;

import static io.objmapper.server.RawClient.COPY;
import static io.objmapper.server.RawClient.FDPASS;
import static io.objmapper.server.RawClient.v1;
import static io.objmapper.server.RawClient.v2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.server.RawClient.Frame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;

/** Connection limits, idle and shutdown behaviour, authorization, and the socket file's life. */
@Timeout(90)
class LimitsAndLifecycleTest {
  private static final int ALL = 0x13;

  @TempDir Path dir;
  Path root;
  Path sock;
  GatedHandler handler;
  ObjectServer server;

  @BeforeEach
  void setUp() throws Exception {
    root = TestObjects.create(dir);
    handler = new GatedHandler(root);
    sock = dir.resolve("s.sock");
  }

  @AfterEach
  void tearDown() {
    handler.openGate();
    if (server != null) {
      server.close();
    }
  }

  private ObjectServer start(Consumer<ObjectServer.Builder> config) throws Exception {
    ObjectServer.Builder b = ObjectServer.builder(handler).unixSocket(sock);
    config.accept(b);
    server = b.build().start();
    return server;
  }

  private static void expectHello(RawClient c, Frame f) throws Exception {
    assertThat(f.status()).as("status of %s", f).isZero();
    assertThat(f.u64(0x01)).isEqualTo(TestObjects.HELLO.length());
    Fds.close(c.readDescriptor());
  }

  private void awaitNoConnections() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.connectionCount() > 0 && System.nanoTime() < deadline) {
      Thread.yield();
    }
    assertThat(server.connectionCount()).as("connections still open").isZero();
  }

  private static long uidOfThisProcess() throws IOException {
    return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
  }

  // ---- connection limits --------------------------------------------------------------------

  @Test
  void aConnectionBeyondMaxConnectionsIsClosedAndOneIsAcceptedOnceASlotFrees() throws Exception {
    start(b -> b.maxConnections(1));
    try (RawClient first = RawClient.v2(sock, ALL, 10)) {
      try (RawClient extra = RawClient.connect(sock)) {
        assertThat(extra.atEof()).as("the extra connection is closed").isTrue();
      }
      first.send(v2(1, 0, FDPASS, "/hello.txt"));
      expectHello(first, first.readV2());
    }
    awaitNoConnections();
    try (RawClient next = RawClient.v2(sock, ALL, 10)) {
      next.send(v2(1, 0, FDPASS, "/hello.txt"));
      expectHello(next, next.readV2());
    }
  }

  @Test
  void anIdleV2ConnectionGetsCloseWithReasonOneThenEof() throws Exception {
    start(b -> b.idleTimeoutMillis(300));
    try (RawClient c = RawClient.v2(sock, ALL, 10)) {
      Frame close = c.readV2();
      assertThat(close.type()).isEqualTo(Frame.CLOSE);
      assertThat(close.status()).as("CLOSE reason").isEqualTo(1);
      assertThat(c.atEof()).isTrue();
    }
  }

  @Test
  void anIdleV1ConnectionIsClosedWithNothingSent() throws Exception {
    start(b -> b.idleTimeoutMillis(100));
    try (RawClient c = RawClient.connect(sock)) {
      try {
        c.send(v1(FDPASS, "/hello.txt"));
      } catch (IOException e) {
        return; // already closed as idle before the request arrived: closed, and nothing sent
      }
      // the answer to the request (if it came in time), then the end: never a CLOSE frame
      RawClient.Drained d = c.drain();
      assertThat(d.bytes().length).as("bytes: the answer or nothing").isIn(0, 11 + 22 + 1);
      assertThat(d.descriptors()).isEqualTo(d.bytes().length == 0 ? 0 : 1);
    }
  }

  @Test
  void aConnectionThatNeverSpeaksIsClosedWhenIdle() throws Exception {
    start(b -> b.idleTimeoutMillis(100));
    try (RawClient c = RawClient.connect(sock)) {
      assertThat(c.atEof()).isTrue();
    }
  }

  // ---- authorization ------------------------------------------------------------------------

  @Test
  void aRefusingAuthorizerClosesTheConnectionAndSeesThisProcessAsThePeer() throws Exception {
    CompletableFuture<PeerCredentials> seen = new CompletableFuture<>();
    start(b -> b.authorizer(peer -> {
      seen.complete(peer);
      return false;
    }));
    try (RawClient c = RawClient.connect(sock)) {
      assertThat(c.atEof()).isTrue();
    }
    PeerCredentials peer = seen.get(30, TimeUnit.SECONDS);
    assertThat(peer.pid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(peer.uid()).isEqualTo(uidOfThisProcess());
    assertThat(peer.gid()).isEqualTo(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue());
    assertThat(peer.isUnix()).isTrue();
    assertThat(server.connectionCount()).isZero();
  }

  @Test
  void anAuthorizerAllowingThisUserLetsItIn() throws Exception {
    long uid = uidOfThisProcess();
    start(b -> b.authorizer(peer -> peer.uid() == uid));
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/hello.txt"));
      expectHello(c, c.readV1());
    }
  }

  @Test
  void anAuthorizerThatThrowsRefusesThatConnectionOnly() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(b -> b.authorizer(peer -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("authorizer failed");
      }
      return true;
    }));
    try (RawClient c = RawClient.connect(sock)) {
      assertThat(c.atEof()).isTrue();
    }
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/hello.txt"));
      expectHello(c, c.readV1());
    }
  }

  // ---- shutdown -----------------------------------------------------------------------------

  @Test
  void closeTellsV2ClientsDeliversOwedAnswersAcknowledgesTheirCloseAndRemovesTheSocket() throws Exception {
    start(b -> b.shutdownGraceMillis(60_000));
    try (RawClient c = RawClient.v2(sock, ALL, 10)) {
      c.send(v2(7, 0, FDPASS, "/slow1"));
      assertThat(handler.slowEntered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
      Frame close = c.readV2();
      assertThat(close.type()).isEqualTo(Frame.CLOSE);
      assertThat(close.status()).as("CLOSE reason").isEqualTo(3);
      c.send(RawClient.close(0));
      handler.openGate();
      Frame owed = c.readV2();
      assertThat(owed.id()).isEqualTo(7);
      assertThat(owed.status()).isZero();
      Fds.close(c.readDescriptor());
      assertThat(c.readV2().type()).isEqualTo(Frame.CLOSE_ACK);
      assertThat(c.atEof()).isTrue();
      closing.get(60, TimeUnit.SECONDS);
    }
    assertThat(sock).doesNotExist();
    assertThat(server.connectionCount()).isZero();
    assertThatThrownBy(() -> RawClient.connect(sock)).isInstanceOf(IOException.class);
  }

  @Test
  void closeEndsConnectionsThatDoNotAnswerWhenTheGracePeriodEnds() throws Exception {
    start(b -> b.shutdownGraceMillis(100));
    try (RawClient v2 = RawClient.v2(sock, ALL, 10); RawClient v1 = RawClient.connect(sock)) {
      v1.send(v1(FDPASS, "/hello.txt"));
      expectHello(v1, v1.readV1());
      server.close();
      // CLOSE(3) if the announcement got there within the grace period, then the end
      assertThat(Hex.of(v2.drain().bytes())).isIn("03 03", "");
      assertThat(v1.atEof()).isTrue();
    }
    assertThat(sock).doesNotExist();
  }

  @Test
  void closeEndsAConnectionWaitingForAnAnswerThatNeverComes() throws Exception {
    start(b -> b.shutdownGraceMillis(100).requestTimeoutMillis(600_000));
    try (RawClient c = RawClient.v2(sock, ALL, 10)) {
      // the server reads CLOSE while /slow1 is owed, and waits for it
      c.send(v2(1, 0, FDPASS, "/slow1"), RawClient.close(0));
      assertThat(handler.slowEntered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
      // CLOSE(3) if the announcement got there within the grace period, then the end
      assertThat(Hex.of(c.drain().bytes())).as("closed when the grace period ends").isIn("03 03", "");
      // the connection's worker stops waiting for the owed answer once its channel is closed
      awaitNoConnections();
      handler.openGate();
      closing.get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void closeDoesNotHangOnAClientThatStopsReading() throws Exception {
    start(b -> b.shutdownGraceMillis(200));
    try (RawClient c = RawClient.v2(sock, ALL, 10)) {
      // more content than the socket buffers hold: the server blocks writing it
      c.send(v2(1, 0, COPY, "/big.bin"), v2(2, 0, COPY, "/big.bin"), v2(3, 0, COPY, "/big.bin"),
          v2(4, 0, COPY, "/big.bin"));
      CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
      closing.get(60, TimeUnit.SECONDS);
    }
    assertThat(sock).doesNotExist();
  }

  @Test
  void aClientThatStopsReadingDoesNotStopRequestTimeoutsForOthers() throws Exception {
    start(b -> b.requestTimeoutMillis(100));
    try (RawClient stuck = RawClient.v2(sock, ALL, 10); RawClient other = RawClient.v2(sock, ALL, 10)) {
      stuck.send(v2(1, 0, FDPASS, "/slow1"), v2(2, 0, COPY, "/big.bin"), v2(3, 0, COPY, "/big.bin"),
          v2(4, 0, COPY, "/big.bin"), v2(5, 0, COPY, "/big.bin"));
      assertThat(handler.slowEntered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
      other.send(v2(9, 0, FDPASS, "/slow2"));
      CompletableFuture<Frame> answer = CompletableFuture.supplyAsync(() -> {
        try {
          return other.readV2();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      assertThat(answer.get(30, TimeUnit.SECONDS).assertError(0x13).id()).isEqualTo(9);
    }
  }

  @Test
  void closeIsIdempotentAndStartTwiceIsRefused() throws Exception {
    start(b -> {});
    assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    server.close();
    server.close();
    assertThat(sock).doesNotExist();
  }

  // ---- the socket file ----------------------------------------------------------------------

  @Test
  void aStaleSocketFileLeftByADeadServerIsReplaced() throws Exception {
    AFUNIXServerSocket.bindOn(sock, false).close();
    assertThat(sock).exists();
    assertThatThrownBy(() -> RawClient.connect(sock)).as("nobody listens on the stale file").isInstanceOf(IOException.class);
    start(b -> {});
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/hello.txt"));
      expectHello(c, c.readV1());
    }
  }

  @Test
  void checkingTheAddressesBeforeStartNamesWhatIsTakenWithoutListening() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "not a socket");
    ObjectServer onFile = ObjectServer.builder(new DirectoryHandler(root)).unixSocket(file).build();
    assertThatThrownBy(onFile::checkAddresses).isInstanceOf(IOException.class).hasMessageContaining("is not a socket");
    onFile.close();
    assertThat(file).hasContent("not a socket");

    start(b -> {});
    ObjectServer second = ObjectServer.builder(new DirectoryHandler(root)).unixSocket(sock).build();
    assertThatThrownBy(second::checkAddresses).isInstanceOf(IOException.class)
        .hasMessageContaining(sock.toString()).hasMessageContaining("already listening");
    second.close();

    try (java.nio.channels.ServerSocketChannel taken = java.nio.channels.ServerSocketChannel.open()) {
      taken.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
      java.net.InetSocketAddress port = (java.net.InetSocketAddress) taken.getLocalAddress();
      ObjectServer onPort = ObjectServer.builder(new DirectoryHandler(root)).unixSocket(dir.resolve("free.sock"))
          .tcp(port).build();
      assertThatThrownBy(onPort::checkAddresses).isInstanceOf(IOException.class)
          .hasMessageContaining("cannot listen on tcp:127.0.0.1:" + port.getPort());
      onPort.close();
      ObjectServer free = ObjectServer.builder(new DirectoryHandler(root)).unixSocket(dir.resolve("free.sock"))
          .tcp(new java.net.InetSocketAddress("127.0.0.1", 0)).build();
      free.checkAddresses(); // nothing in the way, nothing left behind
      free.close();
      assertThat(dir.resolve("free.sock")).doesNotExist();
    }
  }

  @Test
  void startingWhereAnotherServerListensFailsAndLeavesThatServerAlone() throws Exception {
    start(b -> {});
    ObjectServer second = ObjectServer.builder(new DirectoryHandler(root)).unixSocket(sock).build();
    assertThatThrownBy(second::start).isInstanceOf(IOException.class)
        .hasMessageContaining(sock.toString()).hasMessageContaining("already listening");
    second.close();
    assertThat(sock).exists();
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/hello.txt"));
      expectHello(c, c.readV1());
    }
  }

  @Test
  void startingOnAFileThatIsNotASocketFailsAndLeavesTheFile() throws Exception {
    Files.writeString(sock, "not a socket");
    ObjectServer s = ObjectServer.builder(handler).unixSocket(sock).build();
    assertThatThrownBy(s::start).isInstanceOf(IOException.class).hasMessageContaining("not a socket");
    s.close();
    assertThat(sock).hasContent("not a socket");
  }

  @Test
  void theSocketFilePermissionsAreConfigurable() throws Exception {
    start(b -> b.socketPermissions(PosixFilePermissions.fromString("rw-------")));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-------");
  }

  @Test
  void theSocketFileIsGroupReadableAndWritableByDefault() throws Exception {
    start(b -> {});
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-rw----");
  }
}
