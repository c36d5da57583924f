package io.objmapper.internal.fdcache;

import io.objmapper.spi.LocalFiles;
import io.objmapper.spi.ObjectStat;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * One open, read-only descriptor of one version of an object, shared by every reader and
 * reference-counted. The cache holds one reference while the entry is cached; each reader
 * holds one while it uses the descriptor. The descriptor is closed when the last reference
 * goes: an evicted file stays open for the readers that still hold it (deferred close).
 * A server adapts it to what it serves (see {@link #attach}); this package knows no server.
 *
 * <p>Its own description ({@link #channel()}) never leaves the process: a server's COPY
 * answers and leases' positional reads use it, so no peer can change its offset or status
 * flags. What is passed is {@link #openPrivate() a private description} per answer, or, to
 * peers that negotiated SHARED_FD, {@link #descriptor() the shared description}: a second
 * one, opened at the first such answer and cached with this entry.
 */
public final class OpenFile implements CachedVersion {
  /** {@code /proc/self/fd}, where an open descriptor can be opened anew; null without procfs. */
  private static final String PROC_FD = procFd();
  private final String name;
  private final int tierId;
  private final Path path;
  /** The tier's files it was opened through (private descriptions are opened the same way), or null. */
  private final LocalFiles files;
  private final ObjectStat stat;
  private final FileInputStream file;
  private final FileDescriptor fd;
  private final AtomicInteger refs = new AtomicInteger(1);
  private final Object owner;
  /**
   * {@code /proc/self/fd/N} of {@link #file}, made at the first private open (leases and COPY
   * answers never need it); a {@link File}'s fields are final, so a race makes it twice at worst.
   */
  private File reopen;
  /** The description SHARED_FD peers get; opened at the first such answer. */
  private volatile PrivateFile shared;
  volatile long checkedAtNanos;
  /**
   * What a consumer attached (a server's view of this descriptor), made once per descriptor
   * rather than per request. Its fields are final, so a plain field publishes it safely.
   */
  private Object attachment;

  OpenFile(String name, int tierId, LocalFiles files, Path path, ObjectStat stat, FileInputStream file, Object owner,
      long now) throws IOException {
    this.name = name;
    this.tierId = tierId;
    this.files = files;
    this.path = path;
    this.stat = stat;
    this.file = file;
    this.fd = file.getFD();
    this.owner = owner;
    this.checkedAtNanos = now;
  }

  private static String procFd() {
    return Files.isDirectory(Path.of("/proc/self/fd")) ? "/proc/self/fd/" : null;
  }

  /** Where this entry's descriptor can be opened anew, or null (no procfs). */
  File reopenPath() {
    File r = reopen;
    if (r == null && PROC_FD != null) {
      try {
        r = new File(PROC_FD + FileDescriptorCast.using(fd).as(Integer.class));
      } catch (IOException e) {
        return null; // no descriptor number to be had: opened by path, checked
      }
      reopen = r;
    }
    return r;
  }

  public String name() {
    return name;
  }

  /** The tier's files this version was opened through, or null. */
  LocalFiles files() {
    return files;
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
  @Override
  public void release() {
    int r = refs.decrementAndGet();
    if (r == 0) {
      closeQuietly(file);
      PrivateFile s = shared;
      if (s != null) {
        s.release();
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

  /**
   * The shared description: the one every peer that negotiated SHARED_FD is given (never
   * the server's own). Opened at the first call, then cached with this entry.
   *
   * @throws UncheckedIOException if it cannot be opened
   */
  @Override
  public FileDescriptor descriptor() {
    PrivateFile s = shared;
    if (s == null) {
      s = openShared();
    }
    return s.descriptor();
  }

  private synchronized PrivateFile openShared() {
    PrivateFile s = shared;
    if (s == null) {
      s = PrivateFile.open(this);
      shared = s;
    }
    return s;
  }

  /**
   * A description of this version no one else holds; the caller releases it.
   *
   * @throws UncheckedIOException if it cannot be opened (no descriptor left, or the object
   *     changed while being opened without procfs)
   */
  public PrivateFile openPrivate() {
    return PrivateFile.open(this);
  }

  /** The server's own channel: positional reads only; it is never passed to a peer. */
  @Override
  public FileChannel channel() {
    return file.getChannel();
  }

  @Override
  public long size() {
    return stat.size();
  }

  @Override
  public long mtimeSeconds() {
    return Math.floorDiv(stat.mtimeMillis(), 1000);
  }

  @Override
  public int tierId() {
    return tierId;
  }

  /**
   * Opens version {@code stat} of {@code name} through {@code files} (beneath the tier root,
   * no links, regular files only, never blocking); {@code null} if that version is not there.
   */
  static OpenFile open(String name, int tierId, LocalFiles files, ObjectStat stat, Object owner, long now) {
    try {
      return of(name, tierId, files, stat, files.openRead(name, stat), owner, now);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot open " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Version {@code stat} of {@code name} through {@code in}, a read-only description of it
   * opened already (now this entry's).
   */
  static OpenFile of(String name, int tierId, LocalFiles files, ObjectStat stat, FileInputStream in, Object owner,
      long now) {
    try {
      return new OpenFile(name, tierId, files, files.path(name), stat, in, owner, now);
    } catch (IOException | RuntimeException e) {
      closeQuietly(in);
      if (e instanceof IOException io) {
        throw new java.io.UncheckedIOException("cannot open " + name + ": " + e.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  private static void closeQuietly(FileInputStream f) {
    if (f != null) {
      try {
        f.close();
      } catch (IOException e) {
        // read-only: nothing to flush, and the descriptor is gone either way
      }
    }
  }

  @Override
  public String toString() {
    return "OpenFile{" + name + ", tier " + tierId + ", refs " + refs.get() + "}";
  }
}
