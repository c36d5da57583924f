package io.objmapper.internal.store;

import io.objmapper.internal.index.IndexOptions;
import io.objmapper.internal.index.PersistentTierIndex;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the right {@link TierIndex} for a tier. */
public final class TierIndexes {
  private static final Logger log = LoggerFactory.getLogger(TierIndexes.class);

  private TierIndexes() {}

  /**
   * The index of {@code tier}: a persistent tier with {@code persistIndex} gets a Chronicle
   * Map file at its index path, opened in the background (see {@link OpeningTierIndex}) and
   * reconciled with the files when it was not closed cleanly; other tiers get a heap index
   * filled by a scan (a remote tier's in the background).
   *
   * @param persist whether persistent tiers keep their index in a file
   * @param expectedObjects what a new index file is first sized for (more if the tier holds more)
   */
  public static TierIndex open(Tier tier, boolean persist, long expectedObjects) throws IOException {
    return open(tier, persist, expectedObjects, java.util.concurrent.CompletableFuture.completedFuture(null));
  }

  /**
   * As {@link #open(Tier, boolean, long)}, but a reconciliation with the files waits for
   * {@code filesSettled}: the store first finishes what a crash cut short on the files (a
   * reconciliation scanning meanwhile could index a copy being deleted). If it completes
   * exceptionally, no reconciliation runs.
   */
  public static TierIndex open(Tier tier, boolean persist, long expectedObjects,
      java.util.concurrent.CompletionStage<?> filesSettled) throws IOException {
    TierConfig c = tier.config();
    if (persist && c.has(TierFlag.PERSISTENT) && c.persistIndex() && c.indexPath().isPresent()) {
      Path file = c.indexPath().get();
      // A tier that already holds more objects gets room for them now rather than after growths.
      long entries = Math.max(Math.max(IndexOptions.MIN_ENTRIES, expectedObjects), tier.objectCount() / 4 * 5);
      // The lock now, so build() fails at once if another store holds the index; the map later.
      PersistentTierIndex.Held held = PersistentTierIndex.lock(file);
      return new OpeningTierIndex(tier.name(), () -> {
        ChronicleTierIndex index = new ChronicleTierIndex(PersistentTierIndex.open(file,
            IndexOptions.ofExpectedEntries(entries), held), tier);
        filesSettled.thenRun(index::reconcileInBackground);
        return index;
      });
    }
    int flags = tier.config().has(TierFlag.PERSISTENT) ? 0 : io.objmapper.ObjectFlag.EPHEMERAL.bit();
    if (tier.localFiles().isEmpty()) {
      // A remote tier: its LIST may take long or fail; the store serves meanwhile (a name
      // not indexed yet is asked of the tier).
      return HeapTierIndex.fillInBackground(tier, flags);
    }
    HeapTierIndex index = new HeapTierIndex();
    long n = tier.scan((name, stat) -> index.put(name, IndexRecord.of(stat, flags)),
        (objects, bytes) -> log.debug("tier {}: scanned {} objects", tier.name(), objects));
    log.debug("tier {}: {} objects indexed", tier.name(), n);
    return index;
  }
}
