package io.objmapper.examples.cli;

import io.objmapper.ObjMapper;
import io.objmapper.spi.ObjectNames;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;

/**
 * Puts every regular file under a directory into a store as {@code <prefix>/<relative path>}.
 * A file that cannot be imported (unreadable, a name the store refuses, no room) is reported
 * through {@code failures}, one line each, and the import goes on with the rest: what was
 * imported stays, and the caller ends with the failures counted.
 */
final class Importer {
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

  /** Imports {@code root} into {@code store}; failures are told to {@code failures}, progress to {@code progress}. */
  static Result importTree(ObjMapper store, Path root, String prefix, ImportProgress progress,
      Consumer<String> failures) throws IOException {
    long start = System.nanoTime();
    long[] done = new long[3]; // objects, bytes, failed
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          String name = nameOf(root, file, prefix);
          try {
            store.put(name, file);
            done[0]++;
            done[1] += attrs.size();
          } catch (RuntimeException e) {
            done[2]++;
            failures.accept("cannot import " + file + " as " + name + ": " + ExitCodes.oneLine(e.getMessage()));
          }
          progress.step(1, attrs.size());
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        done[2]++;
        failures.accept("cannot read " + file + ": " + StoreOptions.describe(e));
        return FileVisitResult.CONTINUE;
      }
    });
    return new Result(done[0], done[1], done[2], System.nanoTime() - start);
  }
}
