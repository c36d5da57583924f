package io.objmapper;

import io.objmapper.internal.fdcache.OpenFile;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The one handle to an open object: a read-only channel and descriptor of the version that
 * was current when it was opened, its size and the tier it came from. While the lease is
 * open the descriptor stays open, even if the object is overwritten, moved, deleted or
 * its cache entry evicted; {@link #close()} gives the reference back.
 *
 * <pre>{@code
 * try (ObjectLease lease = mapper.open("/photos/cat.jpg")) {
 *   ByteBuffer buf = ByteBuffer.allocate((int) lease.size());
 *   lease.read(buf, 0);
 * }
 * }</pre>
 *
 * <p>The channel is shared by every lease of the same version: read it with positional
 * reads ({@link #read(ByteBuffer, long)}, {@link FileChannel#read(ByteBuffer, long)},
 * {@link FileChannel#transferTo}); its own position belongs to no one. Do not close the
 * channel: close the lease.
 */
public final class ObjectLease implements AutoCloseable {
  private static final AtomicIntegerFieldUpdater<ObjectLease> CLOSED =
      AtomicIntegerFieldUpdater.newUpdater(ObjectLease.class, "closed");

  private final OpenFile file;
  private final String tier;
  private volatile int closed;

  ObjectLease(OpenFile file, String tier) {
    this.file = file;
    this.tier = tier;
  }

  /** The object's name. */
  public String name() {
    return file.name();
  }

  /** Size in bytes of the version this lease reads. */
  public long size() {
    return file.size();
  }

  /** Modification time of this version, milliseconds since the epoch. */
  public long mtimeMillis() {
    return file.stat().mtimeMillis();
  }

  /** Name of the tier the object was opened from. */
  public String tier() {
    return tier;
  }

  /** Position of that tier in the configuration, from 0. */
  public int tierId() {
    return file.tierId();
  }

  /** The read-only channel (shared: use positional reads only; do not close it). */
  public FileChannel channel() {
    checkOpen();
    return file.channel();
  }

  /** The open descriptor, e.g. to pass to another process. */
  public FileDescriptor descriptor() {
    checkOpen();
    return file.descriptor();
  }

  /** Reads into {@code dst} from {@code position}; returns bytes read, or -1 at the end. */
  public int read(ByteBuffer dst, long position) throws IOException {
    checkOpen();
    return file.channel().read(dst, position);
  }

  /** The whole content of this version. */
  public byte[] readAllBytes() {
    long size = size();
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("object of " + size + " bytes does not fit in an array");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size);
    try {
      while (buf.hasRemaining()) {
        if (read(buf, buf.position()) < 0) {
          throw new StorageException("object " + name() + " shrank while being read", null);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.array();
  }

  public boolean isOpen() {
    return closed == 0;
  }

  /** Gives the reference back. Idempotent. */
  @Override
  public void close() {
    if (CLOSED.compareAndSet(this, 0, 1)) {
      file.release();
    }
  }

  private void checkOpen() {
    if (closed != 0) {
      throw new IllegalStateException("lease closed");
    }
  }

  @Override
  public String toString() {
    return "ObjectLease{" + name() + ", " + size() + " bytes, tier " + tier + (closed != 0 ? ", closed" : "") + "}";
  }
}
