package io.objmapper.internal.index;

import io.objmapper.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.map.ChronicleMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@link PersistentTierIndex#open} finds its map. A map file is opened only when the last
 * run closed it cleanly and it is byte for byte what that close left ({@link CleanMarker}): a
 * map left by a crash, or one that fails a check, is never handed to Chronicle Map (whose
 * recovery walks the segments and can crash the JVM on damaged bytes). It is moved aside
 * ({@link IndexFiles#moveAside}) and the index starts empty, to be rebuilt from a scan of the
 * tier ({@link OpenState#RESET}).
 */
final class IndexOpener {
  private static final Logger LOG = LoggerFactory.getLogger(IndexOpener.class);

  private IndexOpener() {}

  /** What open found: the map to use, the state, why, and where a damaged map went. */
  static final class Opened {
    final Generation generation;
    final OpenState state;
    final String reason;
    final Path movedAside;

    Opened(Generation generation, OpenState state, String reason, Path movedAside) {
      this.generation = generation;
      this.state = state;
      this.reason = reason;
      this.movedAside = movedAside;
    }
  }

  static Opened openMap(Path file, IndexOptions options) throws IOException {
    Path marker = IndexFiles.cleanMarker(file);
    Files.deleteIfExists(IndexFiles.manifestTmp(file));
    Files.deleteIfExists(IndexFiles.rebuildSpill(file)); // a rebuild cut short
    if (!Files.exists(file)) {
      IndexFiles.deleteOtherMaps(file, null);
      Files.deleteIfExists(marker);
      return create(file, options, 0, OpenState.CREATED, "no index file", null);
    }
    IndexManifest manifest;
    try {
      manifest = IndexManifest.read(file);
    } catch (IOException e) {
      IndexFiles.deleteOtherMaps(file, null);
      Files.deleteIfExists(marker);
      return create(file, options, 0, OpenState.RESET, e.getMessage(), null);
    }
    Path mapFile = manifest.mapPath(file);
    IndexFiles.deleteOtherMaps(file, mapFile);
    String problem = check(manifest, mapFile, marker);
    if (problem == null) {
      ChronicleMap<String, IndexEntry> map = null;
      try {
        map = ChronicleMaps.builder(manifest.entries, manifest.averageKeySize).createPersistedTo(mapFile.toFile());
      } catch (IOException | RuntimeException | InternalError e) {
        problem = e.toString();
      }
      if (map != null) {
        try {
          Files.deleteIfExists(marker); // from now on a crash must lead to a rebuild
        } catch (IOException e) {
          closeQuietly(map);
          throw e;
        }
        Generation g = new Generation(map, manifest, mapFile, manifest.entries, options);
        return new Opened(g, OpenState.CLEAN, "closed cleanly, checksum verified", null);
      }
    }
    Path aside = Files.exists(mapFile) ? IndexFiles.moveAside(file, mapFile) : null;
    Files.deleteIfExists(marker);
    return create(file, options, manifest.generation, OpenState.RESET, problem, aside);
  }

  /** Why the map file must not be opened, or null: format, length, header, then the clean marker. */
  private static String check(IndexManifest manifest, Path mapFile, Path marker) throws IOException {
    if (manifest.format != IndexManifest.FORMAT) {
      return "format " + manifest.format + ", expected " + IndexManifest.FORMAT;
    }
    if (!manifest.chronicleVersion.equals(ChronicleMaps.libraryVersion())) {
      return "written by Chronicle Map " + manifest.chronicleVersion + ", this is "
          + ChronicleMaps.libraryVersion();
    }
    String problem = manifest.problemWith(mapFile);
    return problem != null ? problem : CleanMarker.problem(marker, mapFile);
  }

  /**
   * Creates an empty map of the generation after {@code lastGeneration} and installs its manifest.
   *
   * @throws StorageException naming the file if the map cannot be created (disk full, no permission)
   */
  static Opened create(Path file, IndexOptions options, long lastGeneration, OpenState state, String reason,
      Path aside) throws IOException {
    long generation = lastGeneration + 1;
    Path mapFile = IndexFiles.mapFileOf(file, generation);
    long entries = options.expectedEntries();
    double averageKey = options.averageNameBytes();
    ChronicleMap<String, IndexEntry> map = createMap(mapFile, entries, averageKey);
    try {
      IndexManifest manifest = IndexManifest.describe(mapFile, generation, entries, averageKey);
      manifest.install(file, IndexFiles.manifestTmp(file));
      Generation g = new Generation(map, manifest, mapFile, entries, options);
      return new Opened(g, state, reason, aside);
    } catch (IOException | RuntimeException e) {
      closeQuietly(map);
      Files.deleteIfExists(mapFile);
      throw e;
    }
  }

  /**
   * A new, empty map file for {@code entries} names; Chronicle Map allocates all of it at once.
   *
   * @throws StorageException naming {@code mapFile} if that fails (disk full, quota, no
   *     permission); the partial file is deleted
   */
  static ChronicleMap<String, IndexEntry> createMap(Path mapFile, long entries, double averageKey) {
    try {
      // Made empty first with the owner's mode (Chronicle Map fills an empty file as a new map):
      // created by Chronicle it would get the umask's 0644 and show every name to every user.
      io.objmapper.spi.dir.RegularFile.createAnew(mapFile, io.objmapper.spi.dir.RegularFile.OWN_MODE).close();
      return ChronicleMaps.builder(entries, averageKey).createPersistedTo(mapFile.toFile());
    } catch (IOException | RuntimeException | InternalError e) {
      try {
        Files.deleteIfExists(mapFile);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new StorageException("cannot create tier index map " + mapFile + " for " + entries
          + " entries (disk full or not writable?): " + rootMessage(e), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.toString();
  }

  static void closeQuietly(ChronicleMap<?, ?> map) {
    try {
      map.close();
    } catch (RuntimeException e) {
      LOG.debug("Closing a map that failed to open: {}", e.toString());
    }
  }
}
