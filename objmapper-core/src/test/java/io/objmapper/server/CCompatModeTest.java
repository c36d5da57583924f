package io.objmapper.server;

import static io.objmapper.server.RawClient.COPY;
import static io.objmapper.server.RawClient.FDPASS;
import static io.objmapper.server.RawClient.v1;
import static io.objmapper.server.RawClient.v2;
import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.server.RawClient.Frame;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The C server's write behaviour ({@code cCompat(true)}): create on miss, /delete/, /list. */
@Timeout(60)
class CCompatModeTest {
  @TempDir Path dir;
  Path root;
  Path sock;
  Path outside;
  ObjectServer server;

  @BeforeEach
  void setUp() throws Exception {
    root = TestObjects.create(dir);
    outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "secret");
    Files.createSymbolicLink(root.resolve("out"), outside);
    sock = dir.resolve("s.sock");
  }

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
  }

  private void start(boolean cCompat) throws Exception {
    server = ObjectServer.builder(new DirectoryHandler(root)).unixSocket(sock).cCompat(cCompat).build().start();
  }

  @Test
  void theModeTakesSixteenIoThreadsUnlessToldOtherwise() {
    DirectoryHandler h = new DirectoryHandler(root);
    assertThat(ObjectServer.builder(h).cCompat(true).ioThreads()).isEqualTo(ObjectServer.Builder.C_COMPAT_IO_THREADS)
        .isEqualTo(16);
    assertThat(ObjectServer.builder(h).cCompat(true).ioThreads(3).ioThreads()).isEqualTo(3);
    assertThat(ObjectServer.builder(h).ioThreads()).isEqualTo(ObjectServer.Builder.defaultIoThreads());
  }

  @Test
  void aMissingObjectIsCreatedEmptyAndComesWithAWritableDescriptor() throws Exception {
    start(true);
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/new/dir/obj"));
      Frame f = c.readV1();
      assertThat(f.status()).isZero();
      assertThat(f.contentLength()).isZero();
      assertThat(f.metadata()).as("V1 answers carry no metadata, as the C server's").isEmpty();
      FileDescriptor fd = c.readDescriptor();
      assertThat(Fds.accessMode(fd)).isEqualTo(Fds.O_RDWR);
      assertThat(Fds.target(fd)).isEqualTo(root.resolve("new/dir/obj").toRealPath());
      try (FileOutputStream out = new FileOutputStream(fd)) {
        out.write("written through the descriptor".getBytes(StandardCharsets.UTF_8));
      }
    }
    assertThat(root.resolve("new/dir/obj")).hasContent("written through the descriptor");
  }

  @Test
  void anExistingObjectAlsoComesWithAWritableDescriptor() throws Exception {
    start(true);
    try (RawClient c = RawClient.v2(sock, 0x13, 10)) {
      c.send(v2(1, 0, FDPASS, "/hello.txt"));
      Frame f = c.readV2();
      assertThat(f.u64(0x01)).isEqualTo(TestObjects.HELLO.length());
      FileDescriptor fd = c.readDescriptor();
      try {
        assertThat(Fds.accessMode(fd)).isEqualTo(Fds.O_RDWR);
      } finally {
        Fds.close(fd);
      }
    }
  }

  @Test
  void copyOfAMissingObjectCreatesItAndAnswersAnEmptyBody() throws Exception {
    start(true);
    try (RawClient c = RawClient.v2(sock, 0x13, 10)) {
      c.send(v2(1, 0, COPY, "/fresh"), v2(2, 0, COPY, "/hello.txt"));
      Frame f = c.readV2();
      assertThat(f.status()).isZero();
      assertThat(f.contentLength()).isZero();
      Frame next = c.readV2();
      assertThat(next.id()).isEqualTo(2);
      assertThat(new String(c.read((int) next.contentLength()), StandardCharsets.UTF_8)).isEqualTo(TestObjects.HELLO);
    }
    assertThat(root.resolve("fresh")).isEmptyFile();
  }

  @Test
  void aV1CopyAnswerIsTheHeaderAndTheBodyWithoutMetadata() throws Exception {
    start(true);
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(COPY, "/hello.txt"));
      Frame f = c.readV1();
      assertThat(f.status()).isZero();
      assertThat(f.metadata()).isEmpty();
      assertThat(new String(c.read((int) f.contentLength()), StandardCharsets.UTF_8)).isEqualTo(TestObjects.HELLO);
    }
  }

  @Test
  void v1DeleteIsStatusZeroContentLengthOneAndNoBodyAndTheFileIsGone() throws Exception {
    start(true);
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/delete/hello.txt"), v1(COPY, "/a/b/c.txt"));
      assertThat(Hex.of(c.read(11))).isEqualTo("00 00 00 00 00 00 00 00 01 00 00");
      Frame next = c.readV1(); // no body byte and no descriptor in between
      assertThat(next.status()).isZero();
      assertThat(new String(c.read((int) next.contentLength()), StandardCharsets.UTF_8)).isEqualTo("nested");
    }
    assertThat(root.resolve("hello.txt")).doesNotExist();
  }

  @Test
  void v2DeleteEchoesTheIdWithContentLengthOneAndNoBody() throws Exception {
    start(true);
    try (RawClient c = RawClient.v2(sock, 0x13, 10)) {
      c.send(v2(0x0A0B0C0DL, 0, FDPASS, "/delete/a/b/c.txt"));
      assertThat(Hex.of(c.read(16))).isEqualTo("02 0a 0b 0c 0d 00 00 00 00 00 00 00 00 01 00 00");
      c.send(v2(2, 0, FDPASS, "/delete/a/b/c.txt"));
      assertThat(c.readV2().assertError(0x01).id()).isEqualTo(2);
    }
    assertThat(root.resolve("a/b/c.txt")).doesNotExist();
  }

  @Test
  void aDeleteThatWaitsHoldsNoIoThreadFromOtherRequests() throws Exception {
    Files.writeString(root.resolve("slow-victim"), "x");
    GatedHandler gated = new GatedHandler(root);
    server = ObjectServer.builder(gated).unixSocket(sock).cCompat(true).ioThreads(1).build().start();
    try (RawClient deleting = RawClient.connect(sock); RawClient other = RawClient.connect(sock)) {
      deleting.send(v1(FDPASS, "/delete/slow-victim"));
      assertThat(gated.slowEntered.tryAcquire(60, TimeUnit.SECONDS)).as("the delete has started").isTrue();

      other.send(v1(COPY, "/hello.txt")); // the one I/O thread answers while the delete waits
      Frame f = other.readV1();
      assertThat(f.status()).isZero();
      assertThat(new String(other.read((int) f.contentLength()), StandardCharsets.UTF_8)).isEqualTo(TestObjects.HELLO);

      gated.openGate();
      Frame deleted = deleting.readV1();
      assertThat(deleted.status()).isZero();
      assertThat(deleted.contentLength()).isEqualTo(1);
    }
    assertThat(root.resolve("slow-victim")).doesNotExist();
  }

  @Test
  void deletingAMissingObjectIsNotFound() throws Exception {
    start(true);
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/delete/missing"), v1(FDPASS, "/delete/a"));
      c.readV1().assertError(0x01);
      c.readV1().assertError(0x01);
    }
    assertThat(root.resolve("a")).isDirectory();
  }

  @Test
  void listIsUnsupported() throws Exception {
    start(true);
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/list"));
      c.readV1().assertError(0x05);
    }
  }

  @Test
  void namesOutsideTheRootAreNeitherCreatedNorDeleted() throws Exception {
    start(true);
    try (RawClient c = RawClient.v2(sock, 0x13, 10)) {
      c.send(v2(1, 0, FDPASS, "/delete/../outside/secret"), v2(2, 0, FDPASS, "/../outside/created"),
          v2(3, 0, FDPASS, "/delete/out/secret"), v2(4, 0, FDPASS, "/out/created"),
          v2(5, 0, FDPASS, "/out/sub/created"), v2(6, 0, FDPASS, "/delete/"));
      // Deletes run on workers: their answers may come after later requests' (V2 allows it).
      java.util.Map<Long, RawClient.Frame> a = c.readV2ById(6);
      a.get(1L).assertError(0x02);
      a.get(2L).assertError(0x02);
      a.get(3L).assertError(0x01);
      a.get(4L).assertError(0x01);
      a.get(5L).assertError(0x01);
      a.get(6L).assertError(0x02);
    }
    assertThat(outside.resolve("secret")).hasContent("secret");
    try (var files = Files.list(outside)) {
      assertThat(files).containsExactly(outside.resolve("secret"));
    }
  }

  // ---- the writer list ------------------------------------------------------------------------

  private void startWithWriters(java.util.List<Long> uids, java.util.List<Long> gids) throws Exception {
    server = ObjectServer.builder(new DirectoryHandler(root)).unixSocket(sock).cCompat(true)
        .tcp(new java.net.InetSocketAddress("127.0.0.1", 0)).writerUids(uids).writerGids(gids).build().start();
  }

  private static long own(String attribute) throws Exception {
    return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:" + attribute)).longValue();
  }

  @Test
  void aPeerNotOnTheWriterListIsDeniedACreateAndADeleteNamingTheKey() throws Exception {
    startWithWriters(java.util.List.of(own("uid") + 1), java.util.List.of());
    try (RawClient c = RawClient.connect(sock)) {
      // As the C client sends them: V1, mode '1', a create then a delete.
      c.send(v1(FDPASS, "/new/obj"));
      byte[] header = c.read(11);
      assertThat(Hex.of(java.nio.ByteBuffer.wrap(header, 0, 9))).as("status 0x06, content_len 0")
          .isEqualTo("06 00 00 00 00 00 00 00 00");
      int metaLen = ((header[9] & 0xFF) << 8) | (header[10] & 0xFF);
      Frame denied = new Frame(Frame.RESPONSE, 0, 6, 0, c.read(metaLen), 0).assertError(0x06);
      assertThat(denied.error()).contains("create /new/obj", "not a writer", "server.writer_uids");
      c.send(v1(FDPASS, "/delete/hello.txt"));
      assertThat(c.readV1().assertError(0x06).error()).contains("delete /hello.txt", "server.writer_uids");
    }
    try (RawClient c = RawClient.v2(sock, 0x13, 10)) {
      c.send(v2(1, 0, COPY, "/fresh"), v2(2, 0, FDPASS, "/delete/a/b/c.txt"));
      assertThat(c.readV2().assertError(0x06).id()).isEqualTo(1);
      assertThat(c.readV2().assertError(0x06).id()).isEqualTo(2);
    }
    assertThat(root.resolve("new")).doesNotExist();
    assertThat(root.resolve("fresh")).doesNotExist();
    assertThat(root.resolve("hello.txt")).hasContent(TestObjects.HELLO);
    assertThat(root.resolve("a/b/c.txt")).hasContent("nested");
  }

  @Test
  void aPeerNotOnTheWriterListGetsAReadOnlyDescriptorOfAnExistingObject() throws Exception {
    startWithWriters(java.util.List.of(), java.util.List.of());
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/hello.txt"));
      Frame f = c.readV1();
      assertThat(f.status()).isZero();
      assertThat(f.metadata()).isEmpty();
      FileDescriptor fd = c.readDescriptor();
      try {
        assertThat(Fds.accessMode(fd)).isEqualTo(Fds.O_RDONLY);
      } finally {
        Fds.close(fd);
      }
    }
  }

  @Test
  void aPeerWhoseGidIsOnTheWriterListCreatesAndDeletes() throws Exception {
    startWithWriters(java.util.List.of(), java.util.List.of(own("gid")));
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/made"));
      Frame f = c.readV1();
      assertThat(f.status()).isZero();
      FileDescriptor fd = c.readDescriptor();
      try {
        assertThat(Fds.accessMode(fd)).isEqualTo(Fds.O_RDWR);
      } finally {
        Fds.close(fd);
      }
      c.send(v1(FDPASS, "/delete/hello.txt"));
      assertThat(Hex.of(c.read(11))).isEqualTo("00 00 00 00 00 00 00 00 01 00 00");
    }
    assertThat(root.resolve("made")).isEmptyFile();
    assertThat(root.resolve("hello.txt")).doesNotExist();
  }

  @Test
  void tcpPeersNeverWriteEvenWhenTheServerRunsAsTheirUser() throws Exception {
    startWithWriters(java.util.List.of(own("uid")), java.util.List.of());
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.tcpAddress().getPort())) {
      s.getOutputStream().write(concatRequests(v1(COPY, "/over-tcp"), v1(COPY, "/delete/hello.txt")));
      java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
      for (String what : java.util.List.of("create /over-tcp", "delete /hello.txt")) {
        assertThat(in.readUnsignedByte()).as("status").isEqualTo(0x06);
        assertThat(in.readLong()).as("content_len").isZero();
        byte[] meta = in.readNBytes(in.readUnsignedShort());
        assertThat(new String(meta, StandardCharsets.UTF_8)).contains(what, "never write");
      }
    }
    assertThat(root.resolve("over-tcp")).doesNotExist();
    assertThat(root.resolve("hello.txt")).exists();
  }

  private static byte[] concatRequests(byte[]... requests) {
    return RawClient.concat(requests);
  }

  @Test
  void withoutCCompatAMissingObjectIsNotFoundDeleteIsAnOrdinaryNameAndDescriptorsAreReadOnly() throws Exception {
    start(false);
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(FDPASS, "/new"), v1(FDPASS, "/delete/hello.txt"), v1(FDPASS, "/list"), v1(FDPASS, "/hello.txt"));
      c.readV1().assertError(0x01);
      c.readV1().assertError(0x01);
      c.readV1().assertError(0x01);
      Frame f = c.readV1();
      assertThat(f.status()).isZero();
      assertThat(f.u64(0x01)).as("outside the C-compatible mode V1 answers keep their SIZE").isEqualTo(TestObjects.HELLO.length());
      FileDescriptor fd = c.readDescriptor();
      try {
        assertThat(Fds.accessMode(fd)).isEqualTo(Fds.O_RDONLY);
      } finally {
        Fds.close(fd);
      }
    }
    assertThat(root.resolve("new")).doesNotExist();
    assertThat(root.resolve("hello.txt")).hasContent(TestObjects.HELLO);
  }
}
