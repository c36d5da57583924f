package io.objmapper.internal.store;

import io.objmapper.internal.index.IndexOptions;
import io.objmapper.internal.index.PersistentTierIndex;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the right {@link TierIndex} for a tier. */
public final class TierIndexes {
  private static final Logger log = LoggerFactory.getLogger(TierIndexes.class);

  private TierIndexes() {}

  /**
   * Fails if another store (in this process or another) holds the index {@code file}: the
   * lock the index takes when it opens in the background, probed here so that the store's
   * {@code build()} fails instead of its writes.
   */
  static void requireFree(Path file) throws IOException {
    Path lock = file.resolveSibling(file.getFileName() + ".lock");
    if (!Files.exists(lock)) {
      return;
    }
    try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock();
      if (l == null) {
        throw new io.objmapper.StoreInUseException("the index " + file + " is in use by another process");
      }
      l.release();
    } catch (OverlappingFileLockException e) {
      throw new io.objmapper.StoreInUseException("the index " + file + " is in use by another store in this process");
    }
  }

  /**
   * The index of {@code tier}: a persistent tier with {@code persistIndex} gets a Chronicle
   * Map file at its index path, opened in the background (see {@link OpeningTierIndex}) and
   * reconciled with the files when it was not closed cleanly; other tiers get a heap index
   * filled by a scan.
   *
   * @param persist whether persistent tiers keep their index in a file
   * @param expectedObjects what a new index file is first sized for
   */
  public static TierIndex open(Tier tier, boolean persist, long expectedObjects) throws IOException {
    TierConfig c = tier.config();
    if (persist && c.has(TierFlag.PERSISTENT) && c.persistIndex() && c.indexPath().isPresent()) {
      Path file = c.indexPath().get();
      requireFree(file); // fail build() at once if another store holds the index
      return new OpeningTierIndex(tier.name(), () -> {
        ChronicleTierIndex index = new ChronicleTierIndex(PersistentTierIndex.open(c.indexPath().get(),
            Math.max(IndexOptions.MIN_ENTRIES, expectedObjects)), tier);
        index.reconcileInBackground();
        return index;
      });
    }
    HeapTierIndex index = new HeapTierIndex();
    int flags = tier.config().has(TierFlag.PERSISTENT) ? 0 : io.objmapper.ObjectFlag.EPHEMERAL.bit();
    long n = tier.scan((name, stat) -> index.put(name, IndexRecord.of(stat, flags)),
        (objects, bytes) -> log.debug("tier {}: scanned {} objects", tier.name(), objects));
    log.debug("tier {}: {} objects indexed", tier.name(), n);
    return index;
  }
}
