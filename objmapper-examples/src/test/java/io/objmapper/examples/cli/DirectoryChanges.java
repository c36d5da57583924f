package io.objmapper.examples.cli;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/**
 * Waits for a child process to change files in a directory (inotify on Linux), instead of
 * sleeping between looks. Open it before the first look, so no change is missed.
 */
final class DirectoryChanges implements AutoCloseable {
  private static final long MOST_NANOS_PER_WAIT = TimeUnit.SECONDS.toNanos(1);
  private final WatchService watch;

  DirectoryChanges(Path dir) throws IOException {
    this.watch = dir.getFileSystem().newWatchService();
    dir.register(watch, ENTRY_CREATE, ENTRY_MODIFY);
  }

  /**
   * Returns once a file in the directory was created or changed since the last call, or at
   * the latest after a second (so the caller can check that the child still runs), or at
   * {@code deadlineNanos}.
   */
  void await(long deadlineNanos) throws InterruptedException {
    long wait = Math.min(MOST_NANOS_PER_WAIT, deadlineNanos - System.nanoTime());
    WatchKey key = wait > 0 ? watch.poll(wait, TimeUnit.NANOSECONDS) : null;
    if (key != null) {
      key.pollEvents();
      key.reset();
    }
  }

  @Override
  public void close() throws IOException {
    watch.close();
  }
}
