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
 * index that was not closed cleanly, or was missing, is reconciled with the tier's files in
 * the background; until that ends a miss proves nothing ({@link #complete()} is false) and
 * lookups ask the tier, so no object on disk ever disappears. A map found damaged while in use
 * is replaced by an empty one and rebuilt from the tier the same way; the lookup that found it
 * asks the tier.
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
        ReconcileReport r = index.reconcile(new TierScan(tier));
        complete = !index.needsReconciliation();
        log.info("tier {}: index reconciled: {}", tier.name(), r);
      } catch (IOException | RuntimeException e) {
        if (!Thread.currentThread().isInterrupted()) {
          log.warn("tier {}: reconciling the index failed; lookups keep asking the tier: {}", tier.name(), e.toString());
        }
      }
      synchronized (this) {
        if (!reconcileAgain || Thread.currentThread().isInterrupted()) {
          reconciler = null;
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
    try {
      e = index.get(name);
    } catch (IndexCorruptedException damaged) {
      complete = false;
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
   * While the index is rebuilt or reconciled it may lack files: the tier's own listing is
   * visited then, with the flags the index has for a name.
   */
  @Override
  public void forEach(String prefix, BiConsumer<String, IndexRecord> visitor) {
    if (!complete) {
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
      return;
    }
    index.forEachWithPrefix(prefix, (name, e) -> {
      visitor.accept(name, new IndexRecord(e.size(), e.mtimeMillis(), e.flags(), e.fileKeyHash()));
      return true;
    });
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
    index.close(); // a reconciliation still running fails and stops
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A tier's files as the index's reconciliation sees them: through the SPI's scan and stat. */
  private static final class TierScan implements TierFiles {
    private final Tier tier;

    TierScan(Tier tier) {
      this.tier = tier;
    }

    @Override
    public void scan(ScanSink sink) throws IOException {
      tier.scan((name, s) -> sink.file(name, s.size(), s.mtimeMillis(), IndexEntry.fileKeyHash(s.fileKey())),
          (objects, bytes) -> log.info("tier {}: reconciling, {} objects scanned", tier.name(), objects));
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
