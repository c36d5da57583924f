package io.objmapper.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.objmapper.ObjMapperException;
import io.objmapper.ObjectNotFoundException;
import io.objmapper.StorageException;
import io.objmapper.protocol.Capabilities;
import io.objmapper.protocol.Capability;
import io.objmapper.protocol.Mode;
import io.objmapper.protocol.RequestFlag;
import io.objmapper.protocol.Status;
import io.objmapper.server.DirectoryHandler;
import io.objmapper.server.Fds;
import io.objmapper.server.GatedHandler;
import io.objmapper.server.ObjectServer;
import io.objmapper.server.RequestHandler;
import io.objmapper.server.ServedObject;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Java client against the real server, and against a scripted one for what a real server does not do. */
@Timeout(60)
class ObjMapperClientTest {
  private static final String HELLO = "hello world";

  @TempDir Path dir;
  Path root;
  Path sock;
  GatedHandler gated;
  ObjectServer server;

  @BeforeEach
  void setUp() throws Exception {
    root = Files.createDirectories(dir.resolve("objects"));
    Files.writeString(root.resolve("hello.txt"), HELLO);
    Files.writeString(root.resolve("slow1"), "slow object 1");
    byte[] big = new byte[200_000];
    new Random(3).nextBytes(big);
    Files.write(root.resolve("big.bin"), big);
    gated = new GatedHandler(root);
    sock = dir.resolve("s.sock");
  }

  @AfterEach
  void tearDown() {
    gated.openGate();
    if (server != null) {
      server.close();
    }
  }

  private void start(RequestHandler handler, Consumer<ObjectServer.Builder> config) throws Exception {
    ObjectServer.Builder b = ObjectServer.builder(handler).unixSocket(sock);
    config.accept(b);
    server = b.build().start();
  }

  private ObjMapperClient connect(int version) throws IOException {
    return ObjMapperClient.unix(sock).version(version).connect();
  }

  /** Fails each name under /err/ with the exception its name says. */
  private RequestHandler failing() {
    DirectoryHandler dirHandler = new DirectoryHandler(root);
    return new RequestHandler() {
      @Override
      public ServedObject acquire(String uri) {
        switch (uri) {
          case "/err/storage":
            throw new StorageException("disk on fire", null);
          case "/err/unavailable":
            throw new ObjMapperException(io.objmapper.ErrorCode.UNAVAILABLE, "tier offline");
          case "/err/timeout":
            throw new ObjMapperException(io.objmapper.ErrorCode.TIMEOUT, "too slow");
          case "/err/boom":
            throw new IllegalStateException("handler bug");
          default:
            return dirHandler.acquire(uri);
        }
      }
    };
  }

  private static Status statusOf(Throwable t) {
    assertThat(t).isInstanceOf(ObjMapperException.class);
    return Status.valueOf(((ObjMapperException) t).code().name()); // the wire status of that name
  }

  // ---- errors ---------------------------------------------------------------------------------

  @ParameterizedTest(name = "V{0}")
  @ValueSource(ints = {1, 2})
  void errorStatusesBecomeTypedExceptionsAndTheClientGoesOn(int version) throws Exception {
    start(failing(), b -> {});
    try (ObjMapperClient c = connect(version)) {
      assertThat(catchThrowable(() -> c.get("/missing"))).isInstanceOf(ObjectNotFoundException.class);
      Throwable storage = catchThrowable(() -> c.get("/err/storage"));
      assertThat(storage).isInstanceOf(StorageException.class).hasMessageContaining("disk on fire");
      assertThat(statusOf(catchThrowable(() -> c.get("/err/unavailable")))).isEqualTo(Status.UNAVAILABLE);
      assertThat(statusOf(catchThrowable(() -> c.get("/err/timeout")))).isEqualTo(Status.TIMEOUT);
      Throwable boom = catchThrowable(() -> c.get("/err/boom"));
      assertThat(statusOf(boom)).isEqualTo(Status.INTERNAL_ERROR);
      assertThat(boom).hasMessageNotContaining("handler bug");
      assertThat(statusOf(catchThrowable(() -> c.get("/a//b")))).isEqualTo(Status.INVALID_REQUEST);
      assertThat(statusOf(catchThrowable(() -> c.get("/err/../hello.txt", Mode.COPY))))
          .isEqualTo(Status.INVALID_REQUEST);
      try (RemoteObject o = c.get("/hello.txt")) {
        assertThat(new String(o.bytes(), StandardCharsets.UTF_8)).isEqualTo(HELLO);
      }
    }
  }

  @Test
  void segmentedModeWithoutTheCapabilityIsATypedInvalidMode() throws Exception {
    start(failing(), b -> {});
    try (ObjMapperClient c = ObjMapperClient.unix(sock).capabilities(Set.of(Capability.PIPELINING)).connect()) {
      assertThat(statusOf(catchThrowable(() -> c.get("/hello.txt", Mode.SEGMENTED)))).isEqualTo(Status.INVALID_MODE);
      assertThat(c.get("/hello.txt").size()).isEqualTo(HELLO.length());
    }
  }

  @Test
  void theNegotiatedCapabilitiesAreTheOnesBothSidesOffer() throws Exception {
    start(failing(), b -> b.capabilities(Set.of(Capability.PIPELINING, Capability.SEGMENTED)));
    try (ObjMapperClient c = ObjMapperClient.unix(sock)
        .capabilities(Set.of(Capability.OOO_REPLIES, Capability.PIPELINING)).connect()) {
      assertThat(c.capabilities()).containsExactly(Capability.PIPELINING);
      // the wire's mask: the client always asks for the WRITE and INSPECT extensions too
      assertThat(c.session().capabilities())
          .isEqualTo(Capabilities.PIPELINING | Capabilities.WRITE | Capabilities.INSPECT);
    }
    try (ObjMapperClient v1 = ObjMapperClient.unix(sock).version(1).connect()) {
      assertThat(v1.capabilities()).isEmpty();
    }
  }

  @Test
  void typedCapabilitiesAndRequestFlagsAreTheWiresBits() {
    assertThat(Capability.mask(Set.of(Capability.OOO_REPLIES, Capability.PIPELINING, Capability.SEGMENTED)))
        .isEqualTo(Capabilities.SUPPORTED).isEqualTo(0x0013);
    assertThat(Capability.of(0x8013)).containsExactlyInAnyOrder(Capability.OOO_REPLIES, Capability.PIPELINING,
        Capability.SEGMENTED); // an unknown bit is ignored
    assertThat(RequestFlag.ORDERED.bit()).isEqualTo(io.objmapper.protocol.RequestFlags.ORDERED).isEqualTo(0x01);
    assertThat(RequestFlag.PRIORITY.bit()).isEqualTo(io.objmapper.protocol.RequestFlags.PRIORITY).isEqualTo(0x02);
    assertThat(RequestFlag.mask(Set.of(RequestFlag.ORDERED, RequestFlag.PRIORITY))).isEqualTo(0x03);
  }

  @Test
  void anUnknownStatusIsInternalErrorNamingTheCode() throws Exception {
    try (FakeServer fake = new FakeServer(sock, peer -> {
      peer.handshake(0x13, 10);
      long id = peer.readRequestV2();
      byte[] meta = {(byte) 0xFF, 0, 3, 'o', 'd', 'd'};
      peer.write(FakeServer.Peer.responseV2(id, 0x77, 0, meta));
      peer.read(2); // the client's CLOSE
    })) {
      try (ObjMapperClient c = connect(2)) {
        Throwable t = catchThrowable(() -> c.get("/x"));
        assertThat(statusOf(t)).isEqualTo(Status.INTERNAL_ERROR);
        assertThat(t).hasMessageContaining("0x77").hasMessageContaining("odd");
      }
    }
  }

  // ---- pipelining -----------------------------------------------------------------------------

  @Test
  void getAllReturnsObjectsInInputOrderWhenAnswersComeOutOfOrder() throws Exception {
    start(gated, b -> {});
    gated.openGateOnReleaseOf("/hello.txt"); // /slow1 is answered only after /hello.txt was
    try (ObjMapperClient c = connect(2)) {
      List<RemoteObject> got = c.getAll(List.of("/slow1", "/hello.txt"), Mode.FDPASS);
      try {
        assertThat(got).extracting(RemoteObject::uri).containsExactly("/slow1", "/hello.txt");
        assertThat(new String(got.get(0).bytes(), StandardCharsets.UTF_8)).isEqualTo("slow object 1");
        assertThat(new String(got.get(1).bytes(), StandardCharsets.UTF_8)).isEqualTo(HELLO);
        assertThat(got.get(0).requestId()).isLessThan(got.get(1).requestId());
      } finally {
        got.forEach(RemoteObject::close);
      }
    }
  }

  @Test
  void getAllBeyondThePipelineDepthWaitsForRoomAndReturnsEverything() throws Exception {
    start(gated, b -> {});
    gated.openGate();
    try (ObjMapperClient c = ObjMapperClient.unix(sock).maxPipeline(2).connect()) {
      assertThat(c.session().pipelineDepth()).isEqualTo(2);
      List<String> uris = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        uris.add(i % 2 == 0 ? "/slow1" : "/hello.txt");
      }
      List<RemoteObject> got = c.getAll(uris, Mode.COPY);
      assertThat(got).extracting(RemoteObject::uri).containsExactlyElementsOf(uris);
      for (RemoteObject o : got) {
        assertThat(o.size()).isEqualTo(o.uri().equals("/slow1") ? 13 : HELLO.length());
      }
    }
  }

  @Test
  void getAllWithOneFailureThrowsItsTypedError() throws Exception {
    start(failing(), b -> {});
    try (ObjMapperClient c = connect(2)) {
      assertThatThrownBy(() -> c.getAll(List.of("/hello.txt", "/missing", "/big.bin"), Mode.FDPASS))
          .isInstanceOf(ObjectNotFoundException.class);
      assertThat(c.getAll(List.of("/hello.txt"), Mode.COPY).get(0).bytes()).hasSize(HELLO.length());
    }
  }

  @Test
  void anOrderedRequestIsAnsweredAfterTheEarlierOnes() throws Exception {
    start(gated, b -> {});
    try (ObjMapperClient c = connect(2)) {
      CompletableFuture<RemoteObject> slow = c.getAsync("/slow1", Mode.COPY);
      CompletableFuture<RemoteObject> ordered = c.getAsync("/hello.txt", Mode.COPY, Set.of(RequestFlag.ORDERED));
      assertThat(gated.slowEntered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
      gated.openGate();
      assertThat(ordered.get(30, TimeUnit.SECONDS).bytes()).hasSize(HELLO.length());
      assertThat(slow).as("the earlier answer is complete when the ordered one is").isDone();
    }
  }

  @Test
  void oneClientIsSafeToShareBetweenThreads() throws Exception {
    start(gated, b -> b.parallelism(2));
    gated.openGate();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (ObjMapperClient c = connect(2)) {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          int ok = 0;
          for (int i = 0; i < 150; i++) {
            String uri = (i + thread) % 3 == 0 ? "/slow1" : "/hello.txt";
            Mode mode = i % 2 == 0 ? Mode.FDPASS : Mode.COPY;
            try (RemoteObject o = c.get(uri, mode)) {
              assertThat(o.uri()).isEqualTo(uri);
              assertThat(o.bytes()).hasSize(uri.equals("/slow1") ? 13 : HELLO.length());
              ok++;
            }
          }
          return ok;
        }));
      }
      for (Future<Integer> r : results) {
        assertThat(r.get(60, TimeUnit.SECONDS)).isEqualTo(150);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  // ---- descriptors and content ----------------------------------------------------------------

  @ParameterizedTest(name = "V{0}")
  @ValueSource(ints = {1, 2})
  void receivedDescriptorsAreReadOnlyAndStayValidAfterTheClientCloses(int version) throws Exception {
    start(failing(), b -> {});
    RemoteObject fd;
    RemoteObject copy;
    try (ObjMapperClient c = connect(version)) {
      fd = c.get("/hello.txt");
      copy = c.get("/big.bin", Mode.COPY);
    }
    try (fd; copy) {
      assertThat(fd.hasDescriptor()).isTrue();
      assertThat(new String(fd.bytes(), StandardCharsets.UTF_8)).isEqualTo(HELLO);
      assertThat(Fds.accessMode(fd.descriptor())).isEqualTo(Fds.O_RDONLY);
      assertThatThrownBy(() -> fd.channel().write(ByteBuffer.wrap(new byte[1])))
          .isInstanceOf(NonWritableChannelException.class);
      assertThatThrownBy(() -> new FileOutputStream(fd.descriptor()).write(1)).isInstanceOf(IOException.class);
      assertThat(copy.hasDescriptor()).isFalse();
      assertThat(copy.bytes()).isEqualTo(Files.readAllBytes(root.resolve("big.bin")));
    }
    assertThat(root.resolve("hello.txt")).hasContent(HELLO);
  }

  @Test
  void closingAnObjectClosesItsDescriptorAndIsIdempotent() throws Exception {
    start(failing(), b -> {});
    try (ObjMapperClient c = connect(2)) {
      RemoteObject o = c.get("/hello.txt");
      java.nio.channels.FileChannel ch = o.channel();
      o.close();
      o.close();
      assertThat(ch.isOpen()).isFalse();
      assertThatThrownBy(o::bytes).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void segmentedAnswersOverTcpComeInlineAndReadWhole() throws Exception {
    server = ObjectServer.builder(failing()).tcp(new InetSocketAddress("127.0.0.1", 0)).build().start();
    InetSocketAddress a = server.tcpAddress();
    try (ObjMapperClient c = ObjMapperClient.tcp(a.getHostString(), a.getPort()).connect();
        RemoteObject o = c.get("/big.bin", Mode.SEGMENTED)) {
      assertThat(o.hasDescriptor()).isFalse();
      assertThat(o.segments()).isNotEmpty();
      assertThat(o.bytes()).isEqualTo(Files.readAllBytes(root.resolve("big.bin")));
      assertThat(statusOf(catchThrowable(() -> c.get("/hello.txt", Mode.FDPASS)))).isEqualTo(Status.UNSUPPORTED_OP);
    }
  }

  @ParameterizedTest(name = "V{0}")
  @ValueSource(ints = {1, 2})
  void aCCompatDeleteAnswerIsAnEmptyObjectWithoutDescriptorAndTheFramingHolds(int version) throws Exception {
    start(new DirectoryHandler(root), b -> b.cCompat(true));
    try (ObjMapperClient c = connect(version)) {
      try (RemoteObject deleted = c.get("/delete/hello.txt")) {
        assertThat(deleted.hasDescriptor()).isFalse();
        assertThat(deleted.size()).isZero();
        assertThat(deleted.bytes()).isEmpty();
      }
      try (RemoteObject next = c.get("/slow1")) {
        assertThat(new String(next.bytes(), StandardCharsets.UTF_8)).isEqualTo("slow object 1");
      }
    }
    assertThat(root.resolve("hello.txt")).doesNotExist();
  }

  // ---- closing --------------------------------------------------------------------------------

  @Test
  void aServerShuttingDownDeliversOwedAnswersAndThenNewRequestsFailClearly() throws Exception {
    start(gated, b -> b.shutdownGraceMillis(60_000));
    try (ObjMapperClient c = connect(2)) {
      CompletableFuture<RemoteObject> owed = c.getAsync("/slow1", Mode.COPY);
      assertThat(gated.slowEntered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
      gated.openGate();
      assertThat(new String(owed.get(30, TimeUnit.SECONDS).bytes(), StandardCharsets.UTF_8))
          .isEqualTo("slow object 1");
      closing.get(60, TimeUnit.SECONDS);
      Throwable t = catchThrowable(() -> c.get("/hello.txt"));
      assertThat(t).isNotNull().hasMessageContaining("clos");
      if (t instanceof ObjMapperException) {
        assertThat(((ObjMapperException) t).code()).isEqualTo(io.objmapper.ErrorCode.UNAVAILABLE);
      } else {
        assertThat(t).isInstanceOf(IOException.class);
      }
    }
  }

  @Test
  void closingWithAnUnansweredRequestCompletesItAndReturns() throws Exception {
    start(gated, b -> b.requestTimeoutMillis(100));
    ObjMapperClient c = connect(2);
    CompletableFuture<RemoteObject> pending = c.getAsync("/slow1", Mode.FDPASS);
    assertThat(gated.slowEntered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
    c.close();
    Throwable t = catchThrowable(() -> pending.get(30, TimeUnit.SECONDS));
    assertThat(t).isInstanceOf(ExecutionException.class);
    assertThat(t.getCause()).isInstanceOfAny(ObjMapperException.class, IOException.class);
  }

  @ParameterizedTest(name = "V{0}")
  @ValueSource(ints = {1, 2})
  void closeIsIdempotentAndLaterRequestsFailWithAnIoException(int version) throws Exception {
    start(failing(), b -> {});
    ObjMapperClient c = connect(version);
    c.get("/hello.txt").close();
    c.close();
    c.close();
    assertThatThrownBy(() -> c.get("/hello.txt")).isInstanceOf(IOException.class).hasMessageContaining("closed");
  }

  @Test
  void aServerThatRejectsTheHelloFailsConnect() throws Exception {
    try (FakeServer fake = new FakeServer(sock, peer -> peer.read(9))) {
      assertThatThrownBy(() -> connect(2)).isInstanceOf(IOException.class);
      fake.awaitScript();
    }
  }

  @Test
  void aConnectionLostInTheMiddleOfContentFailsTheRequestInsteadOfHanging() throws Exception {
    try (FakeServer fake = new FakeServer(sock, peer -> {
      peer.handshake(0x13, 10);
      long id = peer.readRequestV2();
      peer.write(FakeServer.Peer.responseV2(id, 0, 100, new byte[0]));
      peer.write(new byte[10]); // 10 of the 100 announced bytes, then the connection ends
    })) {
      try (ObjMapperClient c = connect(2)) {
        CompletableFuture<RemoteObject> f = c.getAsync("/x", Mode.COPY);
        Throwable t = catchThrowable(() -> f.get(30, TimeUnit.SECONDS));
        assertThat(t).isInstanceOf(ExecutionException.class);
        assertThat(t.getCause()).isInstanceOf(IOException.class);
      }
      fake.awaitScript();
    }
  }

  @Test
  void aConnectionLostBeforeTheDescriptorFailsTheRequestInsteadOfHanging() throws Exception {
    try (FakeServer fake = new FakeServer(sock, peer -> {
      peer.handshake(0x13, 10);
      long id = peer.readRequestV2();
      peer.write(FakeServer.Peer.responseV2(id, 0, 0, new byte[0])); // an 'X' and descriptor should follow
    })) {
      try (ObjMapperClient c = connect(2)) {
        Throwable t = catchThrowable(() -> c.get("/x"));
        assertThat(t).isInstanceOf(IOException.class);
      }
      fake.awaitScript();
    }
  }

  @Test
  void anAnswerToAnUnknownRequestFailsTheConnectionAndItsPendingRequests() throws Exception {
    try (FakeServer fake = new FakeServer(sock, peer -> {
      peer.handshake(0x13, 10);
      peer.readRequestV2();
      peer.write(FakeServer.Peer.responseV2(999, 1, 0, new byte[] {(byte) 0xFF, 0, 1, 'x'}));
      peer.read(1); // until the client goes away
    })) {
      try (ObjMapperClient c = connect(2)) {
        CompletableFuture<RemoteObject> f = c.getAsync("/x", Mode.COPY);
        Throwable t = catchThrowable(() -> f.get(30, TimeUnit.SECONDS));
        assertThat(t).isInstanceOf(ExecutionException.class);
        assertThat(t.getCause()).isInstanceOf(IOException.class).hasMessageContaining("999");
        assertThatThrownBy(() -> c.get("/x")).isInstanceOf(IOException.class);
      }
      assertThatThrownBy(fake::awaitScript).hasRootCauseInstanceOf(java.io.EOFException.class);
    }
  }
}
