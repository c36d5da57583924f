package io.objmapper.spi.contract;

import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierAccessException;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A remote tier that keeps its objects in the heap: proof that the SPI admits a tier that is
 * not local ({@link #localFiles()} is empty, the interface's default, so
 * reads go through {@link #openStream}), and a second
 * implementation for the contract kit to run on.
 *
 * <p>Each stored version is an immutable array, so a stream opened on a version keeps
 * reading it, and a write publishes the new array only once its source is fully read.
 */
public final class InMemoryRemoteTier implements Tier {
  private record Stored(byte[] bytes, ObjectStat stat) {}

  private final TierConfig config;
  private final ConcurrentSkipListMap<String, Stored> objects = new ConcurrentSkipListMap<>();
  private final AtomicLong versions = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object countLock = new Object();
  private long usedBytes;

  /** A tier described by {@code config}; its root, if any, is not used. */
  public InMemoryRemoteTier(TierConfig config) {
    this.config = config;
  }

  @Override
  public TierConfig config() {
    return config;
  }

  @Override
  public ObjectStat stat(String name) {
    ObjectNames.validateStorable(name);
    ensureOpen();
    Stored s = objects.get(name);
    return s == null ? null : s.stat();
  }

  @Override
  public InputStream openStream(String name) throws IOException {
    ObjectNames.validateStorable(name);
    ensureOpen();
    TierAccessException.check(config, TierFlag.READABLE);
    Stored s = objects.get(name);
    if (s == null) {
      throw new NoSuchFileException(name, null, "no such object in tier \"" + name() + "\"");
    }
    return new ByteArrayInputStream(s.bytes());
  }

  @Override
  public ObjectStat write(String name, InputStream source) throws IOException {
    checkWrite(name);
    return store(name, source.readAllBytes());
  }

  @Override
  public ObjectStat write(String name, ByteBuffer source) throws IOException {
    checkWrite(name);
    byte[] bytes = new byte[source.remaining()];
    source.get(bytes);
    return store(name, bytes);
  }

  @Override
  public ObjectStat write(String name, FileChannel source, long position, long count)
      throws IOException {
    checkWrite(name);
    if (position < 0 || count < 0) {
      throw new IllegalArgumentException(position < 0 ? "position < 0" : "count < 0");
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw new IOException("object too large for an in-memory tier: " + count + " bytes");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) count);
    while (buf.hasRemaining()) {
      int n = source.read(buf, position + buf.position());
      if (n < 0) {
        throw new EOFException("source ended after " + buf.position() + " of " + count + " bytes");
      }
    }
    return store(name, buf.array());
  }

  @Override
  public boolean delete(String name) throws IOException {
    checkWrite(name);
    synchronized (countLock) {
      Stored old = objects.remove(name);
      if (old == null) {
        return false;
      }
      usedBytes -= old.bytes().length;
      return true;
    }
  }

  @Override
  public long scan(ScanVisitor visitor, ScanProgress progress) throws IOException {
    ensureOpen();
    long count = 0;
    long bytes = 0;
    for (Map.Entry<String, Stored> e : objects.entrySet()) {
      visitor.visit(e.getKey(), e.getValue().stat());
      count++;
      bytes += e.getValue().bytes().length;
      progress.progress(count, bytes);
    }
    progress.progress(count, bytes);
    return count;
  }

  @Override
  public long usedBytes() {
    ensureOpen();
    synchronized (countLock) {
      return usedBytes;
    }
  }

  @Override
  public long objectCount() {
    ensureOpen();
    return objects.size();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      objects.clear();
    }
  }

  private void checkWrite(String name) throws TierAccessException {
    ObjectNames.validateStorable(name);
    ensureOpen();
    TierAccessException.check(config, TierFlag.WRITABLE);
  }

  private ObjectStat store(String name, byte[] bytes) {
    ObjectStat stat = new ObjectStat(bytes.length, System.currentTimeMillis(), versions.incrementAndGet());
    synchronized (countLock) {
      Stored old = objects.put(name, new Stored(bytes, stat));
      usedBytes += bytes.length - (old == null ? 0 : old.bytes().length);
    }
    return stat;
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("tier \"" + name() + "\" is closed");
    }
  }
}
