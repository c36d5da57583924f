package io.objmapper;

import io.objmapper.internal.lifecycle.JournalText;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.dir.RegularFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which copies on the local tiers are staged from remote tiers, kept across restarts in a
 * file of lines (fields separated by tabs; object names hold no control characters):
 * <ul>
 *   <li>a header {@code objmapper-staged 1<TAB>tier0<TAB>tier1...} naming the tiers by position;
 *   <li>{@code S<TAB>local<TAB>name}: a copy of {@code name} is about to be written onto tier
 *       {@code local} (appended before the write: by the background sync, which syncs it while
 *       the object is fetched, or at once, unsynced, where the copy itself is synced): whatever
 *       is there after a crash before the matching {@code C} is a suspect copy, dropped at the
 *       next open;
 *   <li>{@code C<TAB>remote<TAB>local<TAB>size<TAB>mtime<TAB>etag<TAB>crc32c<TAB>copySize<TAB>name}:
 *       the copy is complete; it is a copy of the version ({@code size}, {@code mtime},
 *       {@code etag}) of tier {@code remote}, and its bytes have that CRC32C (hex, -1 unknown)
 *       and length (not synced: a lost one only drops the copy at the next open);
 *   <li>{@code F<TAB>name}: forgotten, the store made the object its own or deleted it
 *       (synced: a lost one could drop the store's own object at the next open).
 * </ul>
 * The last line of a name wins. The file is rewritten with the live copies at each open and
 * when it passed 1 MiB; it lives in the root of the store's first persistent, writable, local
 * tier, as {@code .objmapper_staged}.
 *
 * <p>The file is kept longer than its lines, zero-filled ({@value #GROW_BYTES} bytes at a time),
 * and the lines are written in place: syncing one then writes a data block, without the
 * metadata journal commit that a sync after an append (the file's size changed) costs. The
 * lines end at the first zero byte.
 */
final class StagedJournal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StagedJournal.class);
  private static final String MAGIC = "objmapper-staged 1";
  static final String FILE_NAME = io.objmapper.spi.ObjectNames.RESERVED_PREFIX + "_staged";
  private static final long COMPACT_BYTES = 1 << 20;
  private static final int GROW_BYTES = 256 * 1024;
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(GROW_BYTES).asReadOnlyBuffer();

  /** What the file says of one name at open. */
  record Found(String name, int local, Record complete) {}

  /** A complete copy as recorded (tier ids of the current configuration). */
  record Record(int remote, int local, ObjectStat remoteStat, long crc32c, long copySize) {}

  private final Path file;
  private final String header;
  private final List<String> tierNames;
  /** Names with an {@code S} line and no {@code C}/{@code F} after it yet, with the line's local tier. */
  private final Map<String, Integer> intents = new HashMap<>();
  private FileChannel channel;
  /** Lines written since this instance opened the file (guarded by this). */
  private long lines;
  /** Names whose abandoned staging's end line is not synced yet, with the line's number. */
  private final java.util.concurrent.ConcurrentHashMap<String, Long> unsyncedEnds =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Object syncLock = new Object();
  /** Lines the background sync is asked to cover, and lines it covered (guarded by syncLock). */
  private long requested;
  private long synced;
  private IOException syncFailure;
  private boolean stopped;
  private Thread syncer;
  /**
   * Lines counted in {@link #lines} but not written yet (guarded by this): a staging's record,
   * which the background sync writes just before it syncs it, so the request staging the copy
   * makes no write of its own to the journal before its GET.
   */
  private final StringBuilder pending = new StringBuilder();
  /** Where the next line goes (the end of the lines), and how long the zero-filled file is. */
  private long end;
  private long capacity;

  private StagedJournal(Path file, List<String> tierNames) {
    this.file = file;
    this.tierNames = tierNames;
    this.header = JournalText.header(MAGIC, tierNames);
  }

  /** The journal in {@code dir} for a store with tiers {@code tierNames} (not read yet: see {@link #read}). */
  static StagedJournal at(Path dir, List<String> tierNames) {
    return new StagedJournal(dir.resolve(FILE_NAME), tierNames);
  }

  Path file() {
    return file;
  }

  /** What the previous runs left in the file, by name; names of tiers no longer configured are left out. */
  List<Found> read() throws IOException {
    JournalText journal = JournalText.read(file, MAGIC, "a journal of staged copies", tierNames);
    List<String> records = journal.records();
    Map<String, Found> found = new LinkedHashMap<>();
    for (int i = 0; i < records.size(); i++) {
      String line = records.get(i);
      try {
        if (line.startsWith("S\t")) {
          String[] f = line.split("\t", 3);
          found.put(f[2], new Found(f[2], tier(journal, f[1]), null));
        } else if (line.startsWith("C\t")) {
          String[] f = line.split("\t", 9);
          int remote = tier(journal, f[1]);
          int local = tier(journal, f[2]);
          ObjectStat s = new ObjectStat(Long.parseLong(f[3]), Long.parseLong(f[4]), f[5].isEmpty() ? null : f[5]);
          long crc = f[6].equals("-1") ? -1 : Long.parseLong(f[6], 16);
          if (remote < 0) {
            found.remove(f[8]); // its remote tier is no longer configured: the copy is the node's own
          } else {
            found.put(f[8], new Found(f[8], local, new Record(remote, local, s, crc, Long.parseLong(f[7]))));
          }
        } else if (line.startsWith("F\t")) {
          found.remove(line.substring(2));
        } else {
          log.warn("{}: line {} ignored: {}", file, i + 2, line);
        }
      } catch (RuntimeException e) {
        log.warn("{}: line {} ignored: {}", file, i + 2, line);
      }
    }
    return new ArrayList<>(found.values());
  }

  private static int tier(JournalText journal, String position) {
    return journal.tierId(Integer.parseInt(position));
  }

  /** Starts the file over with {@code live} copies (written aside, synced, renamed over the old file). */
  synchronized void rewrite(Map<String, StagedCopies.Copy> live) throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
    Path temp = file.resolveSibling(FILE_NAME + ".new");
    StringBuilder b = new StringBuilder(header).append('\n');
    live.forEach((name, c) -> {
      if (c.journaled) {
        complete(b, name, c); // a copy on a volatile tier needs no record
      }
    });
    intents.forEach((name, local) -> intent(b, local, name));
    byte[] text = b.toString().getBytes(StandardCharsets.UTF_8);
    long room = (text.length / GROW_BYTES + 1) * (long) GROW_BYTES;
    try (FileChannel ch = RegularFile.createAnew(temp, RegularFile.OWN_MODE)) {
      write(ch, ByteBuffer.wrap(text), 0);
      for (long at = text.length; at < room; at += GROW_BYTES) {
        write(ch, ZEROS.duplicate().limit((int) Math.min(GROW_BYTES, room - at)), at);
      }
      ch.force(false);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel d = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      d.force(true); // the rename too
    }
    channel = RegularFile.open(file, RegularFile.OWN_MODE, StandardOpenOption.WRITE);
    pending.setLength(0); // what they said is in the new file (the live copies, the intents)
    synchronized (syncLock) {
      synced = Math.max(synced, lines); // every line so far is in the synced new file
    }
    unsyncedEnds.clear();
    end = text.length;
    capacity = room;
  }

  /**
   * See {@link StagedCopies#staging}: the line is counted now and written by the next {@link
   * #syncInBackground} pass (or the next line written here, whichever comes first).
   */
  synchronized long staging(String name, int local) throws IOException {
    open();
    intent(pending, local, name);
    lines++;
    intents.put(name, local);
    return lines;
  }

  /** Writes the pending lines now, unsynced (a staging whose copy is synced instead of its record). */
  synchronized void writeNow() throws IOException {
    if (channel != null) {
      writePending();
    }
  }

  /**
   * Starts syncing every line written so far in the background (one sync serves every
   * staging waiting then: a group commit), so that it runs while the caller fetches the
   * object; {@link #awaitSynced} waits for it.
   *
   * @return what to pass to {@link #awaitSynced}
   */
  long syncInBackground() {
    long upTo;
    synchronized (this) {
      upTo = lines;
    }
    synchronized (syncLock) {
      if (upTo > requested) {
        requested = upTo;
        syncLock.notifyAll();
      }
      if (syncer == null) {
        syncer = new Thread(this::syncLoop, "objmapper-staged-sync");
        syncer.setDaemon(true);
        syncer.start();
      }
    }
    return upTo;
  }

  /** Waits until the lines up to {@code upTo} (from {@link #syncInBackground}) are synced. */
  void awaitSynced(long upTo) throws IOException {
    synchronized (syncLock) {
      while (synced < upTo) {
        if (syncFailure != null) {
          throw new IOException(file + ": cannot sync: " + syncFailure.getMessage(), syncFailure);
        }
        try {
          syncLock.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while syncing " + file);
        }
      }
    }
  }

  private void syncLoop() {
    while (true) {
      long target;
      synchronized (syncLock) {
        while (requested <= synced && !stopped) {
          try {
            syncLock.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (stopped) {
          syncLock.notifyAll();
          return;
        }
        target = requested;
      }
      IOException failure = null;
      try {
        FileChannel ch;
        synchronized (this) {
          ch = channel;
          if (ch != null) {
            writePending();
          }
        }
        if (ch != null) {
          ch.force(false);
        }
      } catch (java.nio.channels.ClosedChannelException rewritten) {
        // A rewrite replaced the file: it synced every line written before it.
      } catch (IOException e) {
        failure = e;
      }
      synchronized (syncLock) {
        if (failure == null) {
          synced = Math.max(synced, target);
          syncFailure = null;
        } else {
          syncFailure = failure;
        }
        syncLock.notifyAll();
      }
    }
  }

  /** Syncs every line so far, now (this held). */
  private void syncNow() throws IOException {
    long upTo = lines;
    writePending();
    channel.force(false);
    synchronized (syncLock) {
      synced = Math.max(synced, upTo);
    }
    unsyncedEnds.clear();
  }

  /** Records the complete copy (not synced). */
  synchronized void staged(String name, StagedCopies.Copy c) throws IOException {
    open();
    StringBuilder b = new StringBuilder();
    complete(b, name, c);
    append(b.toString());
    intents.remove(name);
  }

  /**
   * Records that {@code name} is no staged copy (synced). A failure is logged: the next open
   * then drops the copy, if the file is still there, as a suspect one.
   */
  synchronized void forgotten(String name) {
    try {
      open();
      append("F\t" + name + "\n");
      syncNow();
      intents.remove(name);
    } catch (IOException e) {
      log.warn("{}: cannot record that {} is no staged copy: {}", file, name, e.toString());
    }
  }

  /**
   * Ends an intent whose staging failed (nothing was published, or the old copy is kept). The
   * line is not synced (a name asked for and missing everywhere costs no sync); until a later
   * sync covers it, {@link #settle} syncs it when the store writes that name itself.
   */
  synchronized void abandoned(String name, StagedCopies.Copy kept) {
    try {
      if (kept != null) {
        staged(name, kept);
      } else {
        open();
        append("F\t" + name + "\n");
        intents.remove(name);
        unsyncedEnds.put(name, lines);
      }
    } catch (IOException e) {
      log.warn("{}: {}", file, e.toString());
    }
  }

  /**
   * Called before the store makes {@code name} its own object: if the end of an abandoned
   * staging of it is not synced yet, it is now (else a crash could leave the begun staging's
   * record, and the next open would drop the store's object as a staging cut short).
   */
  void settle(String name) {
    if (unsyncedEnds.isEmpty()) {
      return;
    }
    synchronized (this) {
      Long at = unsyncedEnds.get(name);
      if (at == null) {
        return;
      }
      long done;
      synchronized (syncLock) {
        done = synced;
      }
      try {
        if (done < at) {
          syncNow();
        }
        unsyncedEnds.remove(name);
      } catch (IOException e) {
        log.warn("{}: cannot sync: {}", file, e.toString());
      }
    }
  }

  /** True if the file passed the size at which it is rewritten. */
  synchronized boolean large() throws IOException {
    return channel != null && end > COMPACT_BYTES;
  }

  /**
   * Makes the file ready for lines: a store's open rewrote it already; a missing file is
   * created; an existing one is written on after its lines.
   */
  private void open() throws IOException {
    if (channel != null) {
      return;
    }
    if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      rewrite(Map.of());
      return;
    }
    byte[] all = RegularFile.readAll(file, JournalText.MAX_BYTES);
    int zero = 0;
    while (zero < all.length && all[zero] != 0) {
      zero++;
    }
    channel = RegularFile.open(file, RegularFile.OWN_MODE, StandardOpenOption.WRITE);
    end = zero;
    capacity = all.length;
  }

  /** Writes {@code text}, one line, after the lines (and those pending before it). */
  private void append(String text) throws IOException {
    pending.append(text);
    lines++;
    writePending();
  }

  /** Writes the pending lines at the end of the lines, growing the zero-filled room if needed (this held). */
  private void writePending() throws IOException {
    if (pending.length() == 0) {
      return;
    }
    byte[] bytes = pending.toString().getBytes(StandardCharsets.UTF_8);
    while (end + bytes.length > capacity) {
      write(channel, ZEROS.duplicate(), capacity);
      capacity += GROW_BYTES;
    }
    write(channel, ByteBuffer.wrap(bytes), end);
    pending.setLength(0);
    end += bytes.length;
  }

  private static void intent(StringBuilder b, int local, String name) {
    b.append("S\t").append(local).append('\t').append(name).append('\n');
  }

  private static void complete(StringBuilder b, String name, StagedCopies.Copy c) {
    ObjectStat s = c.remoteStat;
    b.append("C\t").append(c.remote).append('\t').append(c.local).append('\t')
        .append(s == null ? -1 : s.size()).append('\t').append(s == null ? 0 : s.mtimeMillis()).append('\t')
        .append(s == null || s.fileKey() == null ? "" : JournalText.sanitize(String.valueOf(s.fileKey()))).append('\t')
        .append(c.crc32c < 0 ? "-1" : Long.toHexString(c.crc32c)).append('\t').append(c.size).append('\t')
        .append(name).append('\n');
  }

  private static void write(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long at = position;
    while (b.hasRemaining()) {
      at += ch.write(b, at);
    }
  }


  @Override
  public synchronized void close() throws IOException {
    synchronized (syncLock) {
      stopped = true;
      syncLock.notifyAll();
    }
    if (channel != null) {
      try {
        writePending();
      } finally {
        channel.close();
        channel = null;
      }
    }
  }

  @Override
  public String toString() {
    return "StagedJournal{" + file + "}";
  }
}
