package io.objmapper;

import io.objmapper.spi.ObjectStat;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The copies staged from remote tiers onto local ones: cache copies of an object whose home
 * is the remote tier (evicting one deletes only the copy), checked against their remote
 * version before they are served once they are older than the remote tier's {@code
 * revalidate_ms} (bounded staleness when other nodes write the same bucket). A copy is
 * forgotten when the store writes, deletes or moves the object itself: the store's own change
 * is the truth then.
 *
 * <p>The set survives a restart through the {@link StagedJournal} (when the store has a
 * persistent local tier to keep it on): a copy restored from it is a cache copy again, and is
 * {@linkplain Copy#verified() verified} (its size and CRC32C as recorded when it was staged)
 * and revalidated before it is first served.
 *
 * <p>{@link #due} is what the request path calls: no allocation, no lock, and nothing but an
 * emptiness check when no copy is registered.
 */
final class StagedCopies {
  /** How a staging is made durable, the remote tier's option {@value #OPTION}. */
  enum Durability {
    /**
     * Only the staging's record in the journal is synced, before the copy is written; the
     * copy is not. After a crash of the machine a copy may be torn: it is verified (size and
     * CRC32C) before it is first served after the restart, and dropped if it does not match.
     */
    RECORD,
    /** The copy is synced before it is published (one sync of its file); the record is not. */
    COPY;

    static final String OPTION = "staging_sync";

    static Durability of(String value) {
      return "copy".equals(value) ? COPY : RECORD;
    }
  }

  /**
   * One staged copy.
   *
   * @param remote the remote tier the copy came from
   * @param local the local tier that holds it
   * @param remoteStat the remote version it is a copy of (an S3 ETag as its file key)
   * @param periodNanos how old the last check may get before the next
   * @param crc32c the CRC32C of the copy's bytes as staged, or -1 if unknown
   * @param size the copy's size as staged
   * @param journaled whether the copy is kept in the journal: false for one on a volatile
   *     tier (its file does not outlive the process, so there is nothing to recognize after
   *     a restart)
   */
  static final class Copy {
    final int remote;
    final int local;
    final ObjectStat remoteStat;
    final long periodNanos;
    final long crc32c;
    final long size;
    final boolean journaled;
    private volatile long checkedNanos;
    /** False for a copy restored after a restart: its bytes are checked before it is served. */
    private volatile boolean verified;

    Copy(int remote, int local, ObjectStat remoteStat, long periodNanos, long checkedNanos) {
      this(remote, local, remoteStat, periodNanos, checkedNanos, -1, -1, true);
    }

    Copy(int remote, int local, ObjectStat remoteStat, long periodNanos, long checkedNanos, long crc32c, long size,
        boolean verified) {
      this(remote, local, remoteStat, periodNanos, checkedNanos, crc32c, size, verified, true);
    }

    Copy(int remote, int local, ObjectStat remoteStat, long periodNanos, long checkedNanos, long crc32c, long size,
        boolean verified, boolean journaled) {
      this.journaled = journaled;
      this.remote = remote;
      this.local = local;
      this.remoteStat = remoteStat;
      this.periodNanos = periodNanos;
      this.checkedNanos = checkedNanos;
      this.crc32c = crc32c;
      this.size = size;
      this.verified = verified;
    }

    void checked(long nowNanos) {
      checkedNanos = nowNanos;
    }

    /** The same copy of the same remote version, now on local tier {@code to}: checked when this one was. */
    Copy movedTo(int to, boolean journaledThere) {
      return new Copy(remote, to, remoteStat, periodNanos, checkedNanos, crc32c, size, verified, journaledThere);
    }

    boolean verified() {
      return verified;
    }

    void markVerified() {
      verified = true;
    }

    boolean due(long nowNanos) {
      return !verified || (periodNanos >= 0 && nowNanos - checkedNanos >= periodNanos);
    }
  }

  private final ConcurrentHashMap<String, Copy> copies = new ConcurrentHashMap<>();
  /** Where the set is kept across restarts; null if the store has no persistent local tier. */
  private final StagedJournal journal;

  StagedCopies(StagedJournal journal) {
    this.journal = journal;
  }

  /** A set kept in memory only. */
  StagedCopies() {
    this(null);
  }

  StagedJournal journal() {
    return journal;
  }

  /**
   * Records, before a copy of {@code name} is fetched and written onto tier {@code local},
   * that it is a staged copy: after a crash, whatever that write left is a suspect copy, never
   * the store's own object. With {@link Durability#RECORD} the record starts syncing in the
   * background; {@link #awaitRecorded} waits for it before the copy is published.
   *
   * @return what to pass to {@link #awaitRecorded}
   */
  long staging(String name, int local, Durability durability) throws IOException {
    if (journal == null) {
      return 0;
    }
    journal.staging(name, local);
    if (durability == Durability.RECORD) {
      return journal.syncInBackground(); // the record is written and synced there, during the GET
    }
    journal.writeNow(); // before the copy, so a killed process leaves it recognizable
    return 0;
  }

  /**
   * Waits until the record {@link #staging} began is synced (it was synced in the background
   * while the object was fetched): before the copy is published.
   */
  void awaitRecorded(long token) throws IOException {
    if (journal != null && token > 0) {
      journal.awaitSynced(token);
    }
  }

  /** Registers the copy of {@code name} just staged (replacing an earlier one). */
  void staged(String name, Copy copy) throws IOException {
    copies.put(name, copy);
    if (journal != null && copy.journaled) {
      journal.staged(name, copy);
      if (journal.large()) {
        journal.rewrite(copies); // past 1 MiB: start over with the live copies
      }
    }
  }

  /** Ends the record of a staging of {@code name} that failed: nothing of it is registered. */
  void abandoned(String name) {
    if (journal != null) {
      journal.abandoned(name, null);
    }
  }

  /**
   * Registers {@code copy} again after a staging of a newer version failed and left it in
   * place: served until the next check.
   */
  void kept(String name, Copy copy) {
    copies.put(name, copy);
    if (journal != null && copy.journaled) {
      journal.abandoned(name, copy);
    }
  }

  /** Registers a copy restored from the journal at open (it is there already). */
  void restored(String name, Copy copy) {
    copies.put(name, copy);
  }

  /** The registered copy of {@code name}, or null. */
  Copy get(String name) {
    return copies.isEmpty() ? null : copies.get(name);
  }

  /** The remote tier whose object {@code name}'s copy on local tier {@code t} is, or -1. */
  int homeOf(String name, int t) {
    Copy c = get(name);
    return c != null && c.local == t ? c.remote : -1;
  }

  /** True if {@code name} is a staged copy whose last check is older than its period, or unverified. */
  boolean due(String name, long nowNanos) {
    if (copies.isEmpty()) {
      return false;
    }
    Copy c = copies.get(name);
    return c != null && c.due(nowNanos);
  }

  /** Forgets {@code name}'s copy (the store changed the object itself). */
  void forget(String name) {
    Copy c = copies.isEmpty() ? null : copies.remove(name);
    if (c != null && c.journaled) {
      recordGone(name, c);
    } else if (journal != null) {
      journal.settle(name); // an unsynced end of an earlier staging's record is synced now
    }
  }

  /**
   * Unregisters {@code copy} of {@code name} if it is still the registered one (true if it
   * was), leaving its record in the journal: the caller removes the copy's file and then calls
   * {@link #recordGone}. A crash between the two leaves a record whose file is gone (dropped at
   * the next open); the other order could leave a file with no record, which the next open would
   * take for the store's own object.
   */
  boolean unregister(String name, Copy copy) {
    return copies.remove(name, copy);
  }

  /**
   * Ends the journal record of {@code copy} of {@code name} once its file is gone (see {@link
   * #unregister}). Not after a new copy of the name was recorded: that record supersedes it.
   */
  void recordGone(String name, Copy copy) {
    if (journal != null && copy.journaled) {
      journal.forgotten(name);
    }
  }

  /** Visits every registered copy. */
  void forEach(BiConsumer<String, Copy> visitor) {
    copies.forEach(visitor);
  }

  int size() {
    return copies.size();
  }
}
