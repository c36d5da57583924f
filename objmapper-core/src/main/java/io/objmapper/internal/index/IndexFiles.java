package io.objmapper.internal.index;

import io.objmapper.spi.dir.RegularFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files next to an index file {@code F}: its numbered map files {@code F.map.N}, the
 * clean-shutdown marker {@code F.clean}, the lock {@code F.lock}, a manifest being written
 * {@code F.tmp}, and map files moved aside for inspection, {@code F.damaged-<UTC time>}, of
 * which the newest {@value #KEEP_ASIDE} are kept.
 */
final class IndexFiles {
  private static final Logger LOG = LoggerFactory.getLogger(IndexFiles.class);

  private static final String MAP_FILE_INFIX = ".map.";
  private static final String ASIDE_INFIX = ".damaged-";
  /** Map files kept aside; older ones are deleted when another is moved aside. */
  static final int KEEP_ASIDE = 2;
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  private IndexFiles() {}

  static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }

  static Path cleanMarker(Path file) {
    return sibling(file, ".clean");
  }

  static Path manifestTmp(Path file) {
    return sibling(file, ".tmp");
  }

  /** Entries a rebuild found past the room of the map it started with ({@link Rebuilder}). */
  static Path rebuildSpill(Path file) {
    return sibling(file, ".rebuild");
  }

  static Path lockFile(Path file) {
    return sibling(file, ".lock");
  }

  /** The map file of generation {@code generation}. */
  static Path mapFileOf(Path file, long generation) {
    return sibling(file, MAP_FILE_INFIX + generation);
  }

  /**
   * Deletes the map files of {@code file} other than {@code keep} (may be null): left by a growth
   * that did not finish, or replaced while a reader still used them when the process stopped.
   */
  static void deleteOtherMaps(Path file, Path keep) throws IOException {
    String prefix = file.getFileName() + MAP_FILE_INFIX;
    for (Path p : siblingsStartingWith(file, prefix)) {
      if (!p.equals(keep)) {
        LOG.info("Deleting {}: not the current map of tier index {}", p, file);
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Moves {@code mapFile} (closed, or never opened) aside as {@code F.damaged-<UTC time>} and
   * deletes all but the newest {@value #KEEP_ASIDE} such files.
   *
   * @return where it went
   */
  static Path moveAside(Path file, Path mapFile) throws IOException {
    String stamp = STAMP.format(Instant.now());
    Path aside = sibling(file, ASIDE_INFIX + stamp);
    for (int i = 1;; i++) {
      try {
        Files.move(mapFile, aside);
        break;
      } catch (FileAlreadyExistsException taken) {
        aside = sibling(file, ASIDE_INFIX + stamp + "-" + i);
      }
    }
    List<Path> asides = siblingsStartingWith(file, file.getFileName() + ASIDE_INFIX);
    Collections.sort(asides); // the stamps sort by time
    for (int i = 0; i < asides.size() - KEEP_ASIDE; i++) {
      if (!asides.get(i).equals(aside)) {
        LOG.info("Deleting {}: older than the {} kept map files of tier index {}", asides.get(i), KEEP_ASIDE, file);
        Files.deleteIfExists(asides.get(i));
      }
    }
    return aside;
  }

  /** See {@link PersistentTierIndex#lock}. */
  static PersistentTierIndex.Held lock(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    Path parent = abs.getParent();
    if (parent != null) {
      io.objmapper.spi.dir.DirectoryTier.createDirectories(parent);
    }
    FileChannel lockChannel = RegularFile.open(lockFile(abs), RegularFile.OWN_MODE, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    try {
      FileLock lock = lockChannel.tryLock();
      if (lock == null) {
        throw new io.objmapper.StoreInUseException("the index " + abs + " is in use by another process");
      }
      return new PersistentTierIndex.Held(lockChannel, lock);
    } catch (OverlappingFileLockException e) {
      lockChannel.close();
      throw new io.objmapper.StoreInUseException("the index " + abs + " is in use by another store in this process");
    } catch (IOException | RuntimeException e) {
      lockChannel.close();
      throw e;
    }
  }

  private static List<Path> siblingsStartingWith(Path file, String prefix) throws IOException {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(file.getParent(),
        p -> p.getFileName().toString().startsWith(prefix))) {
      ds.forEach(found::add);
    }
    return found;
  }
}
