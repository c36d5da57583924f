package io.objmapper.internal.lifecycle;

import io.objmapper.spi.dir.RegularFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead record of moves between tiers that survive a restart. Before a move copies
 * anything, a {@code B} line naming it is appended and synced; after the source copy is
 * gone, an {@code E} line (not synced: a lost one only makes recovery finish the move
 * again, which changes nothing). A move with a {@code B} and no {@code E} was cut short;
 * {@link #pending()} lists them at the next open so the store can keep exactly one copy.
 *
 * <p>Format, one line each, fields separated by tabs (object names hold no control
 * characters): a header {@code objmapper-migrations 1<TAB>tier0<TAB>tier1...} naming the
 * tiers by position, then {@code B<TAB>seq<TAB>from<TAB>to<TAB>name} and {@code E<TAB>seq}.
 * The file is created by the first move, starts over whenever no move is in flight and it
 * passed 1 MiB, and is deleted by a clean close.
 */
public final class MigrationJournal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MigrationJournal.class);
  private static final String MAGIC = "objmapper-migrations 1";
  private static final long COMPACT_BYTES = 1 << 20;

  /** A move cut short by the end of the previous run, in the current tiers' ids. */
  public record Pending(String name, int from, int to) {}

  private final Path file;
  private final String header;
  private final List<Pending> pending;
  private FileChannel channel;
  private long nextSeq = 1;
  private int inFlight;

  private MigrationJournal(Path file, String header, List<Pending> pending) {
    this.file = file;
    this.header = header;
    this.pending = pending;
  }

  /**
   * Opens the journal at {@code file}, reading the moves a previous run left unfinished.
   * Call {@link #restart()} once they are resolved.
   */
  public static MigrationJournal open(Path file, List<String> tierNames) throws IOException {
    return new MigrationJournal(file, JournalText.header(MAGIC, tierNames), read(file, tierNames));
  }

  /** The unfinished moves of the previous run, oldest first. */
  public List<Pending> pending() {
    return pending;
  }

  /** Starts the journal over: the pending moves are resolved. */
  public synchronized void restart() throws IOException {
    pending.clear();
    if (channel != null) {
      channel.truncate(0);
      channel.position(0);
      append(header + "\n");
      channel.force(true);
    } else {
      Files.deleteIfExists(file);
    }
  }

  /** Records (and syncs) that {@code name} starts moving from tier {@code from} to tier {@code to}. */
  public long begin(String name, int from, int to) throws IOException {
    return beginAll(List.of(new Pending(name, from, to)))[0];
  }

  /**
   * Records (and syncs, once for all) that each of {@code moves} may start: a round's moves
   * cost one sync. A move registered and then not made must be {@linkplain #end ended} with
   * {@code sync} true, before anything else moves that object.
   */
  public synchronized long[] beginAll(List<Pending> moves) throws IOException {
    if (channel == null) {
      channel = RegularFile.createAnew(file, RegularFile.OWN_MODE);
      append(header + "\n");
    }
    long[] seqs = new long[moves.size()];
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < seqs.length; i++) {
      Pending m = moves.get(i);
      seqs[i] = nextSeq++;
      lines.append("B\t").append(seqs[i]).append('\t').append(m.from()).append('\t').append(m.to()).append('\t')
          .append(m.name()).append('\n');
    }
    append(lines.toString());
    channel.force(false);
    inFlight += seqs.length;
    return seqs;
  }

  /** Records that move {@code seq} is over (done, or undone with nothing left of it). */
  public void end(long seq) throws IOException {
    end(seq, false);
  }

  /**
   * Records that move {@code seq} is over; with {@code sync}, durably (for a move registered
   * but not made: its record must not outlive a crash, or recovery would act on it).
   */
  public synchronized void end(long seq, boolean sync) throws IOException {
    append("E\t" + seq + "\n");
    if (sync) {
      channel.force(false);
    }
    inFlight--;
    if (inFlight == 0 && channel.size() > COMPACT_BYTES) {
      restart();
    }
  }

  private void append(String line) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  /** Closes the file; with no move in flight or pending it is deleted. */
  @Override
  public synchronized void close() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
    if (inFlight == 0 && pending.isEmpty()) {
      Files.deleteIfExists(file);
    }
  }

  /** Closes the file and leaves it as it is, as the end of the process would (for tests). */
  synchronized void abandon() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  private static List<Pending> read(Path file, List<String> tierNames) throws IOException {
    // Only whole lines count: a line a crash cut short was never synced, so its move never began.
    JournalText journal = JournalText.read(file, MAGIC, "a migration journal", tierNames);
    List<String> records = journal.records();
    Map<Long, Pending> open = new LinkedHashMap<>();
    for (int i = 0; i < records.size(); i++) {
      String[] f = records.get(i).split("\t", 5);
      try {
        if (f[0].equals("B") && f.length == 5) {
          int from = Integer.parseInt(f[2]);
          int to = Integer.parseInt(f[3]);
          int fromId = journal.tierId(from);
          int toId = journal.tierId(to);
          if (fromId < 0 || toId < 0) {
            log.warn("{}: move of {} between tiers {} and {} of an earlier configuration left as it is", file, f[4],
                from, to);
            continue;
          }
          open.put(Long.parseLong(f[1]), new Pending(f[4], fromId, toId));
        } else if (f[0].equals("E") && f.length == 2) {
          open.remove(Long.parseLong(f[1]));
        } else {
          log.warn("{}: line {} ignored: {}", file, i + 2, records.get(i));
        }
      } catch (NumberFormatException e) {
        log.warn("{}: line {} ignored: {}", file, i + 2, records.get(i));
      }
    }
    return new ArrayList<>(open.values());
  }


  @Override
  public String toString() {
    return "MigrationJournal{" + file + "}";
  }
}
