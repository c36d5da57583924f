package io.objmapper.examples.cli;

import io.objmapper.ObjMapper;
import io.objmapper.spi.ObjectNames;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Puts every regular file under a directory into a store as {@code <prefix>/<relative path>}.
 * A file that cannot be imported (unreadable, a name the store refuses, no room) is reported
 * through {@code failures}, one line each, and the import goes on with the rest: what was
 * imported stays, and the caller ends with the failures counted.
 *
 * <p>Speed: each put is durable when it returns (the tier syncs the file and its directory),
 * and a sync waits for the disk's journal. The puts therefore run on {@value #THREADS}
 * threads, so that the file system commits the syncs of many puts at once instead of one
 * after the other: the import is durable when it reports done, at close to the speed of a
 * copy followed by one {@code sync}. A second walk counts the files meanwhile, for the
 * progress's total.
 */
final class Importer {
  /** Puts in flight at once: enough for the journal to commit many syncs together. */
  static final int THREADS = 64;

  /** What an import did. */
  record Result(long objects, long bytes, long failed, long nanos) {}

  private Importer() {}

  /**
   * The object name of {@code file} under {@code root}: {@code prefix} (empty, or a name
   * without a trailing slash) then {@code /} and each element of the relative path.
   */
  static String nameOf(Path root, Path file, String prefix) {
    StringBuilder name = new StringBuilder(prefix);
    for (Path part : root.relativize(file)) {
      name.append('/').append(part);
    }
    return name.toString();
  }

  /** {@code prefix} as the importer uses it: "" for none or "/", else without a trailing slash; checked. */
  static String normalizePrefix(String prefix) {
    if (prefix == null || prefix.isEmpty() || prefix.equals("/")) {
      return "";
    }
    String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    ObjectNames.validate(p + "/x");
    return p;
  }

  /**
   * Imports {@code root} into {@code store}; failures are told to {@code failures} (from
   * any thread, one at a time), progress to {@code progress}.
   */
  static Result importTree(ObjMapper store, Path root, String prefix, ImportProgress progress,
      Consumer<String> failures) throws IOException, InterruptedException {
    long start = System.nanoTime();
    AtomicLong objects = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    Consumer<String> fail = line -> {
      failed.incrementAndGet();
      synchronized (failures) {
        failures.accept(line);
      }
    };
    Thread counter = new Thread(() -> count(root, progress), "objmapper-import-count");
    counter.setDaemon(true);
    counter.start();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "objmapper-import");
      t.setDaemon(true);
      return t;
    });
    Semaphore inFlight = new Semaphore(THREADS * 4); // the walk stays only a little ahead of the puts
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (!attrs.isRegularFile()) {
            return FileVisitResult.CONTINUE;
          }
          String name = nameOf(root, file, prefix);
          long size = attrs.size();
          inFlight.acquireUninterruptibly();
          pool.execute(() -> {
            try {
              store.put(name, file);
              objects.incrementAndGet();
              bytes.addAndGet(size);
            } catch (RuntimeException e) {
              fail.accept("cannot import " + file + " as " + name + ": " + ExitCodes.oneLine(e.getMessage()));
            } finally {
              progress.step(1, size);
              inFlight.release();
            }
          });
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          fail.accept("cannot read " + file + ": " + StoreOptions.describe(e));
          return FileVisitResult.CONTINUE;
        }
      });
    } finally {
      pool.shutdown();
      while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
        // puts still running: a slow disk; wait for them all
      }
      counter.interrupt();
    }
    return new Result(objects.get(), bytes.get(), failed.get(), System.nanoTime() - start);
  }

  /** Counts the regular files under {@code root} and their bytes, and tells {@code progress} the total. */
  private static void count(Path root, ImportProgress progress) {
    long[] total = new long[2];
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (Thread.currentThread().isInterrupted()) {
            return FileVisitResult.TERMINATE;
          }
          if (attrs.isRegularFile()) {
            total[0]++;
            total[1] += attrs.size();
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE; // the import's own walk reports it
        }
      });
      if (!Thread.currentThread().isInterrupted()) {
        progress.total(total[0], total[1]);
      }
    } catch (IOException | RuntimeException e) {
      // no total: the progress shows no ETA
    }
  }
}
