package io.objmapper.spi.dir;

import io.objmapper.spi.ObjectNames;

import io.objmapper.spi.Tier.ScanProgress;
import io.objmapper.spi.Tier.ScanVisitor;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One walk of a {@link DirectoryTier}'s tree: follows no link, visits regular files only (a
 * link, FIFO, socket or device is never an object and never opened), skips the tier's own
 * files and the files its layout never places, and counts what it visits; while the tier
 * starts it also removes the temporary files of writes a crash cut short.
 */
final class ScanWalker extends SimpleFileVisitor<Path> {
  private static final Logger log = LoggerFactory.getLogger(DirectoryTier.class);

  private final Path root;
  private final DirectoryLayout layout;
  private final String tierName;
  private final Predicate<Path> tiersOwn;
  private final ScanVisitor visitor;
  private final ScanProgress progress;
  private final boolean removeTemporaries;
  long objects;
  long bytes;
  long skipped;
  Path firstSkipped;
  long temporariesRemoved;

  ScanWalker(Path root, DirectoryLayout layout, String tierName, Predicate<Path> tiersOwn, ScanVisitor visitor,
      ScanProgress progress, boolean removeTemporaries) {
    this.root = root;
    this.layout = layout;
    this.tierName = tierName;
    this.tiersOwn = tiersOwn;
    this.visitor = visitor;
    this.progress = progress;
    this.removeTemporaries = removeTemporaries;
  }

  @Override
  public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
    if (dir.equals(root)) {
      return FileVisitResult.CONTINUE;
    }
    return isTiersOwn(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
  }

  @Override
  public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
    if (isTiersOwn(file)) {
      if (removeTemporaries && attrs.isRegularFile()
          && file.getFileName().toString().startsWith(AtomicWrite.TEMP_PREFIX) && Files.deleteIfExists(file)) {
        temporariesRemoved++;
      }
      return FileVisitResult.CONTINUE;
    }
    if (!attrs.isRegularFile()) {
      return FileVisitResult.CONTINUE; // links, FIFOs, sockets, devices: never objects, never opened
    }
    String rel = relativeString(file);
    String name = ObjectNames.isDecodable(file, attrs) ? layout.nameOf(rel) : null;
    if (name == null) {
      if (skipped++ == 0) {
        firstSkipped = file;
      }
      log.debug("tier \"{}\": skipping {}: no object of its layout", tierName, file);
      return FileVisitResult.CONTINUE;
    }
    visitor.visit(name, DirectoryTier.statOf(attrs));
    objects++;
    bytes += attrs.size();
    if (objects % DirectoryTier.PROGRESS_INTERVAL == 0) {
      progress.progress(objects, bytes);
    }
    return FileVisitResult.CONTINUE;
  }

  @Override
  public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
    if (exc instanceof NoSuchFileException) {
      return FileVisitResult.CONTINUE;
    }
    throw exc;
  }

  @Override
  public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
    if (exc != null && !(exc instanceof NoSuchFileException)) {
      throw exc;
    }
    return FileVisitResult.CONTINUE;
  }

  private String relativeString(Path file) {
    StringBuilder sb = new StringBuilder();
    for (Path part : root.relativize(file)) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part);
    }
    return sb.toString();
  }

  private boolean isTiersOwn(Path path) {
    return tiersOwn.test(path);
  }
}
