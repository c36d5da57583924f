package io.objmapper;

import io.objmapper.spi.ObjectNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.FileVisitResult;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a tier's root holds on disk, counted behind the store's back: the objects (regular
 * files none of whose path elements starts with {@code .objmapper}, the prefix of the store's
 * own files) and the temporary files of writes in progress.
 */
final class DiskInventory {
  private DiskInventory() {}

  /** The objects below {@code root}: object name → file. */
  static Map<String, Path> objects(Path root) throws IOException {
    Map<String, Path> found = new TreeMap<>();
    for (Path f : regularFiles(root)) {
      Path rel = root.relativize(f);
      boolean own = false;
      for (Path element : rel) {
        own |= element.toString().startsWith(ObjectNames.RESERVED_PREFIX);
      }
      if (!own) {
        found.put("/" + rel.toString().replace('\\', '/'), f);
      }
    }
    return found;
  }

  /** Bytes the objects below {@code root} take. */
  static long bytes(Path root) throws IOException {
    long n = 0;
    for (Path f : objects(root).values()) {
      n += Files.size(f);
    }
    return n;
  }

  /** Temporary files of writes ({@code .objmapper-tmp-*}) anywhere below {@code root}. */
  static List<Path> tempFiles(Path root) throws IOException {
    return regularFiles(root).stream()
        .filter(f -> f.getFileName().toString().startsWith(ObjectNames.RESERVED_PREFIX + "-tmp-"))
        .toList();
  }

  /**
   * {@link #tempFiles}, less the files a running store's tier made ahead in its root for the
   * copies it stages ({@code .objmapper-tmp-spare-*}: unused ones go at close, and at the next
   * start after a crash, as every other temporary file).
   */
  static List<Path> tempFilesButSpares(Path root) throws IOException {
    return tempFiles(root).stream()
        .filter(f -> !(f.getParent().equals(root)
            && f.getFileName().toString().startsWith(ObjectNames.RESERVED_PREFIX + "-tmp-spare-")))
        .toList();
  }

  /**
   * The regular files below {@code root}. Files that vanish during the walk (the index's own
   * files come and go while it opens in the background) are left out.
   */
  private static List<Path> regularFiles(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<Path> found = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          found.add(file);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
    Collections.sort(found);
    return found;
  }
}
