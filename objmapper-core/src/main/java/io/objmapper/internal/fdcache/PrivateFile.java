package io.objmapper.internal.fdcache;

import io.objmapper.spi.LocalFiles;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;

/**
 * A read-only open file description of one cached {@link OpenFile}'s version that no one
 * else holds: its offset starts at 0 and its status flags are its own, so one receiver's
 * relative reads, {@code lseek}, {@code fcntl(F_SETFL)} (O_NONBLOCK, O_APPEND, O_DIRECT) or
 * {@code close} cannot reach any other receiver, lease or the server's own reads. Owned by
 * one holder; {@link #release()} closes it.
 */
public final class PrivateFile implements CachedVersion {
  private final FileInputStream in;
  private final OpenFile of;

  private PrivateFile(FileInputStream in, OpenFile of) {
    this.in = in;
    this.of = of;
  }

  /**
   * Opens {@code source} anew. First through its tier's own safe open ({@link
   * LocalFiles#openRead}: beneath the tier root, no link followed, a regular file only,
   * checked on the new descriptor to be the very version the cache validated). Where that
   * finds the object changed or gone since, or the tier has no local files, through {@code
   * /proc/self/fd/N} of the cached descriptor: a new description of the very inode the cache
   * validated, with no walk of the object's path. The tier's open is the default because it
   * costs what a plain open does, while the procfs reopen (pid and magic-link lookups, a
   * dentry made and dropped per open) cost a private answer a third of its throughput under
   * load (BENCHMARKS.md 9). The caller holds a reference of {@code source}, so N is open.
   *
   * @throws UncheckedIOException if no description can be opened
   */
  static PrivateFile open(OpenFile source) {
    LocalFiles files = source.files();
    if (files != null) {
      try {
        return new PrivateFile(files.openRead(source.name(), source.stat()), source);
      } catch (IOException | RuntimeException e) {
        // changed, deleted or unreadable since the cache opened it: the validated version
      }
    }
    File reopen = source.reopenPath();
    try {
      if (reopen != null) {
        return new PrivateFile(new FileInputStream(reopen), source);
      }
      return openByPath(source);
    } catch (FileNotFoundException e) {
      // EMFILE/ENFILE, or the path fallback found the object gone
      throw new UncheckedIOException("cannot open " + source.name() + ": " + e.getMessage(), e);
    }
  }

  /** Without /proc: the path, checked to be still the version the cache validated. */
  private static PrivateFile openByPath(OpenFile source) throws FileNotFoundException {
    PrivateFile f = new PrivateFile(new FileInputStream(source.path().toFile()), source);
    if (!source.stat().equals(FdCache.stat(source.path()))) {
      f.release();
      throw new UncheckedIOException(new IOException("object " + source.name() + " changed while being opened"));
    }
    return f;
  }

  /**
   * This description's descriptor.
   *
   * @throws UncheckedIOException if it was released
   */
  @Override
  public FileDescriptor descriptor() {
    try {
      return in.getFD();
    } catch (IOException e) {
      throw new UncheckedIOException("descriptor of " + of.name() + " closed", e);
    }
  }

  /** A channel on this description (its position is this holder's alone). */
  @Override
  public FileChannel channel() {
    return in.getChannel();
  }

  /** The version's size, as the cache validated it. */
  @Override
  public long size() {
    return of.size();
  }

  /** The version's modification time, Unix seconds. */
  @Override
  public long mtimeSeconds() {
    return of.mtimeSeconds();
  }

  /** Id of the tier the version is on. */
  @Override
  public int tierId() {
    return of.tierId();
  }

  /** Closes this description. Idempotent. */
  @Override
  public void release() {
    try {
      in.close();
    } catch (IOException e) {
      // read-only: nothing to flush, and the descriptor is gone either way
    }
  }
}
