package io.objmapper.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.objmapper.ObjMapper;
import io.objmapper.ObjectLease;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import io.objmapper.protocol.Capabilities;
import io.objmapper.protocol.Mode;
import io.objmapper.protocol.Protocol;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.testing.ChildJvm;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every receiver of a passed descriptor gets an open file description of its own (issue 9,
 * repro 1): one receiver's relative reads, seeks, status flags (O_NONBLOCK, O_APPEND,
 * O_DIRECT) or close reach no other receiver, no lease and none of the server's own reads;
 * only peers that negotiated SHARED_FD share the cached description.
 */
class PrivateDescriptorTest {
  /** fcntl(2), to set status flags on a received descriptor as a hostile receiver would. */
  interface LibC extends Library {
    LibC C = Native.load(Platform.C_LIBRARY_NAME, LibC.class);

    int fcntl(int fd, int cmd, int arg);
  }

  static final int F_GETFL = 3;
  static final int F_SETFL = 4;
  static final int O_APPEND = 02000;
  static final int O_NONBLOCK = 04000;
  static final int O_DIRECT = Platform.ARCH.startsWith("aarch64") || Platform.isARM() ? 0200000 : 040000;

  static final String NAME = "/data/object.bin";
  static final int SIZE = 64 * 1024;

  @TempDir Path dir;
  ObjMapper store;
  ObjectServer server;
  Path sock;
  byte[] content;

  @BeforeEach
  void start() throws Exception {
    store = ObjMapper.builder()
        .tier(TierConfig.builder().name("disk").type("fs").root(Files.createDirectories(dir.resolve("disk")))
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).build())
        .build();
    content = new byte[SIZE];
    for (int i = 0; i < SIZE; i++) {
      content[i] = (byte) (i * 31 + 7);
    }
    store.put(NAME, content);
    sock = dir.resolve("s.sock");
    server = ObjectServer.builder(store).unixSocket(sock).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  /** Reads {@code fd} with plain read(2) from wherever its offset is, to the end. */
  static byte[] readRelative(FileDescriptor fd) throws IOException {
    FileChannel ch = new FileInputStream(fd).getChannel();
    ByteBuffer buf = ByteBuffer.allocate(SIZE + 1);
    while (ch.read(buf) > 0) {
      // to the end
    }
    return java.util.Arrays.copyOf(buf.array(), buf.position());
  }

  static int flags(FileDescriptor fd) throws IOException {
    return LibC.C.fcntl(Fds.number(fd), F_GETFL, 0);
  }

  /** The kernel's offset of {@code fd}'s open file description. */
  static long offset(FileDescriptor fd) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + Fds.number(fd)))) {
      if (line.startsWith("pos:")) {
        return Long.parseLong(line.substring(4).trim());
      }
    }
    throw new IOException("no pos in fdinfo");
  }

  @Test
  void aReceiverReadingRelativelyLeavesTheNextReceiverAtOffsetZero() throws Exception {
    try (ObjMapperClient a = ObjMapperClient.unix(sock).connect();
        ObjMapperClient b = ObjMapperClient.unix(sock).version(Protocol.VERSION_1).connect();
        RemoteObject first = a.get(NAME)) {
      assertThat(readRelative(first.descriptor())).isEqualTo(content);
      assertThat(offset(first.descriptor())).isEqualTo(SIZE);
      try (RemoteObject second = b.get(NAME); RemoteObject third = a.get(NAME)) {
        assertThat(offset(second.descriptor())).isZero();
        assertThat(readRelative(second.descriptor())).isEqualTo(content);
        assertThat(readRelative(third.descriptor())).isEqualTo(content);
      }
    }
  }

  @Test
  void aSegmentedAnswersDescriptorIsTheReceiversOwn() throws Exception {
    try (RawClient c = RawClient.v2(sock, Capabilities.SEGMENTED, 4)) {
      FileDescriptor[] got = new FileDescriptor[2];
      for (int i = 0; i < 2; i++) {
        c.send(RawClient.v2(i + 1, 0, RawClient.SEGMENTED, NAME));
        RawClient.Frame f = c.readV2();
        assertThat(f.type()).isEqualTo(RawClient.Frame.SEGMENTED);
        assertThat(f.segmentCount()).isEqualTo(1);
        c.read(Protocol.SEGMENT_ENTRY_LENGTH);
        got[i] = c.readDescriptor();
      }
      assertThat(readRelative(got[0])).isEqualTo(content);
      assertThat(offset(got[1])).isZero();
      assertThat(readRelative(got[1])).isEqualTo(content);
      Fds.close(got[0]);
      Fds.close(got[1]);
    }
  }

  /** Waits for {@code condition} (a hung wait fails after 30 s rather than never). */
  private static void await(String what, java.util.function.BooleanSupplier condition) {
    await(what, condition, 30);
  }

  private static void await(String what, java.util.function.BooleanSupplier condition, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  @Test
  void aDescriptorAnswerWaitingBehindAnUnreadCopyAnswerKeepsItsOwnDescriptionOpenUntilSent() throws Exception {
    byte[] big = new byte[8 * 1024 * 1024];
    for (int i = 0; i < big.length; i += 4096) {
      big[i] = (byte) (i >>> 12);
    }
    store.put("/data/big.bin", big);
    StoreHandler inner = StoreHandler.of(store);
    CountDownLatch go = new CountDownLatch(1);
    RequestHandler slow = new RequestHandler() {
      @Override
      public ServedObject acquire(String uri) {
        if (uri.equals(NAME)) {
          try {
            go.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return inner.acquire(uri);
      }

      @Override
      public boolean mayBlock(String uri) {
        return uri.equals(NAME); // served by a worker, which posts its answer to the I/O thread
      }
    };
    Path slowSock = dir.resolve("slow.sock");
    try (ObjectServer s = ObjectServer.builder(slow).unixSocket(slowSock).build().start();
        RawClient c = RawClient.v2(slowSock, Capabilities.OOO_REPLIES, 4)) {
      c.send(RawClient.v2(2, 0, RawClient.FDPASS, NAME), RawClient.v2(1, 0, RawClient.COPY, "/data/big.bin"));
      await("the COPY answer waits for this client to read", () -> s.waitingForReader.get() > 0);
      go.countDown();
      await("the worker posted the descriptor answer", () -> s.backendWorkers.getCompletedTaskCount() >= 1);
      // the descriptor answer now waits behind the unread COPY answer, holding its own description
      RawClient.Frame copy = c.readV2();
      assertThat(copy.id()).isEqualTo(1);
      assertThat(c.read((int) copy.contentLength())).isEqualTo(big);
      RawClient.Frame f = c.readV2();
      assertThat(f.id()).isEqualTo(2);
      assertThat(f.status()).isZero();
      FileDescriptor queued = c.readDescriptor();
      try (ObjMapperClient other = ObjMapperClient.unix(sock).connect(); RemoteObject first = other.get(NAME)) {
        assertThat(readRelative(first.descriptor())).isEqualTo(content);
        assertThat(offset(queued)).isZero();
        assertThat(readRelative(queued)).isEqualTo(content);
      } finally {
        Fds.close(queued);
      }
    }
  }

  @Test
  void statusFlagsOneReceiverSetsReachNoOtherReceiverNorTheServersCopyAnswers() throws Exception {
    try (ObjMapperClient a = ObjMapperClient.unix(sock).connect();
        RemoteObject hostile = a.get(NAME)) {
      FileDescriptor fd = hostile.descriptor();
      int set = flags(fd) | O_NONBLOCK | O_APPEND | O_DIRECT;
      assertThat(LibC.C.fcntl(Fds.number(fd), F_SETFL, set)).isZero();
      assertThat(flags(fd) & (O_NONBLOCK | O_APPEND | O_DIRECT)).isEqualTo(O_NONBLOCK | O_APPEND | O_DIRECT);
      try (ObjMapperClient b = ObjMapperClient.unix(sock).connect();
          RemoteObject other = b.get(NAME);
          RemoteObject copied = b.get(NAME, Mode.COPY)) {
        assertThat(flags(other.descriptor()) & (O_NONBLOCK | O_APPEND | O_DIRECT)).isZero();
        ByteBuffer small = ByteBuffer.allocate(10); // unaligned: EINVAL under O_DIRECT
        assertThat(other.channel().read(small, 3)).isEqualTo(10);
        assertThat(readRelative(other.descriptor())).isEqualTo(content);
        assertThat(copied.bytes()).isEqualTo(content);
      }
    }
  }

  @Test
  void aPassedDescriptorIsReadOnly() throws Exception {
    try (ObjMapperClient a = ObjMapperClient.unix(sock).connect(); RemoteObject o = a.get(NAME)) {
      assertThat(Fds.accessMode(o.descriptor())).isEqualTo(Fds.O_RDONLY);
    }
  }

  @Test
  void aChildProcessReadingRelativelyLeavesTheNextFetchAtOffsetZero() throws Exception {
    Path err = dir.resolve("child.err");
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    // The C client's way: fetch, read(2) to the end, keep the descriptor; then fetch again.
    Process child = ChildJvm.start(RelativeReader.class, List.of(), List.of(sock.toString(), NAME, "3"), err);
    ChildJvm.pumpLines(child, lines, "child-stdout");
    List<String> got = new ArrayList<>();
    for (String line = lines.poll(60, TimeUnit.SECONDS); line != null && !line.equals(ChildJvm.EOF);
        line = lines.poll(60, TimeUnit.SECONDS)) {
      got.add(line);
    }
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(got).as(ChildJvm.tail(err, 20)).containsExactly("read " + SIZE, "read " + SIZE, "read " + SIZE);
    try (ObjMapperClient a = ObjMapperClient.unix(sock).connect(); RemoteObject o = a.get(NAME)) {
      assertThat(readRelative(o.descriptor())).isEqualTo(content);
    }
  }

  /** A child process's client: fetches an object N times, reading each with read(2), closing none until the end. */
  public static final class RelativeReader {
    public static void main(String[] args) throws Exception {
      int times = Integer.parseInt(args[2]);
      try (ObjMapperClient c = ObjMapperClient.unix(Path.of(args[0])).version(Protocol.VERSION_1).connect()) {
        List<RemoteObject> held = new ArrayList<>();
        for (int i = 0; i < times; i++) {
          RemoteObject o = c.get(args[1]);
          held.add(o);
          System.out.println("read " + readRelative(o.descriptor()).length);
        }
        for (RemoteObject o : held) {
          o.close();
        }
      }
    }
  }

  @Test
  void peersWithSharedFdShareTheCachedDescriptionWhichTheServersCopyAnswersNeverUse() throws Exception {
    try (ObjMapperClient a = ObjMapperClient.unix(sock).sharedDescriptors(true).connect();
        ObjMapperClient b = ObjMapperClient.unix(sock).sharedDescriptors(true).connect();
        ObjMapperClient plain = ObjMapperClient.unix(sock).connect()) {
      assertThat(a.session().has(Capabilities.SHARED_FD)).isTrue();
      assertThat(plain.session().has(Capabilities.SHARED_FD)).isFalse();
      try (RemoteObject fromA = a.get(NAME); RemoteObject fromB = b.get(NAME)) {
        FileDescriptor fd = fromA.descriptor();
        assertThat(LibC.C.fcntl(Fds.number(fd), F_SETFL, flags(fd) | O_DIRECT)).isZero();
        assertThat(flags(fromB.descriptor()) & O_DIRECT).as("one shared description").isEqualTo(O_DIRECT);
        try (RemoteObject copied = plain.get(NAME, Mode.COPY); RemoteObject own = plain.get(NAME)) {
          assertThat(copied.bytes()).isEqualTo(content);
          assertThat(flags(own.descriptor()) & O_DIRECT).isZero();
          assertThat(readRelative(own.descriptor())).isEqualTo(content);
        }
        try (ObjectLease lease = store.open(NAME)) {
          assertThat(lease.readAllBytes()).isEqualTo(content);
        }
      }
    }
  }

  @Test
  void sharedFdIsRefusedToPeersTheServerDoesNotTrustWithIt() throws Exception {
    try (ObjectServer strict = ObjectServer.builder(store).unixSocket(dir.resolve("strict.sock")).sharedDescriptorUids(List.of())
        .build().start();
        ObjMapperClient c = ObjMapperClient.unix(dir.resolve("strict.sock")).sharedDescriptors(true).connect();
        RemoteObject first = c.get(NAME);
        RemoteObject second = c.get(NAME)) {
      assertThat(c.session().has(Capabilities.SHARED_FD)).isFalse();
      assertThat(readRelative(first.descriptor())).isEqualTo(content);
      assertThat(offset(second.descriptor())).isZero();
    }
  }

  @Test
  void aLeasesChannelIsItsOwn() throws Exception {
    int before = Fds.openCount();
    try (ObjectLease one = store.open(NAME); ObjectLease two = store.open(NAME)) {
      FileChannel ch = one.channel();
      ch.position(100);
      ByteBuffer buf = ByteBuffer.allocate(SIZE);
      ch.read(buf);
      ch.close();
      assertThat(two.channel().position()).isZero();
      assertThat(readRelative(two.descriptor())).isEqualTo(content);
      assertThat(one.readAllBytes()).isEqualTo(content);
      assertThat(two.readAllBytes()).isEqualTo(content);
    }
    assertThat(Fds.openCount()).as("leases closed their own descriptions: %s", Fds.describeOpen())
        .isLessThanOrEqualTo(before + 1); // the cache's entry may stay open
  }

  @Test
  void aLeasesDescriptorIsNotTheStoresOrAnotherLeases() throws Exception {
    try (ObjectLease one = store.open(NAME); ObjectLease two = store.open(NAME)) {
      LibC.C.fcntl(Fds.number(one.descriptor()), F_SETFL, flags(one.descriptor()) | O_DIRECT | O_NONBLOCK);
      assertThat(flags(two.descriptor()) & (O_DIRECT | O_NONBLOCK)).isZero();
      assertThat(Fds.number(one.descriptor())).isNotEqualTo(Fds.number(two.descriptor()));
      assertThat(two.readAllBytes()).isEqualTo(content);
      assertThat(one.readAllBytes()).isEqualTo(content);
      try (ObjMapperClient c = ObjMapperClient.unix(sock).connect(); RemoteObject o = c.get(NAME, Mode.COPY)) {
        assertThat(o.bytes()).isEqualTo(content);
      }
    }
  }

  /**
   * A private description is opened through the tier (beneath its root, no links, checked to
   * be the cached version); when the file was swapped since the version was cached, for a
   * link to a secret or a new file, it is still the version the cache validated, never what
   * now sits at the path.
   */
  @Test
  void aDescriptionOpenedAfterTheFileWasSwappedIsStillTheCachedVersion() throws Exception {
    Path file = dir.resolve("disk").resolve(NAME.substring(1));
    Path secret = Files.writeString(dir.resolve("secret"), "secret");
    try (ObjectLease lease = store.open(NAME)) {
      FileDescriptor plain = store.open(NAME).descriptor();
      assertThat(Fds.target(plain)).as("opened through the tier: the object's own path").isEqualTo(file);
      assertThat(flags(plain) & O_NONBLOCK).as("handed out blocking, as any open file").isZero();

      Files.delete(file);
      Files.createSymbolicLink(file, secret);
      try (ObjectLease again = store.open(NAME)) {
        assertThat(readRelative(again.descriptor())).as("not the link's target").isEqualTo(content);
      }
      assertThat(readRelative(lease.descriptor())).isEqualTo(content);

      Files.delete(file);
      Files.write(file, new byte[] {1, 2, 3});
      try (ObjectLease again = store.open(NAME)) {
        byte[] got = readRelative(again.descriptor());
        assertThat(got).as("the cached version, or the new one whole; never a mix")
            .satisfiesAnyOf(b -> assertThat(b).isEqualTo(content), b -> assertThat(b).containsExactly(1, 2, 3));
      }
    }
  }

  /**
   * A client that asks for thousands of descriptors and reads none: the answers queued for it
   * hold no open description of their own while they wait (one at most, the answer being
   * written), and each is still the receiver's own, at offset 0, once it is read.
   */
  @Test
  void answersWaitingForAClientThatDoesNotReadHoldNoDescriptionsOfTheirOwn() throws Exception {
    int requests = 3000;
    try (RawClient c = RawClient.connect(sock)) {
      assertThat(c.send(RawClient.v1(RawClient.FDPASS, NAME)).readV1().status()).isZero(); // the object cached
      Fds.close(c.readDescriptor());
      int before = Fds.openCount();
      byte[][] reqs = new byte[requests][];
      java.util.Arrays.fill(reqs, RawClient.v1(RawClient.FDPASS, NAME));
      c.send(reqs);
      await("the server's writes to the client stall", () -> server.waitingForReader.get() > 0);
      // Once stalled the loop decodes no more; what it holds then is what the waiting answers hold.
      await("at most one description held for the waiting answers (open: " + Fds.openCount() + " of "
          + before + " before)", () -> Fds.openCount() <= before + 2, 5); // before the write timeout closes it
      for (int i = 0; i < requests; i++) {
        assertThat(c.readV1().status()).as("answer %d", i).isZero();
        FileDescriptor fd = c.readDescriptor();
        try {
          if (i % 500 == 0) {
            assertThat(offset(fd)).isZero();
            assertThat(readRelative(fd)).isEqualTo(content);
          }
        } finally {
          Fds.close(fd);
        }
      }
    }
  }

  @Test
  void theConfigurationsSharedFdUidsDecideWhoGetsSharedFd() throws Exception {
    Path seed = Path.of(System.getProperty("objmapper.testdata"), "config", "objmapper.conf");
    String text = Files.readString(seed).replaceFirst("\\{", "{ \"server\": {\"shared_fd_uids\": []},");
    Path config = Files.writeString(dir.resolve("nobody.conf"), text);
    try (ObjMapper fromFile = ObjMapper.open(config, dir.resolve("data"));
        ObjectServer s = ObjectServer.builder(fromFile).unixSocket(dir.resolve("conf.sock")).build().start();
        ObjMapperClient c = ObjMapperClient.unix(dir.resolve("conf.sock")).sharedDescriptors(true).connect()) {
      assertThat(c.session().has(Capabilities.SHARED_FD)).isFalse();
    }
  }
}
