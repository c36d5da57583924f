package io.objmapper.server;

import static io.objmapper.server.RawClient.COPY;
import static io.objmapper.server.RawClient.FDPASS;
import static io.objmapper.server.RawClient.SEGMENTED;
import static io.objmapper.server.RawClient.SPLICE;
import static io.objmapper.server.RawClient.v1;
import static io.objmapper.server.RawClient.v2;
import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.ObjectNotFoundException;
import io.objmapper.server.RawClient.Frame;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The server's bytes, checked one by one against PROTOCOL.md with a client that reads like the C one. */
@Timeout(60)
class RawProtocolConformanceTest {
  private static final int OK = 0x00;
  private static final int NOT_FOUND = 0x01;
  private static final int INVALID_REQUEST = 0x02;
  private static final int INVALID_MODE = 0x03;
  private static final int URI_TOO_LONG = 0x04;
  private static final int PROTOCOL_ERROR = 0x20;

  @TempDir Path dir;
  Path root;
  Path sock;
  ObjectServer server;

  @BeforeEach
  void setUp() throws Exception {
    root = TestObjects.create(dir);
    sock = dir.resolve("s.sock");
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
  }

  private void start(Consumer<ObjectServer.Builder> config) throws Exception {
    ObjectServer.Builder b = ObjectServer.builder(new DirectoryHandler(root)).unixSocket(sock);
    config.accept(b);
    server = b.build().start();
  }

  private void start() throws Exception {
    start(b -> b.parallelism(3));
  }

  /** Reads the FD-pass answer to /hello.txt that follows {@code header}, checking metadata and descriptor. */
  private void expectHelloDescriptor(RawClient c, Frame header) throws Exception {
    assertThat(header.status()).as("status of %s", header).isEqualTo(OK);
    assertThat(header.contentLength()).isZero();
    assertThat(header.tlvs()).containsOnlyKeys(0x01, 0x02);
    assertThat(header.u64(0x01)).isEqualTo(TestObjects.HELLO.length());
    assertThat(header.u64(0x02)).isEqualTo(TestObjects.mtimeSeconds(root.resolve("hello.txt")));
    FileDescriptor fd = c.readDescriptor();
    try {
      assertThat(Fds.target(fd)).isEqualTo(root.resolve("hello.txt").toRealPath());
      assertThat(Fds.accessMode(fd)).as("access mode of a passed descriptor").isEqualTo(Fds.O_RDONLY);
    } finally {
      Fds.close(fd);
    }
  }

  // ---- V1 -----------------------------------------------------------------------------------

  @Test
  void v1FdPassIsAnElevenByteHeaderThenSizeAndMtimeThenOneXByteCarryingTheFile() throws Exception {
    start();
    long mtime = TestObjects.mtimeSeconds(root.resolve("hello.txt"));
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/hello.txt"));
      assertThat(Hex.of(c.read(11))).isEqualTo("00 00 00 00 00 00 00 00 00 00 16");
      byte[] meta = ByteBuffer.allocate(22)
          .put((byte) 0x01).putShort((short) 8).putLong(11)
          .put((byte) 0x02).putShort((short) 8).putLong(mtime).array();
      assertThat(Hex.of(c.read(22))).isEqualTo(Hex.of(meta));
      FileDescriptor fd = c.readDescriptor();
      try (FileInputStream in = new FileInputStream(fd)) {
        assertThat(Fds.target(fd)).isEqualTo(root.resolve("hello.txt").toRealPath());
        assertThat(Fds.accessMode(fd)).isEqualTo(Fds.O_RDONLY);
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(TestObjects.HELLO);
      }
      c.send(v1(FDPASS, "/hello.txt"));
      expectHelloDescriptor(c, c.readV1());
    }
  }

  @Test
  void v1NotFoundIsStatusEightZeroBytesAndOneErrorTlvThenNothingElse() throws Exception {
    start();
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/missing"));
      byte[] h = c.read(11);
      assertThat(h[0]).isEqualTo((byte) NOT_FOUND);
      assertThat(Arrays.copyOfRange(h, 1, 9)).containsOnly(0);
      int metaLen = ByteBuffer.wrap(h, 9, 2).getShort() & 0xFFFF;
      ByteBuffer meta = ByteBuffer.wrap(c.read(metaLen));
      assertThat(meta.get()).isEqualTo((byte) 0xFF);
      int len = meta.getShort() & 0xFFFF;
      assertThat(metaLen).isEqualTo(3 + len);
      assertThat(StandardCharsets.UTF_8.decode(meta).toString()).isNotBlank();
      // nothing else was sent: the next answer starts right here
      c.send(v1(FDPASS, "/hello.txt"));
      expectHelloDescriptor(c, c.readV1());
    }
  }

  @Test
  void v1SpliceModePassesADescriptorLikeFdPass() throws Exception {
    start();
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(SPLICE, "/hello.txt"));
      expectHelloDescriptor(c, c.readV1());
    }
  }

  @Test
  void v1FdPassOfAnEmptyObjectPassesADescriptor() throws Exception {
    start();
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/empty"));
      Frame f = c.readV1();
      assertThat(f.status()).isEqualTo(OK);
      assertThat(f.u64(0x01)).isZero();
      Fds.close(c.readDescriptor());
    }
  }

  @ParameterizedTest(name = "V{0}")
  @ValueSource(ints = {1, 2})
  void copyModeSendsExactlyContentLengthBytesOfTheObject(int version) throws Exception {
    start();
    try (RawClient c = version == 1 ? RawClient.connect(sock) : RawClient.v2(sock, 0x13, 10)) {
      c.send(version == 1 ? v1(COPY, "/big.bin") : v2(5, 0, COPY, "/big.bin"));
      Frame f = version == 1 ? c.readV1() : c.readV2();
      assertThat(f.id()).isEqualTo(version == 1 ? 0 : 5);
      assertThat(f.status()).isEqualTo(OK);
      assertThat(f.contentLength()).isEqualTo(TestObjects.BIG_SIZE);
      assertThat(f.u64(0x01)).isEqualTo(TestObjects.BIG_SIZE);
      assertThat(c.read(TestObjects.BIG_SIZE)).isEqualTo(TestObjects.big());
      c.send(version == 1 ? v1(FDPASS, "/hello.txt") : v2(6, 0, FDPASS, "/hello.txt"));
      expectHelloDescriptor(c, version == 1 ? c.readV1() : c.readV2());
    }
  }

  @Test
  void copyOfAnEmptyObjectIsContentLengthZeroWithNoDescriptor() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, 0x13, 10)) {
      c.send(v2(1, 0, COPY, "/empty"), v2(2, 0, FDPASS, "/hello.txt"));
      Frame f = c.readV2();
      assertThat(f.id()).isEqualTo(1);
      assertThat(f.status()).isEqualTo(OK);
      assertThat(f.contentLength()).isZero();
      Frame next = c.readV2(); // would fail on an 'X' byte
      assertThat(next.id()).isEqualTo(2);
      expectHelloDescriptor(c, next);
    }
  }

  @Test
  void v1GarbageFirstByteIsInvalidModeThenTheConnectionCloses() throws Exception {
    start();
    try (RawClient c = RawClient.connect(sock)) {
      c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      c.readV1().assertError(INVALID_MODE);
      assertThat(c.atEof()).isTrue();
    }
  }

  @Test
  void v1SegmentedModeIsInvalidModeAndTheConnectionGoesOn() throws Exception {
    start();
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(SEGMENTED, "/hello.txt"), v1(FDPASS, "/hello.txt"));
      c.readV1().assertError(INVALID_MODE);
      expectHelloDescriptor(c, c.readV1());
    }
  }

  // ---- handshake ----------------------------------------------------------------------------

  @Test
  void helloFromTheProtocolDocumentGetsATenByteAck() throws Exception {
    start();
    try (RawClient c = RawClient.connect(sock)) {
      c.send(Hex.bytes("4f 42 4a 4d 02 00 13 00 64"));
      assertThat(Hex.of(c.read(10))).isEqualTo("4f 42 4a 4d 02 00 13 00 64 03");
    }
  }

  @Test
  void helloAckCapabilitiesAreTheClientsAndTheServers() throws Exception {
    start(b -> b.capabilities(0x0003).maxPipeline(50).parallelism(7));
    try (RawClient c = RawClient.connect(sock)) {
      c.send(Hex.bytes("4f 42 4a 4d 02 ff ff 00 64"));
      // 0x0100 SHARED_FD too: this peer runs as the server's own uid, trusted with it by default;
      // 0x0200 WRITE and 0x0400 INSPECT: granted to any peer asking (writes are decided per request)
      assertThat(Hex.of(c.read(10))).isEqualTo("4f 42 4a 4d 02 07 03 00 32 07");
    }
    try (RawClient c = RawClient.connect(sock)) {
      c.send(Hex.bytes("4f 42 4a 4d 02 00 12 00 07"));
      assertThat(Hex.of(c.read(10))).isEqualTo("4f 42 4a 4d 02 00 02 00 07 07");
    }
  }

  @Test
  void helloWithPipelineZeroGetsTheServersDepth() throws Exception {
    start(b -> b.maxPipeline(37).parallelism(2));
    try (RawClient c = RawClient.connect(sock)) {
      c.send(Hex.bytes("4f 42 4a 4d 02 00 13 00 00"));
      assertThat(Hex.of(c.read(10))).isEqualTo("4f 42 4a 4d 02 00 13 00 25 02");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"4f 42 4a 58 02 00 13 00 64", "4f 42 4a 4d 03 00 13 00 64", "4f 42 4a 4d 01 00 13 00 64",
      "4f 4f 4f 4f 4f 4f 4f 4f 4f", "4f 42 4a 4d 00 00 00 00 00"})
  void helloWithABadMagicOrVersionClosesWithNothingSent(String hello) throws Exception {
    start();
    try (RawClient c = RawClient.connect(sock)) {
      c.send(Hex.bytes(hello));
      assertThat(c.atEof()).isTrue();
    }
  }

  @Test
  void aHelloSplitIntoSingleBytesIsStillAnswered() throws Exception {
    start();
    try (RawClient c = RawClient.connect(sock)) {
      for (byte b : Hex.bytes("4f 42 4a 4d 02 00 13 00 64")) {
        c.send(new byte[] {b});
      }
      assertThat(Hex.of(c.read(10))).isEqualTo("4f 42 4a 4d 02 00 13 00 64 03");
    }
  }

  /** The COPY answer to {@code uri} on {@code c}: status OK and exactly {@code content}. */
  private static void expectCopy(RawClient c, Frame header, String uri, String content) throws Exception {
    assertThat(header.status()).as("status of COPY %s", uri).isEqualTo(OK);
    assertThat(header.contentLength()).isEqualTo(content.length());
    assertThat(new String(c.read(content.length()), StandardCharsets.UTF_8)).as("content of %s", uri).isEqualTo(content);
  }

  @Test
  void v1RequestsSentInPiecesAreAnsweredLikeWholeOnesAgainAndAgain() throws Exception {
    // The C client writes a V1 request's header, then its URI: the server often reads between
    // the two and keeps the piece (in a buffer it keeps for the next split request). Requests
    // of different lengths in turn: a byte left from an earlier one would change an answer.
    start();
    try (RawClient c = RawClient.connect(sock)) {
      for (int i = 0; i < 60; i++) {
        boolean hello = i % 2 == 0;
        String uri = hello ? "/hello.txt" : "/a/b/c.txt";
        String content = hello ? TestObjects.HELLO : "nested";
        byte[] req = v1(COPY, uri);
        if (i < 40) {
          c.send(Arrays.copyOf(req, 3)).send(Arrays.copyOfRange(req, 3, req.length));
        } else {
          for (byte b : req) {
            c.send(new byte[] {b});
          }
        }
        expectCopy(c, c.readV1(), uri, content);
      }
      c.send(v1(COPY, "/missing"));
      c.readV1().assertError(NOT_FOUND);
    }
  }

  @Test
  void v2RequestsWhoseLastOneIsCutAnywhereAreAllAnswered() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
      byte[] first = v2(1, 0, COPY, "/hello.txt");
      byte[] second = v2(2, 0, COPY, "/a/b/c.txt");
      for (int cut = 1; cut < second.length; cut++) { // the second request cut after `cut` bytes
        c.send(first, Arrays.copyOf(second, cut)).send(Arrays.copyOfRange(second, cut, second.length));
        Frame a = c.readV2();
        assertThat(a.id()).isEqualTo(1);
        expectCopy(c, a, "/hello.txt", TestObjects.HELLO);
        Frame b = c.readV2();
        assertThat(b.id()).as("the request cut after %d bytes", cut).isEqualTo(2);
        expectCopy(c, b, "/a/b/c.txt", "nested");
      }
    }
  }

  // ---- V2 -----------------------------------------------------------------------------------

  @Test
  void v2FdPassIsASixteenByteHeaderEchoingTheIdThenMetadataThenTheDescriptor() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
      c.send(v2(0x01020304L, 0, FDPASS, "/hello.txt"));
      byte[] h = c.read(16);
      assertThat(Hex.of(h)).isEqualTo("02 01 02 03 04 00 00 00 00 00 00 00 00 00 00 16");
      ByteBuffer meta = ByteBuffer.wrap(c.read(22));
      assertThat(meta.get()).isEqualTo((byte) 1);
      assertThat(meta.getShort()).isEqualTo((short) 8);
      assertThat(meta.getLong()).isEqualTo(11);
      Fds.close(c.readDescriptor());
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {0L, 1L, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFEL, 0xFFFF_FFFFL})
  void v2RequestIdsAreEchoedWhateverTheirValue(long id) throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
      c.send(v2(id, 0, FDPASS, "/hello.txt"), v2(id, 0, FDPASS, "/missing"), v2(id, 0, FDPASS, "/a//b"));
      Frame ok = c.readV2();
      assertThat(ok.id()).isEqualTo(id);
      expectHelloDescriptor(c, ok);
      assertThat(c.readV2().assertError(NOT_FOUND).id()).isEqualTo(id);
      assertThat(c.readV2().assertError(INVALID_REQUEST).id()).isEqualTo(id);
    }
  }

  @Test
  void closeIsAnsweredWithCloseAckThenTheConnectionEnds() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
      c.send(RawClient.close(0));
      assertThat(Hex.of(c.read(6))).isEqualTo("04 00 00 00 00 00");
      assertThat(c.atEof()).isTrue();
    }
  }

  @Test
  void closeAfterAnsweredRequestsOwesNothing() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
      c.send(v2(1, 0, COPY, "/hello.txt"), v2(2, 0, FDPASS, "/missing"), RawClient.close(0));
      Frame f = c.readV2();
      assertThat(new String(c.read((int) f.contentLength()), StandardCharsets.UTF_8)).isEqualTo(TestObjects.HELLO);
      c.readV2().assertError(NOT_FOUND);
      assertThat(Hex.of(c.read(6))).isEqualTo("04 00 00 00 00 00");
      assertThat(c.atEof()).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0x00, 0x02, 0x04, 0x05, 0x4f, 0xff})
  void unknownV2MessageTypeIsProtocolErrorThenCloseReasonTwoThenEof(int type) throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
      c.send(new byte[] {(byte) type, 0, 0, 0, 1, 0, '1', 0, 2, '/', 'x'});
      c.readV2().assertError(PROTOCOL_ERROR);
      Frame close = c.readV2();
      assertThat(close.type()).isEqualTo(Frame.CLOSE);
      assertThat(close.status()).as("CLOSE reason").isEqualTo(2);
      assertThat(c.atEof()).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, '0', '5', '9', 'X', 0xff})
  void v2UnknownModeIsInvalidModeAndTheConnectionGoesOn(int mode) throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
      c.send(v2(41, 0, mode, "/hello.txt"), v2(42, 0, FDPASS, "/hello.txt"));
      assertThat(c.readV2().assertError(INVALID_MODE).id()).isEqualTo(41);
      Frame ok = c.readV2();
      assertThat(ok.id()).isEqualTo(42);
      expectHelloDescriptor(c, ok);
    }
  }

  @Test
  void segmentedModeWithoutTheNegotiatedCapabilityIsInvalidMode() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, 0x03, 100)) {
      c.send(v2(9, 0, SEGMENTED, "/hello.txt"), v2(10, 0, FDPASS, "/hello.txt"));
      assertThat(c.readV2().assertError(INVALID_MODE).id()).isEqualTo(9);
      expectHelloDescriptor(c, c.readV2());
    }
  }

  @Test
  void segmentedModeWhenTheServerDoesNotOfferItIsInvalidMode() throws Exception {
    start(b -> b.capabilities(0x03));
    try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
      c.send(v2(9, 0, SEGMENTED, "/hello.txt"));
      assertThat(c.readV2().assertError(INVALID_MODE).id()).isEqualTo(9);
    }
  }

  @Test
  void segmentedModeWithTheCapabilityIsOneFdSegmentThenTheDescriptor() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
      c.send(v2(3, 0, SEGMENTED, "/hello.txt"));
      Frame f = c.readV2();
      assertThat(f.type()).isEqualTo(Frame.SEGMENTED);
      assertThat(f.id()).isEqualTo(3);
      assertThat(f.status()).isEqualTo(OK);
      assertThat(f.segmentCount()).isEqualTo(1);
      assertThat(f.u64(0x01)).isEqualTo(11);
      // type FD, flags FIN, reserved, copy 0, logical 11, offset 0, storage 11
      assertThat(Hex.of(c.read(32))).isEqualTo("01 01 00 00 00 00 00 00 00 00 00 00 00 00 00 0b "
          + "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0b");
      FileDescriptor fd = c.readDescriptor();
      try {
        assertThat(Fds.target(fd)).isEqualTo(root.resolve("hello.txt").toRealPath());
      } finally {
        Fds.close(fd);
      }
    }
  }

  // ---- limits and names ---------------------------------------------------------------------

  private static byte[] longUri(int bytes) {
    byte[] b = new byte[bytes];
    Arrays.fill(b, (byte) 'a');
    b[0] = '/';
    return b;
  }

  @ParameterizedTest(name = "V{0}, {1} bytes")
  @MethodSource("tooLongUris")
  void tooLongUriIsUriTooLongAndTheNextRequestOnTheConnectionIsServed(int version, int length) throws Exception {
    start();
    try (RawClient c = version == 1 ? RawClient.connect(sock) : RawClient.v2(sock, 0x13, 100)) {
      if (version == 1) {
        c.send(v1(FDPASS, longUri(length)), v1(FDPASS, "/hello.txt"));
        c.readV1().assertError(URI_TOO_LONG);
        expectHelloDescriptor(c, c.readV1());
      } else {
        c.send(v2(77, 0, FDPASS, longUri(length)), v2(78, 0, FDPASS, "/hello.txt"));
        assertThat(c.readV2().assertError(URI_TOO_LONG).id()).isEqualTo(77);
        Frame ok = c.readV2();
        assertThat(ok.id()).isEqualTo(78);
        expectHelloDescriptor(c, ok);
      }
    }
  }

  static Stream<Arguments> tooLongUris() {
    return Stream.of(Arguments.of(1, 4097), Arguments.of(2, 4097), Arguments.of(1, 65535), Arguments.of(2, 65535));
  }

  @ParameterizedTest(name = "V{0}")
  @ValueSource(ints = {1, 2})
  void aUriOfExactly4096BytesReachesTheHandler(int version) throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    server = ObjectServer.builder(uri -> {
      seen.set(uri);
      throw new ObjectNotFoundException("no object");
    }).unixSocket(sock).build().start();
    byte[] uri = longUri(4096);
    try (RawClient c = version == 1 ? RawClient.connect(sock) : RawClient.v2(sock, 0x13, 100)) {
      c.send(version == 1 ? v1(FDPASS, uri) : v2(1, 0, FDPASS, uri));
      (version == 1 ? c.readV1() : c.readV2()).assertError(NOT_FOUND);
    }
    assertThat(seen.get()).isEqualTo(new String(uri, StandardCharsets.US_ASCII));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidNames")
  void invalidObjectNamesAreInvalidRequestAndTheConnectionGoesOn(String label, byte[] uri) throws Exception {
    Files.writeString(dir.resolve("secret"), "secret");
    start();
    try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
      c.send(v2(1, 0, FDPASS, uri), v2(2, 0, COPY, uri), v2(3, 0, FDPASS, "/hello.txt"));
      assertThat(c.readV2().assertError(INVALID_REQUEST).id()).isEqualTo(1);
      assertThat(c.readV2().assertError(INVALID_REQUEST).id()).isEqualTo(2);
      expectHelloDescriptor(c, c.readV2());
    }
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, uri), v1(FDPASS, "/hello.txt"));
      c.readV1().assertError(INVALID_REQUEST);
      expectHelloDescriptor(c, c.readV1());
    }
  }

  static Stream<Arguments> invalidNames() {
    return Stream.of(
        named("dot-dot", "/.."),
        named("dot-dot escaping root", "/../secret"),
        named("dot-dot inside", "/a/../hello.txt"),
        named("dot", "/./hello.txt"),
        named("double slash", "//hello.txt"),
        named("empty segment", "/a//b/c.txt"),
        named("trailing slash", "/a/"),
        named("root only", "/"),
        named("relative", "hello.txt"),
        named("NUL", "/hello.txt\0"),
        named("backslash", "/a\\b"),
        named("backslash dot-dot", "/..\\secret"),
        named("newline", "/a\nb"),
        Arguments.of("0xff byte", new byte[] {'/', (byte) 0xff}),
        Arguments.of("truncated sequence", new byte[] {'/', (byte) 0xc3, '('}),
        Arguments.of("overlong slash", new byte[] {'/', (byte) 0xc0, (byte) 0xaf, 'x'}),
        Arguments.of("overlong dot-dot", new byte[] {'/', (byte) 0xc0, (byte) 0xae, (byte) 0xc0, (byte) 0xae}),
        Arguments.of("encoded surrogate", new byte[] {'/', (byte) 0xed, (byte) 0xa0, (byte) 0x80}),
        Arguments.of("empty", new byte[0]));
  }

  private static Arguments named(String label, String uri) {
    return Arguments.of(label, uri.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aSymbolicLinkOutOfTheRootIsNotFollowed() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "secret");
    Files.createSymbolicLink(root.resolve("out"), outside);
    Files.createSymbolicLink(root.resolve("secret-link"), outside.resolve("secret"));
    start();
    try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
      c.send(v2(1, 0, FDPASS, "/out/secret"), v2(2, 0, COPY, "/out/secret"), v2(3, 0, COPY, "/secret-link"));
      c.readV2().assertError(NOT_FOUND);
      c.readV2().assertError(NOT_FOUND);
      c.readV2().assertError(NOT_FOUND);
    }
  }

  @Test
  void aNameBelowAFileIsNotFound() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
      c.send(v2(1, 0, FDPASS, "/hello.txt/x"));
      c.readV2().assertError(NOT_FOUND);
    }
  }

  @Test
  void aDirectoryIsNotAnObject() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, 0x13, 100)) {
      c.send(v2(1, 0, FDPASS, "/a"), v2(2, 0, COPY, "/a/b"));
      c.readV2().assertError(NOT_FOUND);
      c.readV2().assertError(NOT_FOUND);
    }
  }
}
