package io.objmapper.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.ObjMapper;
import io.objmapper.ObjMapperException;
import io.objmapper.ObjectFlag;
import io.objmapper.PermissionDeniedException;
import io.objmapper.StorageException;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.PutContentException;
import io.objmapper.client.RemoteObject;
import io.objmapper.client.StoredObject;
import io.objmapper.protocol.Mode;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.dir.AtomicWrite;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link ObjMapperClient#put} and {@link ObjMapperClient#delete} against a store's server. */
@Timeout(120)
class ClientWriteTest {
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
    root = Files.createDirectories(dir.resolve("disk"));
    TierConfig.Builder t = TierConfig.builder().name("disk").type("fs").root(root)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE);
    if (capacity > 0) {
      t.capacityBytes(capacity);
    }
    store = ObjMapper.builder().tier(t.build()).build();
    sock = dir.resolve("s.sock");
    ObjectServer.Builder b = ObjectServer.builder(store).unixSocket(sock);
    if (writers != null) {
      b.writerUids(writers);
    }
    server = b.build().start();
  }

  private List<Path> temporaries() throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(AtomicWrite.TEMP_PREFIX)).toList();
    }
  }

  private static String text(RemoteObject o) {
    return new String(o.bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void putFromBytesPathAndStreamThenGetAndDelete() throws Exception {
    start(0, null);
    Path file = Files.writeString(dir.resolve("src.txt"), "from a file");
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect()) {
      StoredObject a = c.put("/a", "bytes".getBytes(StandardCharsets.UTF_8));
      assertThat(a).isEqualTo(new StoredObject("/a", 5, a.mtimeSeconds(), 0, false, false));
      assertThat(c.put("/dir/b", file).size()).isEqualTo(11);
      assertThat(c.put("/c", new ByteArrayInputStream("streamed".getBytes(StandardCharsets.UTF_8)),
          ObjectFlag.PINNED).size()).isEqualTo(8);
      try (RemoteObject o = c.get("/a", Mode.COPY)) {
        assertThat(text(o)).isEqualTo("bytes");
      }
      try (RemoteObject o = c.get("/dir/b", Mode.COPY)) {
        assertThat(text(o)).isEqualTo("from a file");
      }
      assertThat(store.stat("/c").orElseThrow().pinned()).isTrue();
      c.put("/a", "replaced".getBytes(StandardCharsets.UTF_8));
      try (RemoteObject o = c.get("/a")) {
        assertThat(text(o)).isEqualTo("replaced");
      }
      assertThat(c.stat("/c")).hasValueSatisfying(o -> {
        assertThat(o.size()).isEqualTo(8);
        assertThat(o.pinned()).isTrue();
        assertThat(o.tierId()).isZero();
      });
      assertThat(c.stat("/missing")).isEmpty();
      assertThat(c.list("/")).extracting(StoredObject::name).containsExactly("/a", "/c", "/dir/b");
      assertThat(c.list("/dir/")).singleElement().extracting(StoredObject::size).isEqualTo(11L);
      assertThat(c.delete("/a")).isTrue();
      assertThat(c.delete("/a")).isFalse();
      assertThat(store.exists("/a")).isFalse();
    }
    assertThat(temporaries()).isEmpty();
  }

  @Test
  void refusalsAreTypedExceptionsAndLeaveNothingBehind() throws Exception {
    start(64, null);
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect()) {
      assertThatThrownBy(() -> c.put("/big", new byte[100])).isInstanceOf(StorageException.class)
          .hasMessageContaining("does not fit");
      assertThatThrownBy(() -> c.put("/../x", new byte[1])).isInstanceOfSatisfying(ObjMapperException.class,
          e -> assertThat(e.code()).isEqualTo(io.objmapper.ErrorCode.INVALID_REQUEST));
      InputStream failing = new InputStream() {
        @Override
        public int read() throws IOException {
          throw new IOException("source failed");
        }
      };
      assertThatThrownBy(() -> c.put("/half", failing)).isInstanceOfSatisfying(PutContentException.class, e -> {
        assertThat(e.objectName()).isEqualTo("/half");
        assertThat(e.getCause()).hasMessage("source failed");
        assertThat(e).hasMessage("the content of /half could not be written: source failed");
      });
      assertThatThrownBy(() -> c.put("/shrunk", new ShrunkChannel())).isInstanceOf(PutContentException.class)
          .hasCauseInstanceOf(java.io.EOFException.class);
      assertThat(c.put("/small", new byte[10]).size()).as("the connection still works").isEqualTo(10);
    }
    assertThat(store.exists("/big")).isFalse();
    assertThat(store.exists("/half")).isFalse();
    assertThat(store.exists("/shrunk")).isFalse();
    assertThat(temporaries()).isEmpty();
  }

  @Test
  void aPeerNotListedAsAWriterGetsPermissionDenied() throws Exception {
    start(0, List.of());
    store.put("/kept", new byte[] {1});
    try (ObjMapperClient c = ObjMapperClient.unix(sock).connect()) {
      assertThatThrownBy(() -> c.put("/new", new byte[1])).isInstanceOf(PermissionDeniedException.class)
          .hasMessageContaining("writer_uids");
      assertThatThrownBy(() -> c.delete("/kept")).isInstanceOf(PermissionDeniedException.class);
    }
    assertThat(store.exists("/kept")).isTrue();
  }

  @Test
  void aV1ClientCannotWrite() throws Exception {
    start(0, null);
    try (ObjMapperClient c = ObjMapperClient.unix(sock).version(1).connect()) {
      assertThatThrownBy(() -> c.put("/a", new byte[1])).isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("WRITE");
    }
  }

  /**
   * Readers fetching an object while a writer replaces it again and again see one whole
   * version each time: all 'a' (1000 bytes) or all 'b' (3000 bytes), never a mix or a part.
   */
  @Test
  void readersSeeTheOldVersionOrTheNewOneNeverAPartialOne() throws Exception {
    start(0, null);
    byte[] a = new byte[1000];
    Arrays.fill(a, (byte) 'a');
    byte[] b = new byte[3000];
    Arrays.fill(b, (byte) 'b');
    store.put("/hot", a);
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> readers = pool.submit(() -> {
        int seen = 0;
        try (ObjMapperClient c = ObjMapperClient.unix(sock).connect()) {
          while (writing.get() || seen < 100) {
            for (Mode mode : new Mode[] {Mode.FDPASS, Mode.COPY}) {
              try (RemoteObject o = c.get("/hot", mode)) {
                byte[] got = o.bytes();
                byte first = got[0];
                byte[] expected = first == 'a' ? a : b;
                assertThat(got).as("a whole version, fetched by %s", mode).isEqualTo(expected);
                seen++;
              }
            }
          }
        }
        return seen;
      });
      Future<?> writer = pool.submit(() -> {
        try (ObjMapperClient c = ObjMapperClient.unix(sock).connect()) {
          for (int i = 0; i < 200; i++) {
            c.put("/hot", i % 2 == 0 ? b : a);
          }
        } finally {
          writing.set(false);
        }
        return null;
      });
      writer.get();
      assertThat(readers.get()).isGreaterThanOrEqualTo(100);
    } finally {
      writing.set(false);
      pool.shutdownNow();
    }
    assertThat(temporaries()).isEmpty();
  }

  /** A channel that says it holds 10 bytes and gives none: a file truncated while being sent. */
  private static final class ShrunkChannel extends java.nio.channels.FileChannel {
    @Override
    public long size() {
      return 10;
    }

    @Override
    public long transferTo(long position, long count, java.nio.channels.WritableByteChannel target) {
      return 0;
    }

    @Override
    public int read(java.nio.ByteBuffer dst) {
      return -1;
    }

    @Override
    public long read(java.nio.ByteBuffer[] dsts, int offset, int length) {
      return -1;
    }

    @Override
    public int read(java.nio.ByteBuffer dst, long position) {
      return -1;
    }

    @Override
    public int write(java.nio.ByteBuffer src) {
      throw new java.nio.channels.NonWritableChannelException();
    }

    @Override
    public long write(java.nio.ByteBuffer[] srcs, int offset, int length) {
      throw new java.nio.channels.NonWritableChannelException();
    }

    @Override
    public int write(java.nio.ByteBuffer src, long position) {
      throw new java.nio.channels.NonWritableChannelException();
    }

    @Override
    public long position() {
      return 0;
    }

    @Override
    public java.nio.channels.FileChannel position(long newPosition) {
      return this;
    }

    @Override
    public java.nio.channels.FileChannel truncate(long size) {
      throw new java.nio.channels.NonWritableChannelException();
    }

    @Override
    public void force(boolean metaData) {
    }

    @Override
    public long transferFrom(java.nio.channels.ReadableByteChannel src, long position, long count) {
      throw new java.nio.channels.NonWritableChannelException();
    }

    @Override
    public java.nio.MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.nio.channels.FileLock lock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.nio.channels.FileLock tryLock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    protected void implCloseChannel() {
    }
  }
}
