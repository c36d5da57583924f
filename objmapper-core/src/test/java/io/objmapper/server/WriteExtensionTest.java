package io.objmapper.server;

import static io.objmapper.server.RawClient.COPY;
import static io.objmapper.server.RawClient.v1;
import static io.objmapper.server.RawClient.v2;
import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.ObjMapper;
import io.objmapper.server.RawClient.Frame;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.dir.AtomicWrite;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write extension byte by byte: PUT ('5') answers a writable descriptor of the client's
 * own to a temporary file, COMMIT ('6') publishes it, ABORT ('7') removes it, DELETE ('8');
 * every refusal is an error status with an ERROR TLV.
 */
@Timeout(60)
class WriteExtensionTest {
  /** OOO_REPLIES | PIPELINING | SEGMENTED | WRITE. */
  static final int CAPS = 0x0213;
  static final int PUT = '5';
  static final int COMMIT = '6';
  static final int ABORT = '7';
  static final int DELETE = '8';
  static final int STAT = '9';
  static final int LIST = ':';
  /** OOO_REPLIES | PIPELINING | SEGMENTED | INSPECT. */
  static final int INSPECT_CAPS = 0x0413;

  @TempDir Path dir;
  Path root;
  Path sock;
  ObjMapper store;
  ObjectServer server;

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private void start(long capacity, List<Long> writers) throws Exception {
    start(capacity, writers, ObjectServer.DEFAULT_MAX_PENDING_PUTS);
  }

  private void start(long capacity, List<Long> writers, int maxPendingPuts) throws Exception {
    root = Files.createDirectories(dir.resolve("disk"));
    TierConfig.Builder t = TierConfig.builder().name("disk").type("fs").root(root)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE);
    if (capacity > 0) {
      t.capacityBytes(capacity);
    }
    store = ObjMapper.builder().tier(t.build()).build();
    sock = dir.resolve("s.sock");
    ObjectServer.Builder b = ObjectServer.builder(store).unixSocket(sock)
        .tcp(new InetSocketAddress("127.0.0.1", 0));
    if (writers != null) {
      b.writerUids(writers);
    }
    server = b.maxPendingPuts(maxPendingPuts).build().start();
  }

  private void start() throws Exception {
    start(0, null);
  }

  static long ownUid() throws IOException {
    return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
  }

  /** The temporary files below the root (names starting with the write prefix). */
  private List<Path> temporaries() throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(AtomicWrite.TEMP_PREFIX)).toList();
    }
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  private boolean noTemporaries() {
    try {
      return temporaries().isEmpty();
    } catch (IOException | java.io.UncheckedIOException e) {
      return false; // a file went while listed: look again
    }
  }

  private static void write(FileDescriptor fd, String text) throws IOException {
    try (FileOutputStream out = new FileOutputStream(fd)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void helloAckGrantsWriteToAnyPeerAskingForIt() throws Exception {
    start(0, List.of());
    try (RawClient c = RawClient.connect(sock)) {
      c.send(RawClient.hello(CAPS, 10));
      // caps 0x0213 & server's: OOO_REPLIES|PIPELINING|SEGMENTED|WRITE.
      assertThat(Hex.of(c.read(10))).startsWith("4f 42 4a 4d 02 02 13 00 0a");
    }
    try (RawClient c = RawClient.connect(sock)) {
      c.send(RawClient.hello(0x0613, 10));
      assertThat(Hex.of(c.read(10))).as("WRITE and INSPECT").startsWith("4f 42 4a 4d 02 06 13 00 0a");
    }
  }

  @Test
  void putPassesAPrivateWritableDescriptorToAHiddenTemporaryFileAndCommitPublishesIt() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, CAPS, 10)) {
      c.send(v2(1, 0, PUT, "/w/new.txt"));
      Frame f = c.readV2();
      assertThat(f.id()).isEqualTo(1);
      assertThat(f.status()).isZero();
      assertThat(f.contentLength()).isZero();
      assertThat(f.u64(0x01)).as("SIZE of the fresh file").isZero();
      assertThat(f.tlvs()).containsKeys(0x02, 0x05);
      FileDescriptor fd = c.readDescriptor();
      assertThat(Fds.accessMode(fd)).isEqualTo(Fds.O_RDWR);
      Path target = Fds.target(fd);
      assertThat(target.getParent()).isEqualTo(root.resolve("w").toRealPath());
      assertThat(target.getFileName().toString()).startsWith(AtomicWrite.TEMP_PREFIX);
      assertThat(store.exists("/w/new.txt")).as("invisible before the commit").isFalse();
      write(fd, "published");

      // ORDERED: the COPY waits for the COMMIT (served by a worker) instead of overtaking it.
      c.send(v2(2, 0, COMMIT, "/w/new.txt"), v2(3, 0x01, COPY, "/w/new.txt"));
      // 02 | id 2 | OK | content_len 0 | metadata 33: SIZE 9, MTIME, BACKEND 0, TIERS "disk"; no body,
      // no descriptor.
      byte[] header = c.read(16);
      assertThat(Hex.of(header)).isEqualTo("02 00 00 00 02 00 00 00 00 00 00 00 00 00 00 21");
      byte[] meta = c.read(33);
      assertThat(Hex.of(meta)).startsWith("01 00 08 00 00 00 00 00 00 00 09 02 00 08")
          .endsWith("05 00 01 00 80 00 04 64 69 73 6b");
      Frame copy = c.readV2(); // the next answer follows at once
      assertThat(copy.id()).isEqualTo(3);
      assertThat(new String(c.read((int) copy.contentLength()), StandardCharsets.UTF_8)).isEqualTo("published");
    }
    assertThat(root.resolve("w/new.txt")).hasContent("published");
    assertThat(store.stat("/w/new.txt").orElseThrow().size()).isEqualTo(9);
    assertThat(temporaries()).isEmpty();
  }

  @Test
  void commitReplacesAnObjectAReaderHoldsWithoutChangingWhatTheReaderSees() throws Exception {
    start();
    store.put("/a", "old".getBytes(StandardCharsets.UTF_8));
    try (RawClient reader = RawClient.v2(sock, CAPS, 10); RawClient c = RawClient.v2(sock, CAPS, 10)) {
      reader.send(v2(1, 0, RawClient.FDPASS, "/a"));
      reader.readV2();
      FileDescriptor old = reader.readDescriptor();
      c.send(v2(1, 0, PUT, "/a"));
      c.readV2();
      write(c.readDescriptor(), "new content");
      c.send(v2(2, 0, COMMIT, "/a"));
      assertThat(c.readV2().status()).isZero();
      try (java.io.FileInputStream in = new java.io.FileInputStream(old)) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("old");
      }
      reader.send(v2(2, 0, COPY, "/a"));
      Frame now = reader.readV2();
      assertThat(new String(reader.read((int) now.contentLength()), StandardCharsets.UTF_8)).isEqualTo("new content");
    }
  }

  @Test
  void abortRemovesTheTemporaryFileAndAnswersOkWithNothingElse() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, CAPS, 10)) {
      c.send(v2(1, 0, PUT, "/x"));
      c.readV2();
      write(c.readDescriptor(), "never seen");
      assertThat(temporaries()).hasSize(1);
      c.send(v2(7, 0, ABORT, "/x"), v2(8, 0x01, COMMIT, "/x"));
      assertThat(Hex.of(c.read(16))).isEqualTo("02 00 00 00 07 00 00 00 00 00 00 00 00 00 00 00");
      Frame again = c.readV2().assertError(0x02);
      assertThat(again.error()).contains("no put of /x is pending");
    }
    assertThat(temporaries()).isEmpty();
    assertThat(store.exists("/x")).isFalse();
  }

  @Test
  void putsPendingOverTheServersLimitAnswerUnavailableAndAnEndedPutFreesItsSlot() throws Exception {
    start(0, null, 2);
    try (RawClient a = RawClient.v2(sock, CAPS, 10); RawClient b = RawClient.v2(sock, CAPS, 10)) {
      a.send(v2(1, 0, PUT, "/a1"));
      assertThat(a.readV2().status()).isZero();
      write(a.readDescriptor(), "one");
      a.send(v2(2, 0, PUT, "/a2"));
      assertThat(a.readV2().status()).isZero();
      write(a.readDescriptor(), "two");

      b.send(v2(3, 0, PUT, "/b"));
      Frame refused = b.readV2().assertError(0x14);
      assertThat(refused.error()).contains("too many puts pending on this server (at most 2)");
      assertThat(temporaries()).hasSize(2);

      a.send(v2(4, 0, ABORT, "/a1"));
      assertThat(a.readV2().status()).isZero();
      b.send(v2(5, 0, PUT, "/b"));
      assertThat(b.readV2().status()).as("the aborted put's slot is free again").isZero();
      write(b.readDescriptor(), "bee");
      b.send(v2(6, 0, COMMIT, "/b"));
      assertThat(b.readV2().status()).isZero();
      a.send(v2(7, 0, COMMIT, "/a2"));
      assertThat(a.readV2().status()).isZero();
    }
    assertThat(store.exists("/b")).isTrue();
    assertThat(store.exists("/a2")).isTrue();
    assertThat(store.exists("/a1")).isFalse();
    await("the closed connections' puts ended", this::noTemporaries);
    assertThat(server.pendingPuts.availablePermits()).isEqualTo(2);
  }

  @Test
  void deleteAnswersOkWithNothingElseAndNotFoundTheSecondTime() throws Exception {
    start();
    store.put("/d/gone", new byte[] {1});
    try (RawClient c = RawClient.v2(sock, CAPS, 10)) {
      c.send(v2(0x0A0B0C0DL, 0x01, DELETE, "/d/gone"), v2(2, 0x01, DELETE, "/d/gone"));
      assertThat(Hex.of(c.read(16))).isEqualTo("02 0a 0b 0c 0d 00 00 00 00 00 00 00 00 00 00 00");
      assertThat(c.readV2().assertError(0x01).id()).isEqualTo(2);
    }
    assertThat(store.exists("/d/gone")).isFalse();
    assertThat(root.resolve("d/gone")).doesNotExist();
  }

  @Test
  void aPeerThatIsNotAWriterIsDeniedEveryWriteAndToldWhichKeyAllowsIt() throws Exception {
    start(0, List.of(ownUid() + 1));
    store.put("/kept", new byte[] {1});
    try (RawClient c = RawClient.v2(sock, CAPS, 10)) {
      c.send(v2(1, 0x01, PUT, "/new"), v2(2, 0x01, DELETE, "/kept"), v2(3, 0x01, COMMIT, "/new"),
          v2(4, 0x01, ABORT, "/new"));
      for (int id = 1; id <= 4; id++) {
        Frame f = c.readV2().assertError(0x06);
        assertThat(f.id()).isEqualTo(id);
        assertThat(f.error()).contains("uid " + ownUid()).contains("writer_uids");
      }
    }
    assertThat(store.exists("/kept")).isTrue();
    assertThat(store.exists("/new")).isFalse();
    assertThat(temporaries()).isEmpty();
  }

  @Test
  void withoutTheWriteCapabilityTheWriteModesAreInvalid() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, 0x0013, 10)) {
      c.send(v2(1, 0x01, PUT, "/new"), v2(2, 0x01, DELETE, "/new"));
      assertThat(c.readV2().assertError(0x03).error()).contains("WRITE");
      assertThat(c.readV2().assertError(0x03).id()).isEqualTo(2);
    }
  }

  @Test
  void v1HasNoWriteModes() throws Exception {
    start();
    try (RawClient c = RawClient.connect(sock)) {
      c.send(v1(PUT, "/new"));
      c.readV1().assertError(0x03);
      assertThat(c.atEof()).as("V1 framing after an unknown mode cannot be trusted, as before").isTrue();
    }
    assertThat(noTemporaries()).isTrue();
  }

  @Test
  void badNamesAndUnmatchedCommitsAreInvalidRequests() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, CAPS, 10)) {
      c.send(v2(1, 0x01, PUT, "/../outside"), v2(2, 0x01, PUT, "/a//b"), v2(3, 0x01, DELETE, "/../x"),
          v2(4, 0x01, COMMIT, "/never"), v2(5, 0x01, ABORT, "/never"), v2(6, 0x01, PUT, "no-slash"));
      for (int id = 1; id <= 6; id++) {
        Frame f = c.readV2().assertError(0x02);
        assertThat(f.id()).isEqualTo(id);
        assertThat(f.error()).isNotEmpty();
      }
      c.send(v2(7, 0x01, PUT, "/twice"));
      c.readV2();
      Fds.close(c.readDescriptor());
      c.send(v2(8, 0x01, PUT, "/twice"));
      assertThat(c.readV2().assertError(0x02).error()).contains("already pending");
    }
    await("the pending put aborted", this::noTemporaries);
    assertThat(dir.resolve("outside")).doesNotExist();
  }

  @Test
  void putsPendingOnOneConnectionAreBoundedAndAbortedWhenItCloses() throws Exception {
    start();
    List<String> before = Fds.describeOpen();
    try (RawClient c = RawClient.v2(sock, CAPS, 100)) {
      for (int i = 0; i < Connection.MAX_PENDING_PUTS; i++) {
        c.send(v2(i, 0x01, PUT, "/p/" + i));
        assertThat(c.readV2().status()).isZero();
        Fds.close(c.readDescriptor());
      }
      c.send(v2(99, 0x01, PUT, "/p/one-too-many"));
      Frame f = c.readV2().assertError(0x14);
      assertThat(f.error()).contains("at most " + Connection.MAX_PENDING_PUTS);
      assertThat(temporaries()).hasSize(Connection.MAX_PENDING_PUTS);
    }
    await("every pending put aborted", this::noTemporaries);
    await("connection gone", () -> server.connectionCount() == 0);
    List<String> left = new java.util.ArrayList<>(Fds.describeOpen());
    left.removeAll(before);
    assertThat(left).as("descriptors of temporary files still open in the server")
        .noneMatch(d -> d.contains(AtomicWrite.TEMP_PREFIX));
    assertThat(store.list("/p/")).isEmpty();
  }

  @Test
  void aCommitThatDoesNotFitIsAStorageErrorAndLeavesNothing() throws Exception {
    start(100, null);
    try (RawClient c = RawClient.v2(sock, CAPS, 10)) {
      c.send(v2(1, 0, PUT, "/big"));
      c.readV2();
      write(c.readDescriptor(), "x".repeat(200));
      c.send(v2(2, 0, COMMIT, "/big"));
      Frame f = c.readV2().assertError(0x11);
      assertThat(f.error()).contains("/big").contains("200 bytes");
      c.send(v2(3, 0, COMMIT, "/big"));
      assertThat(c.readV2().assertError(0x02).error()).contains("no put");
    }
    assertThat(temporaries()).isEmpty();
    assertThat(store.exists("/big")).isFalse();
  }

  @Test
  void putFlagsMakeThePublishedObjectPinned() throws Exception {
    start();
    try (RawClient c = RawClient.v2(sock, CAPS, 10)) {
      c.send(v2(1, 0x08, PUT, "/pinned"));
      c.readV2();
      write(c.readDescriptor(), "p");
      c.send(v2(2, 0, COMMIT, "/pinned"));
      assertThat(c.readV2().status()).isZero();
    }
    assertThat(store.stat("/pinned").orElseThrow().pinned()).isTrue();
  }

  @Test
  void overTcpPutsAreUnsupportedAndDeletesAreDenied() throws Exception {
    start();
    store.put("/kept", new byte[] {1});
    try (SocketChannel tcp = SocketChannel.open(server.tcpAddress())) {
      ByteBuffer out = ByteBuffer.wrap(RawClient.concat(RawClient.hello(CAPS, 10), v2(1, 0x01, PUT, "/t"),
          v2(2, 0x01, DELETE, "/kept")));
      while (out.hasRemaining()) {
        tcp.write(out);
      }
      ByteBuffer in = ByteBuffer.allocate(4096);
      // HELLO_ACK (10 bytes), then two error answers: 16-byte header (status at 5, metadata_len at 14) + TLV.
      int first = 10;
      readAtLeast(tcp, in, first + 16);
      assertThat(in.get(first + 5)).as("PUT over TCP").isEqualTo((byte) 0x05);
      int second = first + 16 + (in.getShort(first + 14) & 0xFFFF);
      readAtLeast(tcp, in, second + 16);
      assertThat(in.get(second + 5)).as("DELETE from a peer without credentials").isEqualTo((byte) 0x06);
    }
    assertThat(store.exists("/kept")).isTrue();
  }

  @Test
  void statAnswersMetadataAndOneListingLineAndListOneLinePerObjectForAnyPeer() throws Exception {
    start(0, List.of()); // no writers: reading the listing needs none
    store.put("/l/a", "abc".getBytes(StandardCharsets.UTF_8));
    store.put("/l/b/c", new byte[10], io.objmapper.ObjectFlag.PINNED);
    store.put("/m", new byte[1]);
    long mtime = store.stat("/l/a").orElseThrow().mtimeMillis() / 1000;
    try (RawClient c = RawClient.v2(sock, INSPECT_CAPS, 10)) {
      c.send(v2(1, 0x01, STAT, "/l/a"));
      Frame f = c.readV2();
      assertThat(f.status()).isZero();
      assertThat(f.u64(0x01)).isEqualTo(3);
      assertThat(f.u64(0x02)).isEqualTo(mtime);
      assertThat(new String(f.tlvs().get(0x80), StandardCharsets.UTF_8)).as("TIERS: the names of ids").isEqualTo("disk");
      assertThat(new String(c.read((int) f.contentLength()), StandardCharsets.UTF_8))
          .isEqualTo("/l/a\t3\t0\t" + mtime + "\t0\n");

      c.send(v2(2, 0x01, LIST, "/l/"));
      Frame l = c.readV2();
      assertThat(l.status()).isZero();
      assertThat(Hex.of(l.metadata())).as("TIERS only").isEqualTo("80 00 04 64 69 73 6b");
      long mtimeC = store.stat("/l/b/c").orElseThrow().mtimeMillis() / 1000;
      assertThat(new String(c.read((int) l.contentLength()), StandardCharsets.UTF_8))
          .isEqualTo("/l/a\t3\t0\t" + mtime + "\t0\n/l/b/c\t10\t0\t" + mtimeC + "\t2\n");

      c.send(v2(3, 0x01, LIST, "/none/"), v2(4, 0x01, STAT, "/missing"), v2(5, 0x01, LIST, "no-slash"),
          v2(6, 0x01, STAT, "/a//b"), v2(7, 0x01, LIST, "/../"), v2(8, 0x01, COPY, "/m"));
      // An empty listing: status 0, content_len 0, its TIERS, nothing follows (the next answer comes at once).
      assertThat(Hex.of(c.read(16))).isEqualTo("02 00 00 00 03 00 00 00 00 00 00 00 00 00 00 07");
      assertThat(Hex.of(c.read(7))).isEqualTo("80 00 04 64 69 73 6b");
      assertThat(c.readV2().assertError(0x01).id()).isEqualTo(4);
      assertThat(c.readV2().assertError(0x02).id()).isEqualTo(5);
      assertThat(c.readV2().assertError(0x02).id()).isEqualTo(6);
      assertThat(c.readV2().assertError(0x02).id()).isEqualTo(7);
      assertThat(c.readV2().id()).isEqualTo(8);
    }
    try (RawClient c = RawClient.v2(sock, 0x0013, 10)) {
      c.send(v2(1, 0, STAT, "/m"));
      assertThat(c.readV2().assertError(0x03).error()).contains("INSPECT");
    }
  }

  private static void readAtLeast(SocketChannel ch, ByteBuffer in, int n) throws IOException {
    while (in.position() < n) {
      assertThat(ch.read(in)).as("bytes before the end").isPositive();
    }
  }
}
