package io.objmapper;

import io.objmapper.internal.lifecycle.MigrationJournal;
import io.objmapper.internal.log.LogText;
import io.objmapper.internal.store.IndexRecord;
import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.TierConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the store puts right when it opens: the moves an earlier run left half done (in the
 * migration journal), and the copies an earlier run left on volatile tiers.
 */
final class Recovery {
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

  private Recovery() {}

  /** Where the migration journal lives: on the first persistent, writable, local tier with a root; else null. */
  static Path journalFile(TierSet set) {
    for (int t = 0; t < set.size(); t++) {
      TierConfig c = set.configs[t];
      if (set.persistent(t) && set.writable(t) && set.local(t) && c.root().isPresent()) {
        return c.root().get().resolve(ObjectNames.RESERVED_PREFIX + "_migrations");
      }
    }
    return null;
  }

  /**
   * Resolves the moves the previous run left unfinished (in the journal): if the target has
   * the copy (a tier's copy is complete once it has the name), the move is finished: the
   * target indexed, the source's copy unindexed and deleted; otherwise it is undone: the
   * target unindexed, the source kept. Either way one copy is left.
   */
  static void finishCutShortMoves(TierSet set, MigrationJournal journal) throws IOException {
    if (journal == null || journal.pending().isEmpty()) {
      return;
    }
    int finished = 0;
    int undone = 0;
    for (MigrationJournal.Pending p : journal.pending()) {
      if (resolve(set, p)) {
        finished++;
      } else {
        undone++;
      }
    }
    journal.restart();
    log.info("migration journal: {} moves finished, {} undone", finished, undone);
  }

  /** Finishes (true) or undoes (false) one move cut short. */
  private static boolean resolve(TierSet set, MigrationJournal.Pending p) throws IOException {
    String name = p.name();
    ObjectStat at = set.stat(p.to(), name);
    ObjectStat was = set.stat(p.from(), name);
    if (at != null && was != null && !set.local(p.to()) && set.local(p.from()) && !sameBytes(set, p)) {
      // A remote tier (a shared bucket) may hold another version under the name, written
      // before this move began: only the very bytes of the source finish the move.
      at = null;
    }
    IndexRecord fromRecord = set.indexes[p.from()].get(name);
    IndexRecord toRecord = set.indexes[p.to()].get(name);
    int flags = fromRecord != null ? fromRecord.flags() : toRecord != null ? toRecord.flags()
        : set.persistent(p.to()) ? 0 : ObjectFlag.EPHEMERAL.bit();
    if (at != null) {
      set.indexes[p.to()].put(name, IndexRecord.of(at, flags));
      set.unindex(p.from(), name);
      if (was != null && set.writable(p.from())) {
        set.tiers[p.from()].delete(name);
      }
    } else {
      set.unindex(p.to(), name);
      if (was != null && fromRecord == null) {
        set.indexes[p.from()].put(name, IndexRecord.of(was, flags));
      }
    }
    log.info("move of {} from {} to {} cut short by the end of the last run: {}", LogText.name(name), set.name(p.from()),
        set.name(p.to()), at != null ? "finished" : "undone");
    return at != null;
  }

  /** True if the copy on remote tier {@code p.to()} holds the very bytes of the local source. */
  private static boolean sameBytes(TierSet set, MigrationJournal.Pending p) {
    try (java.io.InputStream local = set.files(p.from()).openRead(p.name());
         java.io.InputStream remote = set.tiers[p.to()].openStream(p.name())) {
      byte[] a = new byte[64 * 1024];
      byte[] b = new byte[64 * 1024];
      while (true) {
        int n = local.readNBytes(a, 0, a.length);
        int m = remote.readNBytes(b, 0, b.length);
        if (n != m || !java.util.Arrays.equals(a, 0, n, b, 0, m)) {
          return false;
        }
        if (n < a.length) {
          return true;
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("move of {} to {} cut short: cannot compare the copies ({}); the source is kept", LogText.name(p.name()),
          set.name(p.to()), LogText.error(e));
      return false;
    }
  }

  /**
   * Objects left on a volatile tier by an earlier run: a copy of an object that a
   * persistent tier holds is dropped (the persistent one is the truth; a read-only tier's
   * copy is only unindexed); the rest stays indexed as EPHEMERAL (see
   * {@link io.objmapper.internal.store.TierIndexes}), so it can never reach a persistent tier.
   */
  static void dropStaleVolatileCopies(TierSet set) throws IOException {
    for (int t = 0; t < set.size(); t++) {
      if (set.persistent(t) || !set.local(t)) {
        continue;
      }
      List<String> found = new ArrayList<>();
      set.indexes[t].forEach("/", (name, r) -> found.add(name));
      int dropped = 0;
      for (String name : found) {
        if (dropIfPersisted(set, t, name)) {
          dropped++;
        }
      }
      if (!found.isEmpty()) {
        log.info("tier {}: {} objects left by an earlier run, {} of them stale copies dropped", set.name(t),
            found.size(), dropped);
      }
    }
  }

  private static boolean dropIfPersisted(TierSet set, int t, String name) throws IOException {
    for (int p = 0; p < set.size(); p++) {
      if (p != t && set.persistent(p) && set.tiers[p].stat(name) != null) {
        if (set.writable(t)) {
          set.tiers[t].delete(name);
        }
        // On a read-only tier the copy stays on disk; without its record the persistent
        // tier's copy is the one found.
        set.unindex(t, name);
        return true;
      }
    }
    return false;
  }

  /** Where the journal of staged copies lives: next to the migration journal; null if there is none. */
  static StagedJournal stagedJournal(TierSet set) {
    boolean remote = false;
    for (int t = 0; t < set.size(); t++) {
      remote |= !set.local(t);
    }
    Path migrations = journalFile(set);
    return migrations == null || !remote ? null : StagedJournal.at(migrations.getParent(), set.names());
  }

  /**
   * Registers again the copies staged from remote tiers that an earlier run left on local
   * tiers ({@link StagedJournal}): each is a cache copy of its remote object again, verified
   * and revalidated before it is first served. A copy whose staging a crash cut short (its
   * record begun, never completed) is deleted and unindexed: it may be partial, or torn.
   */
  static void restoreStagedCopies(TierSet set, StagedCopies staged, long nowNanos) throws IOException {
    StagedJournal journal = staged.journal();
    if (journal == null) {
      return;
    }
    java.util.Map<String, StagedCopies.Copy> live = new java.util.LinkedHashMap<>();
    int suspects = 0;
    for (StagedJournal.Found f : journal.read()) {
      if (f.local() < 0 || !set.local(f.local())) {
        continue; // a tier no longer configured (or no longer local): nothing to do for it
      }
      StagedJournal.Record r = f.complete();
      if (r != null) {
        long period = ReadPath.revalidateNanos(set.configs[r.remote()]);
        StagedCopies.Copy c = new StagedCopies.Copy(r.remote(), r.local(), r.remoteStat(), period,
            nowNanos - Math.max(0, period), r.crc32c(), r.copySize(), false);
        staged.restored(f.name(), c);
        live.put(f.name(), c);
      } else {
        suspects++;
        if (set.writable(f.local())) {
          set.removeFrom(f.local(), f.name());
        } else {
          set.unindex(f.local(), f.name());
        }
      }
    }
    if (!live.isEmpty() || java.nio.file.Files.exists(journal.file())) {
      journal.rewrite(live);
    }
    if (!live.isEmpty() || suspects > 0) {
      log.info("{}: {} staged copies known again, {} stagings cut short dropped", journal.file(), live.size(),
          suspects);
    }
  }
}
