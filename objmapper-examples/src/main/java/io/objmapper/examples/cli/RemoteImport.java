package io.objmapper.examples.cli;

import io.objmapper.ObjMapperException;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.PutContentException;
import io.objmapper.spi.dir.SourceFile;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code import} through a running server: every regular file under the directory is put
 * with the write extension (a descriptor per object, published atomically), a few at a time
 * on one connection (fewer than the server's bound on puts pending per connection). A file
 * the server refuses, or one that fails to read or shrinks while being sent, is named and the
 * rest go on; a connection that fails ends the import.
 */
final class RemoteImport {
  /** Puts in flight on the one connection (the server allows 16 pending per connection). */
  static final int THREADS = 8;

  private RemoteImport() {}

  /**
   * Imports {@code root} through {@code client}; {@code own} names the folders of the store the
   * server holds, as far as this command knows them (its {@code --config}/{@code --data}),
   * which the walk leaves out as {@link Importer#importTree} does.
   *
   * @throws IllegalArgumentException if {@code root} lies inside one of them
   */
  static Importer.Result importTree(ObjMapperClient client, Path root, String prefix, Importer.OwnFiles own,
      ImportProgress progress, Consumer<String> failures) throws IOException, InterruptedException {
    long start = System.nanoTime();
    own.checkOutside(root);
    AtomicLong objects = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<IOException> broken = new AtomicReference<>();
    Consumer<String> fail = line -> {
      failed.incrementAndGet();
      synchronized (failures) {
        failures.accept(line);
      }
    };
    ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "objmapper-import");
      t.setDaemon(true);
      return t;
    });
    Semaphore inFlight = new Semaphore(THREADS * 2);
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return own.enterOrSkip(dir, attrs, failures);
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (broken.get() != null) {
            return FileVisitResult.TERMINATE;
          }
          if (own.isIndexFile(file)) {
            return FileVisitResult.CONTINUE; // the store's own index, met outside its tier's root
          }
          if (!attrs.isRegularFile()) {
            fail.accept(Importer.skipped(file, attrs));
            return FileVisitResult.CONTINUE;
          }
          String name = Importer.nameOf(root, file, prefix);
          long size = attrs.size();
          inFlight.acquireUninterruptibly();
          pool.execute(() -> {
            SourceFile src;
            try {
              src = SourceFile.open(file); // never waits on a FIFO swapped in since the walk
            } catch (IOException e) {
              fail.accept("cannot read " + file + ": " + StoreOptions.describe(e));
              progress.step(1, size);
              inFlight.release();
              return;
            }
            try (src) {
              client.put(name, src.channel());
              objects.incrementAndGet();
              bytes.addAndGet(src.size());
            } catch (ObjMapperException e) {
              fail.accept("cannot import " + file + " as " + name + ": " + e.code() + ": "
                  + ExitCodes.oneLine(e.getMessage()));
            } catch (PutContentException e) {
              // The put was abandoned; the connection goes on with the next file.
              fail.accept("cannot import " + file + " as " + name + ": " + (e.getCause() instanceof java.io.EOFException
                  ? "it shrank while being sent" : StoreOptions.describe(e.getCause())));
            } catch (IOException e) {
              broken.compareAndSet(null, e); // the file is open: the connection failed
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
        // puts still running: wait for them all
      }
    }
    IOException e = broken.get();
    if (e != null) {
      throw e;
    }
    return new Importer.Result(objects.get(), bytes.get(), failed.get(), 0, System.nanoTime() - start);
  }
}
