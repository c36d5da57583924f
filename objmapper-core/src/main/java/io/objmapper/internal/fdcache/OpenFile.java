package io.objmapper.internal.fdcache;

import io.objmapper.spi.LocalFiles;
import io.objmapper.spi.ObjectStat;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open, read-only descriptor of one version of an object, shared by every reader and
 * reference-counted. The cache holds one reference while the entry is cached; each reader
 * holds one while it uses the descriptor. The descriptor is closed when the last reference
 * goes: an evicted file stays open for the readers that still hold it (deferred close).
 * A server adapts it to what it serves (see {@link #attach}); this package knows no server.
 */
public final class OpenFile {
  private final String name;
  private final int tierId;
  private final Path path;
  private final ObjectStat stat;
  private final FileInputStream file;
  private final FileDescriptor fd;
  private final AtomicInteger refs = new AtomicInteger(1);
  private final Object owner;
  volatile long checkedAtNanos;
  /**
   * What a consumer attached (a server's view of this descriptor), made once per descriptor
   * rather than per request. Its fields are final, so a plain field publishes it safely.
   */
  private Object attachment;

  OpenFile(String name, int tierId, Path path, ObjectStat stat, FileInputStream file, Object owner, long now)
      throws IOException {
    this.name = name;
    this.tierId = tierId;
    this.path = path;
    this.stat = stat;
    this.file = file;
    this.fd = file.getFD();
    this.owner = owner;
    this.checkedAtNanos = now;
  }

  public String name() {
    return name;
  }

  /** Where the file was when it was opened. */
  public Path path() {
    return path;
  }

  /** The stat of the version this descriptor reads. */
  public ObjectStat stat() {
    return stat;
  }

  /**
   * Something the opener attached (the engine's index entry), returned as is.
   */
  public Object owner() {
    return owner;
  }

  /** What {@link #attach} left here, or null. */
  public Object attachment() {
    return attachment;
  }

  /** Attaches {@code view} (an immutable object) for later {@link #attachment()} calls. */
  public void attach(Object view) {
    this.attachment = view;
  }

  /** Takes a reader's reference; false if the file is already closed. Lock-free. */
  public boolean tryAcquire() {
    for (;;) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Gives a reference back; the last one closes the descriptor. */
  public void release() {
    int r = refs.decrementAndGet();
    if (r == 0) {
      try {
        file.close();
      } catch (IOException e) {
        // read-only: nothing to flush, and the descriptor is gone either way
      }
    } else if (r < 0) {
      throw new IllegalStateException("released more often than acquired: " + name);
    }
  }

  /** References held now (the cache's included while cached). */
  public int references() {
    return refs.get();
  }

  public boolean isOpen() {
    return refs.get() > 0;
  }

  public FileDescriptor descriptor() {
    return fd;
  }

  public FileChannel channel() {
    return file.getChannel();
  }

  public long size() {
    return stat.size();
  }

  public long mtimeSeconds() {
    return Math.floorDiv(stat.mtimeMillis(), 1000);
  }

  public int tierId() {
    return tierId;
  }

  /**
   * Opens version {@code stat} of {@code name} through {@code files} (beneath the tier root,
   * no links, regular files only, never blocking); {@code null} if that version is not there.
   */
  static OpenFile open(String name, int tierId, LocalFiles files, ObjectStat stat, Object owner, long now) {
    try {
      FileInputStream in = files.openRead(name, stat);
      try {
        return new OpenFile(name, tierId, files.path(name), stat, in, owner, now);
      } catch (IOException | RuntimeException e) {
        in.close();
        throw e;
      }
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot open " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "OpenFile{" + name + ", tier " + tierId + ", refs " + refs.get() + "}";
  }
}
