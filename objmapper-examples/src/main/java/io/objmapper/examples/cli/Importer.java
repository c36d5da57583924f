package io.objmapper.examples.cli;

import io.objmapper.BulkPut;
import io.objmapper.ObjMapper;
import io.objmapper.ObjMapperException;
import io.objmapper.ObjectInfo;
import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.TierConfig;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Speed: the files go in batches of {@value #BATCH} through the store's {@link BulkPut},
 * which syncs once per batch (one {@code syncfs(2)}, then each directory renamed into) instead
 * of once per object; {@value #WORKERS} batches are written at once. Everything reported as
 * imported is durable when the import returns, and a crash at any point leaves each object
 * as it was or whole. A second walk counts the files meanwhile, for the progress's total.
 */
final class Importer {
  /** Files per batch: one sync each. */
  static final int BATCH = 2000;

  /** Batches written at once. */
  static final int WORKERS = 4;

  /**
   * What an import did: {@code kept} counts the files not imported because their object
   * was already stored (only when asked to keep what is stored).
   */
  record Result(long objects, long bytes, long failed, long kept, long nanos) {}

  /** A file to import and its object name. */
  private record Item(String name, Path file, long size) {}

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

  /**
   * The line that names {@code file}, met in the walk but not a regular file (links are not
   * followed; a FIFO, socket or device is never opened), as not imported.
   */
  static String skipped(Path file, BasicFileAttributes attrs) {
    String what = attrs.isSymbolicLink() ? "a symbolic link" : attrs.isDirectory() ? "a folder"
        : "not a regular file (a FIFO, socket or device)";
    return "skipped " + file + ": " + what;
  }

  /** {@code prefix} as the importer uses it: "" for none or "/", else without a trailing slash; checked. */
  static String normalizePrefix(String prefix) {
    if (prefix == null || prefix.isEmpty() || prefix.equals("/")) {
      return "";
    }
    String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    if (!p.startsWith("/")) {
      throw new IllegalArgumentException("invalid prefix \"" + prefix + "\": it must start with '/', as in /photos");
    }
    try {
      ObjectNames.validate(p + "/x");
    } catch (InvalidObjectNameException e) { // its message names p + "/x": say it of the prefix
      String m = e.getMessage();
      int reason = m.indexOf("\": ");
      throw new IllegalArgumentException("invalid prefix \"" + prefix + "\"" + (reason >= 0 ? m.substring(reason + 1) : ""), e);
    }
    return p;
  }

  /**
   * Imports {@code root} into {@code store}, replacing objects already stored under the same
   * names; failures are told to {@code failures} (from any thread, one at a time), progress
   * to {@code progress}. The store's own folders and index files are never imported (see
   * {@link OwnFiles}).
   *
   * @throws IllegalArgumentException if {@code root} lies inside one of the store's tier roots
   */
  static Result importTree(ObjMapper store, Path root, String prefix, ImportProgress progress,
      Consumer<String> failures) throws IOException, InterruptedException {
    return importTree(store, root, prefix, false, progress, failures);
  }

  /**
   * As {@link #importTree(ObjMapper, Path, String, ImportProgress, Consumer)}; with {@code
   * keepExisting}, a file whose object is already stored is left out and the stored object
   * kept (counted in {@link Result#kept}).
   */
  static Result importTree(ObjMapper store, Path root, String prefix, boolean keepExisting, ImportProgress progress,
      Consumer<String> failures) throws IOException, InterruptedException {
    long start = System.nanoTime();
    OwnFiles own = OwnFiles.of(store.tiers());
    own.checkOutside(root);
    AtomicLong objects = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong kept = new AtomicLong();
    Consumer<String> fail = line -> {
      failed.incrementAndGet();
      synchronized (failures) {
        failures.accept(line);
      }
    };
    Thread counter = new Thread(() -> count(root, own, progress), "objmapper-import-count");
    counter.setDaemon(true);
    counter.start();
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS, r -> {
      Thread t = new Thread(r, "objmapper-import");
      t.setDaemon(true);
      return t;
    });
    Semaphore inFlight = new Semaphore(WORKERS * 2); // the walk stays only a little ahead of the writes
    List<Item>[] batch = new List[] {new ArrayList<>(BATCH)};
    Consumer<List<Item>> submit = items -> {
      inFlight.acquireUninterruptibly();
      try {
        pool.execute(() -> {
          try {
            importBatch(store, items, keepExisting, progress, fail, objects, bytes, kept);
          } finally {
            inFlight.release();
          }
        });
      } catch (RuntimeException e) {
        inFlight.release();
        throw e;
      }
    };
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return own.enterOrSkip(dir, attrs, failures);
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (own.isIndexFile(file)) {
            return FileVisitResult.CONTINUE; // the store's own index, met outside its tier's root
          }
          if (!attrs.isRegularFile()) {
            fail.accept(skipped(file, attrs));
            return FileVisitResult.CONTINUE;
          }
          batch[0].add(new Item(nameOf(root, file, prefix), file, attrs.size()));
          if (batch[0].size() >= BATCH) {
            submit.accept(batch[0]);
            batch[0] = new ArrayList<>(BATCH);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          fail.accept("cannot read " + file + ": " + StoreOptions.describe(e));
          return FileVisitResult.CONTINUE;
        }
      });
      if (!batch[0].isEmpty()) {
        submit.accept(batch[0]);
      }
    } finally {
      pool.shutdown();
      while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
        // batches still being written: a slow disk; wait for them all
      }
      counter.interrupt();
    }
    return new Result(objects.get(), bytes.get(), failed.get(), kept.get(), System.nanoTime() - start);
  }

  /** Writes one batch: each file copied, then one sync, then all published. */
  private static void importBatch(ObjMapper store, List<Item> items, boolean keepExisting, ImportProgress progress,
      Consumer<String> fail, AtomicLong objects, AtomicLong bytes, AtomicLong kept) {
    Map<String, Item> byName = new HashMap<>();
    long size = 0;
    try (BulkPut bulk = store.bulkPut()) {
      for (Item it : items) {
        size += it.size();
        try {
          if (keepExisting && store.exists(it.name())) {
            kept.incrementAndGet();
            progress.step(1, it.size());
            continue;
          }
          bulk.add(it.name(), it.file());
          byName.put(it.name(), it);
        } catch (ObjMapperException | IllegalArgumentException e) { // a bad name is an IllegalArgumentException
          fail.accept(failure(it, e));
        }
        progress.step(1, it.size());
      }
      for (ObjectInfo info : bulk.flush((name, e) -> fail.accept(failure(byName.get(name), e)))) {
        objects.incrementAndGet();
        bytes.addAndGet(info.size());
      }
    } catch (RuntimeException e) {
      // the store failed as a whole (closed under us): every file of the batch not reported yet
      fail.accept("cannot import a batch of " + items.size() + " files (" + size + " bytes) starting at "
          + items.get(0).file() + ": " + ExitCodes.oneLine(e.getMessage()));
    }
  }

  private static String failure(Item it, RuntimeException e) {
    return "cannot import " + it.file() + " as " + it.name() + ": " + ExitCodes.oneLine(e.getMessage());
  }

  /** Counts the regular files under {@code root} and their bytes, and tells {@code progress} the total. */
  private static void count(Path root, OwnFiles own, ImportProgress progress) {
    long[] total = new long[2];
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return own.enter(dir, attrs) != null ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (Thread.currentThread().isInterrupted()) {
            return FileVisitResult.TERMINATE;
          }
          if (attrs.isRegularFile() && !own.isIndexFile(file)) {
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

  /**
   * The store's own files, which an import must never take in as objects: each tier's root
   * (its objects, its index and the files of its lifecycle) and each index kept outside its
   * tier's root ({@code index_path}). Without this, an import of a folder that holds the
   * store (the working directory holding {@code ./objmapper-data}, say) would copy the store
   * into itself. Folders are recognised by their file key (device and inode), not their
   * path, so a second path to the same folder is recognised too. Safe for concurrent walks.
   */
  static final class OwnFiles {
    private final Map<Object, String> roots = new HashMap<>();
    private final Map<Object, List<String>> indexFolders = new HashMap<>();
    private final Map<Path, List<String>> indexFoldersMet = new java.util.concurrent.ConcurrentHashMap<>();

    /** The own files of a store of these tiers (its configuration's, or an open store's). */
    static OwnFiles of(List<TierConfig> tiers) {
      OwnFiles own = new OwnFiles();
      for (TierConfig t : tiers) {
        t.root().ifPresent(r -> own.addRoot(r, t.name()));
        t.indexPath().ifPresent(own::addIndex);
      }
      return own;
    }

    private void addRoot(Path root, String tier) {
      try {
        Path real = root.toRealPath();
        Object key = Files.readAttributes(real, BasicFileAttributes.class).fileKey();
        if (key != null) {
          roots.put(key, tier);
        }
      } catch (IOException e) {
        // no such folder (a remote tier's, a root not made yet): nothing of it to meet
      }
    }

    private void addIndex(Path index) {
      Path parent = index.toAbsolutePath().getParent();
      try {
        Object key = Files.readAttributes(parent, BasicFileAttributes.class).fileKey();
        if (key != null) {
          indexFolders.computeIfAbsent(key, k -> new ArrayList<>()).add(index.getFileName().toString());
        }
      } catch (IOException e) {
        // its folder is not there: no index file to meet
      }
    }

    /**
     * @throws IllegalArgumentException if {@code dir} is one of the tier roots or lies inside
     *     one: importing it would copy the store's own files into the store
     */
    void checkOutside(Path dir) throws IOException {
      // Each folder from dir up to / by its file key: a second path to a root (a bind mount)
      // is the root too.
      for (Path p = dir.toRealPath(); p != null; p = p.getParent()) {
        Object key = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        String tier = key == null ? null : roots.get(key);
        if (tier != null) {
          throw new IllegalArgumentException("cannot import " + dir + ": it lies inside the store's own folder "
              + p + " (tier " + tier + ")");
        }
      }
    }

    /**
     * A walk's {@code preVisitDirectory}: skips a tier's root, telling {@code notes} (a note,
     * not a failure), else goes on.
     */
    FileVisitResult enterOrSkip(Path dir, BasicFileAttributes attrs, Consumer<String> notes) {
      String tier = enter(dir, attrs);
      if (tier == null) {
        return FileVisitResult.CONTINUE;
      }
      synchronized (notes) {
        notes.accept("skipped " + dir + ": the store's own folder (tier " + tier + ")");
      }
      return FileVisitResult.SKIP_SUBTREE;
    }

    /**
     * Called for each folder a walk enters: the name of the tier whose root {@code dir} is
     * (the walk skips it), else {@code null}.
     */
    String enter(Path dir, BasicFileAttributes attrs) {
      Object key = attrs.fileKey();
      if (key == null) {
        return null;
      }
      List<String> index = indexFolders.get(key);
      if (index != null) {
        indexFoldersMet.put(dir, index);
      }
      return roots.get(key);
    }

    /** True if {@code file}, in a folder {@link #enter} was told of, is a file of an index kept there. */
    boolean isIndexFile(Path file) {
      if (indexFoldersMet.isEmpty()) {
        return false; // the usual case: no index folder outside a tier root was walked into
      }
      List<String> index = indexFoldersMet.get(file.getParent());
      if (index == null) {
        return false;
      }
      String name = file.getFileName().toString();
      for (String f : index) {
        if (name.equals(f) || name.startsWith(f + ".")) {
          return true;
        }
      }
      return false;
    }
  }
}
