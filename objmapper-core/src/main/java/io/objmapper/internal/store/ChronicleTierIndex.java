package io.objmapper.internal.store;

import io.objmapper.StorageException;
import io.objmapper.internal.index.IndexCorruptedException;
import io.objmapper.internal.index.IndexEntry;
import io.objmapper.internal.index.PersistentTierIndex;
import io.objmapper.internal.index.ReconcileReport;
import io.objmapper.internal.index.TierFiles;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import java.io.IOException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index of a persistent tier: a {@link PersistentTierIndex} (a Chronicle Map file). An
 * index that was not closed cleanly, or was missing, is rebuilt from the tier's files while the
 * store opens ({@link #rebuildNow}, the one walk that also counts the tier), or, if that turns
 * out only once it opened in the background, reconciled with them in the background; until that
 * ends a miss proves nothing ({@link #complete()} is false) and lookups ask the tier, so no
 * object on disk ever disappears. A map found damaged while in use is replaced by an empty one
 * and rebuilt from the tier the same way; the lookup that found it asks the tier. An index
 * closed before it was complete is closed without its clean-shutdown marker, so the next open
 * rebuilds it.
 */
final class ChronicleTierIndex implements TierIndex {
  private static final Logger log = LoggerFactory.getLogger(ChronicleTierIndex.class);

  private final PersistentTierIndex index;
  private final Tier tier;
  private volatile boolean complete;
  private Thread reconciler; // guarded by this
  private boolean reconcileAgain; // guarded by this

  ChronicleTierIndex(PersistentTierIndex index, Tier tier) {
    this.index = index;
    this.tier = tier;
    this.complete = index.openState().trusted();
    index.onReplaced(() -> {
      complete = false;
      startReconciler();
    });
  }

  /**
   * Rebuilds or reconciles the index from the tier's files now, in this thread, reporting the
   * walk to {@code walk} (and {@link OpenWalk#done} at its end).
   *
   * @throws IOException if the tier's files cannot be walked; the index stays incomplete
   */
  void rebuildNow(OpenWalk walk) throws IOException {
    TierScan files = new TierScan(tier, walk);
    ReconcileReport r = index.size() == 0 ? index.rebuild(files) : index.reconcile(files);
    walk.done();
    complete = !index.needsReconciliation();
    log.info("tier {}: index {} ({}) rebuilt from the files at open: {}", tier.name(), index.file(),
        index.openState(), r);
  }

  /**
   * An operation begun when {@code replacedBefore} replacements had happened met a damaged
   * map: a miss proves nothing until the replacement's rebuild ends (which sets
   * {@link #complete} again). If the replacement came meanwhile, that rebuild may already have
   * ended: reconcile once more, so the index is not left untrusted for good by a late reader.
   */
  private void lostTrust(long replacedBefore) {
    complete = false;
    if (index.replacements() != replacedBefore) {
      startReconciler();
    }
  }

  /** Starts reconciling with the tier's files if the index is not trusted. */
  void reconcileInBackground() {
    if (!complete) {
      startReconciler();
    }
  }

  private synchronized void startReconciler() {
    if (reconciler != null) {
      reconcileAgain = true; // a replacement during a run: run once more after it
      return;
    }
    reconciler = new Thread(this::reconcile, "objmapper-reconcile-" + tier.name());
    reconciler.setDaemon(true);
    reconciler.start();
  }

  private void reconcile() {
    for (;;) {
      log.info("tier {}: index {} ({}), reconciling with the files", tier.name(), index.file(), index.openState());
      try {
        ReconcileReport r = index.reconcile(new TierScan(tier, Tier.ScanProgress.NONE));
        complete = !index.needsReconciliation();
        log.info("tier {}: index reconciled: {}", tier.name(), r);
      } catch (IOException | RuntimeException e) {
        if (!Thread.currentThread().isInterrupted()) {
          log.warn("tier {}: reconciling the index failed; lookups keep asking the tier: {}", tier.name(), e.toString());
        }
      } catch (Error e) {
        synchronized (this) {
          reconciler = null;
          notifyAll();
        }
        throw e;
      }
      synchronized (this) {
        if (!reconcileAgain || Thread.currentThread().isInterrupted()) {
          reconciler = null;
          notifyAll(); // listings waiting for the rebuild
          return;
        }
        reconcileAgain = false;
      }
    }
  }

  /** Null also if the map turned out to be damaged: the caller asks the tier (a rebuild is on its way). */
  @Override
  public IndexRecord get(String name) {
    IndexEntry e;
    long replacedBefore = index.replacements();
    try {
      e = index.get(name);
    } catch (IndexCorruptedException damaged) {
      lostTrust(replacedBefore);
      return null;
    }
    return e == null ? null : new IndexRecord(e.size(), e.mtimeMillis(), e.flags(), e.fileKeyHash());
  }

  /**
   * @throws StorageException if the index could not take the entry: it was full and could not
   *     grow (the disk is full), or the write itself failed for lack of space
   */
  @Override
  public void put(String name, IndexRecord r) {
    try {
      index.put(name, new IndexEntry(r.size(), r.mtimeMillis(), r.fileKeyHash(), r.flags()));
    } catch (java.io.UncheckedIOException e) {
      throw new StorageException("tier " + tier.name() + ": cannot index " + name + ": " + e.getCause().getMessage(), e);
    }
  }

  @Override
  public boolean remove(String name) {
    return index.remove(name);
  }

  /**
   * While the index is rebuilt or reconciled it may lack files: a listing waits for a rebuild
   * in progress, or for the replacement of a map found damaged and the rebuild that follows
   * (rather than walk the files a second time), and if the index is still incomplete after it
   * (no rebuild running, or it failed) the tier's own listing is visited, with the flags the
   * index has for a name. So is it if the map turns out damaged before the walk visited any
   * entry; once it visited some, the listing fails (a {@link StorageException}: list again).
   */
  @Override
  public void forEach(String prefix, BiConsumer<String, IndexRecord> visitor) {
    if (!complete) {
      index.awaitReplacement();
      awaitReconciler();
    }
    if (!complete) {
      forEachFile(prefix, visitor);
      return;
    }
    long[] visited = new long[1];
    long replacedBefore = index.replacements();
    try {
      index.forEachWithPrefix(prefix, (name, e) -> {
        visited[0]++;
        visitor.accept(name, new IndexRecord(e.size(), e.mtimeMillis(), e.flags(), e.fileKeyHash()));
        return true;
      });
    } catch (IndexCorruptedException damaged) {
      lostTrust(replacedBefore);
      if (visited[0] > 0) {
        throw new StorageException("tier " + tier.name() + ": its index turned out damaged during the listing, after "
            + visited[0] + " objects; it is rebuilt from the tier's files: list again", damaged);
      }
      forEachFile(prefix, visitor);
    }
  }

  /** Visits the tier's own listing, with the flags the index has for a name. */
  private void forEachFile(String prefix, BiConsumer<String, IndexRecord> visitor) {
    try {
      tier.scan((name, s) -> {
        if (name.startsWith(prefix)) {
          IndexRecord r = get(name);
          visitor.accept(name, IndexRecord.of(s, r != null ? r.flags() : 0));
        }
      }, (objects, bytes) -> { });
    } catch (IOException e) {
      throw new StorageException("tier " + tier.name() + ": listing its files failed: " + e.getMessage(), e);
    }
  }

  /** Waits until no reconciliation runs (or this thread is interrupted). */
  private synchronized void awaitReconciler() {
    while (reconciler != null && reconciler != Thread.currentThread()) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public long size() {
    return index.size();
  }

  @Override
  public boolean complete() {
    return complete;
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      t = reconciler;
    }
    if (t != null) {
      t.interrupt();
    }
    if (complete) {
      index.close(); // a reconciliation still running fails and stops
    } else {
      index.closeIncomplete(); // the next open rebuilds it: it may lack files
    }
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * A tier's files as the index's reconciliation sees them: through the SPI's scan and stat
   * (the reconciliation logs its own progress every few seconds).
   */
  private static final class TierScan implements TierFiles {
    private final Tier tier;
    private final Tier.ScanProgress progress;

    TierScan(Tier tier, Tier.ScanProgress progress) {
      this.tier = tier;
      this.progress = progress;
    }

    @Override
    public void scan(ScanSink sink) throws IOException {
      tier.scan((name, s) -> sink.file(name, s.size(), s.mtimeMillis(), IndexEntry.fileKeyHash(s.fileKey())),
          progress);
    }

    @Override
    public String toString() {
      return "the files of tier " + tier.name();
    }

    @Override
    public boolean stat(String name, IndexEntry into) throws IOException {
      ObjectStat s = tier.stat(name);
      if (s == null) {
        return false;
      }
      into.set(s.size(), s.mtimeMillis(), IndexEntry.fileKeyHash(s.fileKey()), into.flags());
      return true;
    }
  }
}
