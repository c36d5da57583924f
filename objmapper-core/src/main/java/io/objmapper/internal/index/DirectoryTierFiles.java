package io.objmapper.internal.index;

import io.objmapper.internal.log.LogText;
import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.ObjectNames;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a tier stored as a directory tree: object {@code /a/b.jpg} is the regular file
 * {@code root/a/b.jpg} ({@link ObjectNames#resolve}). Symbolic links are not followed and are not
 * objects. Paths for which {@code exclude} is true (the index's own files when they live under
 * the root, for instance) are skipped, directories with everything below them.
 */
final class DirectoryTierFiles implements TierFiles {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryTierFiles.class);

  private final Path root;
  private final Predicate<Path> exclude;

  public DirectoryTierFiles(Path root, Predicate<Path> exclude) {
    this.root = Objects.requireNonNull(root, "root");
    this.exclude = Objects.requireNonNull(exclude, "exclude");
  }

  /** Every regular file below {@code root} except {@code excluded} paths (and what is below them). */
  public static DirectoryTierFiles excluding(Path root, Path... excluded) {
    Path[] normalized = new Path[excluded.length];
    for (int i = 0; i < excluded.length; i++) {
      normalized[i] = excluded[i].toAbsolutePath().normalize();
    }
    return new DirectoryTierFiles(root, p -> {
      Path abs = p.toAbsolutePath().normalize();
      for (Path x : normalized) {
        if (abs.startsWith(x)) {
          return true;
        }
      }
      return false;
    });
  }

  public Path root() {
    return root;
  }

  @Override
  public void scan(ScanSink sink) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        return !dir.equals(root) && exclude.test(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile() && !exclude.test(file) && ObjectNames.isDecodable(file, attrs)) {
          sink.file(ObjectNames.nameOf(root, file), attrs.size(), attrs.lastModifiedTime().toMillis(),
              IndexEntry.fileKeyHash(attrs.fileKey()));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE; // deleted while the walk ran
        }
        if (file.equals(root)) {
          throw e;
        }
        // Entries below an unreadable directory are not removed: the reconciliation stats each
        // entry it did not see before dropping it, and that stat fails too.
        LOG.warn("Skipping unreadable {} in tier scan of {}: {}", LogText.name(file.toString()), root, LogText.error(e));
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @Override
  public boolean stat(String name, IndexEntry into) throws IOException {
    Path file;
    try {
      file = ObjectNames.resolve(root, name);
    } catch (InvalidObjectNameException e) {
      return false;
    }
    if (exclude.test(file)) {
      return false;
    }
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return false;
    }
    if (!attrs.isRegularFile()) {
      return false;
    }
    into.set(attrs, into.flags());
    return true;
  }

  @Override
  public String toString() {
    return "DirectoryTierFiles{" + root + '}';
  }
}
