package io.objmapper.internal.index;

import io.objmapper.internal.log.LogText;
import io.objmapper.spi.ObjectNames;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link PersistentTierIndex#reconcile} run, in two passes.
 *
 * <ol>
 *   <li>Scan: every file the scan reports is compared with its entry (a lock-free get); a new
 *   file is added, a changed one is looked up again (the scan may be older than a write since)
 *   and updated, keeping the entry's flags. The hash of every name is remembered. When the
 *   index starts empty (a rebuild), the comparison and the insert are one locked step.</li>
 *   <li>Sweep: a walk over the index; an entry whose name the scan did not report is looked up
 *   again: if the file exists (created after the scan passed, or missed by it) the entry is
 *   kept or updated, otherwise it is removed, the decisive look-up happening while the entry is
 *   locked. The sweep runs only if the scan completed, and not at all when the index was empty
 *   at the start: every entry then comes from this scan or from a writer that created its file
 *   meanwhile.</li>
 * </ol>
 */
final class Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  private final PersistentTierIndex index;
  private final TierFiles files;

  private long scanned;
  private MergeTally tally;
  private long removed;
  private long skipped;
  private long errors;
  private long swept;

  Reconciler(PersistentTierIndex index, TierFiles files) {
    this.index = index;
    this.files = files;
  }

  ReconcileReport run() throws IOException {
    long t0 = System.nanoTime();
    tally = new MergeTally(t0);
    LOG.info("Reconciling tier index {} with {}: {} entries, opened {}", index.file(), files, index.size(),
        index.openState());
    NameHashes seen = new NameHashes();
    IndexEntry scannedEntry = new IndexEntry();
    IndexEntry existing = new IndexEntry();
    IndexEntry fresh = new IndexEntry();
    boolean rebuild = index.size() == 0; // nothing to compare with, nothing to sweep
    try {
      files.scan((name, size, mtimeMillis, fileKeyHash) -> {
        scanned++;
        if (!ObjectNames.isValid(name)) {
          skipped++;
          return;
        }
        scannedEntry.set(size, mtimeMillis, fileKeyHash, 0);
        if (rebuild) {
          // Nearly every file is new: insert-or-compare in one step. A file that another writer
          // indexed meanwhile with other metadata is simply updated from the scan.
          tally.count(index.mergeScanned(name, scannedEntry));
          progress(t0, "scan");
          return;
        }
        if (index.get(name, existing)) {
          if (existing.sameFileAs(scannedEntry)) {
            tally.unchanged++;
            seen.add(name);
            progress(t0, "scan");
            return;
          }
          int state = stat(name, fresh);
          if (state == GONE) {
            progress(t0, "scan"); // not remembered as seen: the sweep decides
            return;
          }
          if (state == EXISTS) {
            scannedEntry.copyFrom(fresh);
          }
        }
        tally.count(index.mergeScanned(name, scannedEntry));
        seen.add(name);
        progress(t0, "scan");
      });
    } catch (IOException e) {
      LOG.warn("Reconciliation of tier index {} stopped: the scan failed after {} files ({} added, {} updated);"
          + " nothing was removed: {}", index.file(), scanned, tally.added, tally.updated, e.toString());
      throw e;
    }
    long scanEnd = System.nanoTime();
    if (!rebuild) {
      seen.freeze();
      index.forEach((name, entry) -> {
        swept++;
        if (!seen.contains(name)) {
          sweep(name, entry, fresh);
        }
        progress(t0, "sweep");
        return true;
      });
    }
    ReconcileReport report = new ReconcileReport(scanned, tally.added, tally.updated, removed, tally.unchanged,
        skipped, errors, System.nanoTime() - t0);
    LOG.info("Reconciled tier index {} in {} ms (scan {} ms, {}): {} files scanned, {} added, {} updated,"
            + " {} removed, {} unchanged, {} skipped, {} unreadable; {} entries",
        index.file(), TimeUnit.NANOSECONDS.toMillis(report.durationNanos()),
        TimeUnit.NANOSECONDS.toMillis(scanEnd - t0), rebuild ? "no sweep: rebuilt from empty" : swept + " swept",
        scanned, tally.added, tally.updated, removed, tally.unchanged, skipped, errors, index.size());
    return report;
  }

  private void sweep(String name, IndexEntry entry, IndexEntry fresh) {
    int[] state = {GONE};
    boolean gone = index.removeIfGone(name, entry, () -> {
      state[0] = stat(name, fresh);
      return state[0] != GONE;
    });
    if (gone) {
      removed++;
    } else if (state[0] == EXISTS && !fresh.sameFileAs(entry)) {
      tally.count(index.mergeScanned(name, fresh));
    }
  }

  private static final int GONE = 0;
  private static final int EXISTS = 1;
  private static final int UNREADABLE = 2;

  private int stat(String name, IndexEntry into) {
    try {
      return files.stat(name, into) ? EXISTS : GONE;
    } catch (IOException e) {
      errors++;
      LOG.debug("Cannot read the state of {}: {}", LogText.name(name), LogText.error(e));
      return UNREADABLE;
    }
  }

  private void progress(long t0, String phase) {
    if (!tally.progressDue(scanned + swept)) {
      return;
    }
    long now = System.nanoTime();
    double seconds = (now - t0) / 1e9;
    LOG.info("Reconciling tier index {} ({}): {} files scanned ({} files/s), {} added, {} updated, {} removed,"
        + " {} entries swept", index.file(), phase, scanned, (long) (scanned / seconds), tally.added, tally.updated,
        removed, swept);
  }
}
