package io.objmapper.internal.store;

import io.objmapper.OpenProgress;
import io.objmapper.internal.index.IndexOptions;
import io.objmapper.internal.index.PersistentTierIndex;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.dir.DirectoryTier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the right {@link TierIndex} for a tier, walking the tier's files at most once: the walk
 * that fills or rebuilds an index is also the tier's first scan, which counts its objects
 * ({@link DirectoryTier#counted()}), so a tier whose counts and index are both missing (a first
 * open, a crash) is walked once, not twice.
 */
public final class TierIndexes {
  private static final Logger log = LoggerFactory.getLogger(TierIndexes.class);

  private TierIndexes() {}

  /**
   * The index of {@code tier}, as {@link #open(Tier, boolean, long, CompletionStage,
   * OpenProgress, LongSupplier)} opens it, with nothing waited for, no progress told and the
   * system's clock.
   *
   * @param persist whether persistent tiers keep their index in a file
   * @param expectedObjects what a new index file is first sized for (more if the tier holds more)
   */
  public static TierIndex open(Tier tier, boolean persist, long expectedObjects) throws IOException {
    return open(tier, persist, expectedObjects, CompletableFuture.completedFuture(null), OpenProgress.NONE,
        System::nanoTime);
  }

  /**
   * The index of {@code tier}:
   * <ul>
   *   <li>a persistent tier with {@code persistIndex} gets a Chronicle Map file at its index
   *       path. If it was closed cleanly, the map opens in the background (see {@link
   *       OpeningTierIndex}) and nothing is walked, unless the tier has no saved counts (a
   *       read-only tier): one walk counts it meanwhile. Otherwise (no index file yet, a crash)
   *       the map is opened now and one walk rebuilds it and counts the tier. A remote tier's
   *       map always opens, and is rebuilt from its listing, in the background;
   *   <li>other local tiers get a heap index filled by one walk now (which also counts the
   *       tier if it has no saved counts);
   *   <li>a remote tier gets a heap index filled in the background.
   * </ul>
   * A walk now is told to {@code progress}. A map that opened in the background and turned
   * out damaged is rebuilt in the background once {@code filesSettled} completes: the store
   * first finishes what a crash cut short on the files (a reconciliation scanning meanwhile
   * could index a copy being deleted); if it completes exceptionally, no reconciliation runs.
   *
   * @param nanoClock the store's clock, which paces a persistent index's looks at its map file's length
   * @throws IOException if the tier's files cannot be walked (what was opened is closed)
   */
  public static TierIndex open(Tier tier, boolean persist, long expectedObjects, CompletionStage<?> filesSettled,
      OpenProgress progress, LongSupplier nanoClock) throws IOException {
    TierConfig c = tier.config();
    boolean counted = !(tier instanceof DirectoryTier d) || d.counted();
    if (persist && c.has(TierFlag.PERSISTENT) && c.persistIndex() && c.indexPath().isPresent()) {
      Path file = c.indexPath().get();
      // A tier that already holds more objects gets room for them now rather than after growths;
      // one whose count is still to come grows as its walk fills it.
      long entries = Math.max(Math.max(IndexOptions.MIN_ENTRIES, expectedObjects),
          counted ? tier.objectCount() / 4 * 5 : 0);
      IndexOptions options = IndexOptions.builder().expectedEntries(entries).nanoClock(nanoClock).build();
      // The lock now, so build() fails at once if another store holds the index; the map later.
      PersistentTierIndex.Held held = PersistentTierIndex.lock(file);
      if (tier.localFiles().isEmpty() || PersistentTierIndex.closedCleanly(file)) {
        // A map closed cleanly (or a remote tier's, whose LIST may take long or fail: the store
        // serves meanwhile, a name not indexed yet is asked of the tier) opens in the background.
        OpeningTierIndex index = new OpeningTierIndex(tier.name(), () -> {
          ChronicleTierIndex opened = new ChronicleTierIndex(PersistentTierIndex.open(file, options, held),
              tier);
          filesSettled.thenRun(opened::reconcileInBackground); // if it turned out damaged
          return opened;
        });
        if (!counted) {
          try {
            count(tier, progress); // meanwhile (a read-only tier never saves its counts)
          } catch (IOException | RuntimeException e) {
            index.close();
            throw e;
          }
        }
        return index;
      }
      return openAndWalk(tier, file, options, held, counted, filesSettled,
          progress);
    }
    int flags = tier.config().has(TierFlag.PERSISTENT) ? 0 : io.objmapper.ObjectFlag.EPHEMERAL.bit();
    if (tier.localFiles().isEmpty()) {
      // A remote tier: its LIST may take long or fail; the store serves meanwhile (a name
      // not indexed yet is asked of the tier).
      return HeapTierIndex.fillInBackground(tier, flags);
    }
    HeapTierIndex index = new HeapTierIndex();
    OpenWalk walk = new OpenWalk(tier.name(), progress);
    try {
      long n = tier.scan((name, stat) -> index.put(name, IndexRecord.of(stat, flags)), walk);
      walk.done();
      log.debug("tier {}: {} objects indexed", tier.name(), n);
    } catch (IOException | RuntimeException e) {
      index.close();
      throw e;
    }
    return index;
  }

  /** The persistent index opened now, rebuilt or only counted by the one walk its tier needs. */
  private static TierIndex openAndWalk(Tier tier, Path file, IndexOptions options, PersistentTierIndex.Held held,
      boolean counted, CompletionStage<?> filesSettled, OpenProgress progress) throws IOException {
    PersistentTierIndex opened;
    try {
      opened = PersistentTierIndex.open(file, options, held);
    } catch (Exception | Error e) {
      log.error("tier {}: its index could not be opened; lookups ask the tier, writes fail: {}", tier.name(),
          e.toString());
      if (!counted) {
        count(tier, progress);
      }
      return OpeningTierIndex.failed(tier.name(), e);
    }
    ChronicleTierIndex index = new ChronicleTierIndex(opened, tier);
    try {
      if (opened.needsReconciliation()) {
        index.rebuildNow(new OpenWalk(tier.name(), progress));
      } else if (!counted) {
        count(tier, progress);
      }
    } catch (IOException | RuntimeException e) {
      index.close();
      throw e;
    }
    filesSettled.thenRun(index::reconcileInBackground); // nothing to do unless replaced meanwhile
    return index;
  }

  /** A walk that only counts the tier (its first scan). */
  private static void count(Tier tier, OpenProgress progress) throws IOException {
    OpenWalk walk = new OpenWalk(tier.name(), progress);
    tier.scan((name, stat) -> {}, walk);
    walk.done();
  }
}
