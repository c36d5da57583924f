package io.objmapper.spi.dir;

import java.io.Closeable;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empty files made ahead of need in a directory tier's root, for the unsynced writes of cache
 * copies ({@link DirectoryTier#write(String, java.io.InputStream, boolean)} without a sync: the
 * copies staged from a remote tier on a first access). Creating a file allocates an inode,
 * which cost 0.4-0.6 ms per file on this project's ext4 machines, about a third of a small
 * object's GET; writing into a file made already and renaming it into place costs some 40 µs.
 * So a background thread keeps up to {@value #CAPACITY} of them ready, each held open for
 * writing (and for reading: the copy is served through that description, {@link
 * DirectoryTier#writeOpen}), and a write takes one if there is one (else it creates its file
 * itself, as every other write does).
 *
 * <p>Each file is named {@value #PREFIX}{@code <random>} in the root: it starts with {@link
 * AtomicWrite#TEMP_PREFIX}, so no scan takes it for an object, and one a crash left behind is
 * removed by the next open's scan as any interrupted write's temporary file is; {@link #close}
 * removes those still unused. The first
 * {@link #take} starts the thread: a tier that never stages a copy makes no file ahead.
 */
final class SpareFiles implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(SpareFiles.class);

  /** Name prefix of the files made ahead. */
  static final String PREFIX = AtomicWrite.TEMP_PREFIX + "spare-";

  /** Files kept ready at most. */
  static final int CAPACITY = 16;

  /**
   * A file made ahead: its path (in the root), a channel open on it for writing, the root's
   * descriptor ({@code -1} if none) to rename it by, and a read-only description of the same
   * file opened ahead too ({@code null} without procfs), so that the copy written into it can
   * be served without an open on the request's way. With the reader's descriptor number
   * {@code readerFd} and the file's {@code fileKey} (its {@code BasicFileAttributes.fileKey()},
   * read once here; -1 and null where unknown), the write stats what it wrote through that
   * descriptor, once the channel is closed, instead of resolving the file's path again.
   */
  record Spare(Path path, FileChannel channel, int rootFd, FileInputStream reader, int readerFd, Object fileKey) {
    /** Closes both descriptions (the file stays). */
    void closeQuietly() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // the file is removed or renamed all the same
      }
      if (reader != null) {
        try {
          reader.close();
        } catch (IOException ignored) {
          // read-only: nothing to lose
        }
      }
    }
  }

  private final BeneathRoot beneath;
  private final Set<PosixFilePermission> mode;
  private final String tierName;
  private final ArrayBlockingQueue<Spare> ready = new ArrayBlockingQueue<>(CAPACITY);
  private final Object signal = new Object();
  /** Guarded by {@link #signal}. */
  private boolean wanted;
  private boolean closed;
  /** The thread is making files (from a take's call until the pool is full or making failed). */
  private boolean making;
  private Thread maker;

  SpareFiles(BeneathRoot beneath, Set<PosixFilePermission> mode, String tierName) {
    this.beneath = beneath;
    this.mode = mode;
    this.tierName = tierName;
  }

  /**
   * A file made ahead, now the caller's (write it, then rename it or delete it), or null if
   * none is ready; asks the thread for more once half of them are taken.
   */
  Spare take() {
    Spare s = ready.poll();
    if (ready.size() <= CAPACITY / 2) {
      synchronized (signal) {
        if (closed) {
          return s;
        }
        wanted = true;
        making = true;
        if (maker == null) {
          maker = new Thread(this::makeLoop, "objmapper-spare-files-" + tierName);
          maker.setDaemon(true);
          maker.start();
        } else {
          signal.notifyAll();
        }
      }
    }
    return s;
  }

  /** Files ready now. */
  int readyCount() {
    return ready.size();
  }

  /**
   * Waits until the thread has stopped making files (the pool is full, it is closed, or
   * making failed) or {@code timeoutMillis} passed; true if {@code n} files are ready then.
   * For tests: once it answers, no file is made until the next take asks for more.
   */
  boolean awaitReady(int n, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    synchronized (signal) {
      while (!closed && making) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        signal.wait(Math.max(1, left / 1_000_000L));
      }
      return ready.size() >= n;
    }
  }

  private void makeLoop() {
    while (true) {
      synchronized (signal) {
        while (!wanted && !closed) {
          try {
            signal.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        wanted = false;
      }
      try {
        while (ready.remainingCapacity() > 0) {
          Spare s = make();
          synchronized (signal) {
            if (closed || !ready.offer(s)) {
              discard(s);
              break;
            }
            signal.notifyAll();
          }
        }
      } catch (IOException | RuntimeException e) {
        // Writes create their files themselves meanwhile; the next take asks again.
        log.debug("tier \"{}\": cannot make a file ahead: {}", tierName, e.toString());
      }
      synchronized (signal) {
        making = wanted;
        signal.notifyAll();
      }
    }
  }

  private Spare make() throws IOException {
    try (BeneathRoot.Directory root = beneath.directory("", false, null)) {
      BeneathRoot.NewFile nf = root.createNew(PREFIX, mode);
      Path path = beneath.held().resolve(nf.name());
      FileChannel channel = null;
      FileInputStream reader = null;
      // The descriptor the file was created with becomes the channel's where the JDK lets it
      // be wrapped (then the channel owns it); else the file is opened again through it.
      java.io.FileDescriptor wrapped = nf.fd() >= 0 ? Native.wrap(nf.fd()) : null;
      try {
        channel = wrapped != null ? new java.io.FileOutputStream(wrapped).getChannel()
            : FileChannel.open(nf.fd() >= 0 ? BeneathRoot.procPathOf(nf.fd()) : path, StandardOpenOption.WRITE);
        // The same file by its descriptor (never by name: a file in the root may be swapped).
        int readerFd = nf.fd() >= 0 ? readerFdOf(nf.fd()) : -1;
        java.io.FileDescriptor readerDescriptor = readerFd >= 0 ? Native.wrap(readerFd) : null;
        if (readerFd >= 0 && readerDescriptor == null) {
          Native.close(readerFd);
          readerFd = -1;
        }
        reader = readerDescriptor != null ? new FileInputStream(readerDescriptor)
            : nf.fd() >= 0 ? readerOf(nf.fd()) : null;
        Object key = readerFd >= 0 ? fileKeyOf(nf.fd()) : null;
        return new Spare(path, channel, beneath.rootFd(), reader, key != null ? readerFd : -1, key);
      } catch (IOException | RuntimeException | Error e) {
        if (channel != null) {
          channel.close();
        }
        if (reader != null) {
          reader.close();
        }
        Files.deleteIfExists(path);
        throw e;
      } finally {
        if (nf.fd() >= 0 && (wrapped == null || channel == null)) {
          Native.close(nf.fd()); // not the channel's
        }
      }
    }
  }

  /**
   * A read-only description of the file open as {@code fd}; null if it cannot be had (a
   * {@code file_mode} without read for the owner): the write's caller then opens the file.
   */
  private static FileInputStream readerOf(int fd) {
    try {
      return new FileInputStream(BeneathRoot.procPathOf(fd).toFile());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * A read-only descriptor of the file open as {@code fd}, opened only where {@link
   * Native#wrap} can make it a {@link java.io.FileDescriptor}; -1 if there is none.
   */
  private static int readerFdOf(int fd) {
    if (!Native.canWrap()) {
      return -1;
    }
    int r = Native.openat(Native.AT_FDCWD, Native.cString(BeneathRoot.procPathOf(fd).toString()),
        Native.O_RDONLY | Native.O_CLOEXEC | Native.O_NOCTTY, 0);
    return r >= 0 ? r : -1;
  }

  /** The file key of the file open as {@code fd}, as a stat of its path gives it; null if it cannot be read. */
  private static Object fileKeyOf(int fd) {
    try {
      return Files.readAttributes(BeneathRoot.procPathOf(fd), java.nio.file.attribute.BasicFileAttributes.class)
          .fileKey();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static void discard(Spare s) {
    s.closeQuietly();
    try {
      Files.deleteIfExists(s.path());
    } catch (IOException e) {
      log.debug("cannot remove {}: {}", s.path(), e.toString());
    }
  }

  /** Stops the thread and removes the files not taken. Idempotent. */
  @Override
  public void close() {
    Thread t;
    synchronized (signal) {
      closed = true;
      signal.notifyAll();
      t = maker;
    }
    if (t != null) {
      boolean interrupted = false;
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    Spare s;
    while ((s = ready.poll()) != null) {
      discard(s);
    }
  }
}
