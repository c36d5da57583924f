package io.objmapper;

import io.objmapper.internal.fdcache.OpenFile;
import io.objmapper.internal.fdcache.PrivateFile;
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
 * <p>{@link #read(ByteBuffer, long)} reads positionally through the store's own cached
 * descriptor and costs no open. {@link #channel()} and {@link #descriptor()} are this
 * lease's own open file description of the version (opened at the first call of either,
 * closed with the lease): its position, relative reads, status flags and {@code close()}
 * reach no other lease, receiver or the store.
 */
public final class ObjectLease implements AutoCloseable {
  private static final AtomicIntegerFieldUpdater<ObjectLease> CLOSED =
      AtomicIntegerFieldUpdater.newUpdater(ObjectLease.class, "closed");

  private final OpenFile file;
  private final String tier;
  private volatile int closed;
  /** This lease's own description, opened by the first channel() or descriptor(). */
  private PrivateFile own;

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

  /**
   * A read-only channel of this lease's own (position 0 at first): relative reads, its
   * position and closing it disturb no other lease. Closed with the lease at the latest.
   */
  public FileChannel channel() {
    return own().channel();
  }

  /**
   * This lease's own open descriptor (the channel's), e.g. to pass to another process: a
   * description no other lease or receiver holds. Closed with the lease.
   */
  public FileDescriptor descriptor() {
    return own().descriptor();
  }

  private synchronized PrivateFile own() {
    checkOpen();
    if (own == null) {
      try {
        own = file.openPrivate();
      } catch (UncheckedIOException e) {
        throw new StorageException(e.getMessage(), e.getCause());
      }
    }
    return own;
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
      PrivateFile mine;
      synchronized (this) {
        mine = own;
        own = null;
      }
      if (mine != null) {
        mine.release();
      }
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
