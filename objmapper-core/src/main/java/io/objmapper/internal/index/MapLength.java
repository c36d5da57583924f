package io.objmapper.internal.index;

import io.objmapper.spi.dir.RegularFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the length of a map file that Chronicle Map holds mapped, so that a file cut short
 * behind its back (a {@code truncate}, a copy over it) is taken for damaged before the index
 * touches its pages again.
 *
 * <p>A page of a mapping whose file bytes are gone faults when it is accessed (SIGBUS). In code
 * the JIT compiled, the JVM turns that fault into an {@link InternalError} ("a fault occurred
 * in a recent unsafe memory access operation"), which the index treats as damage; but in
 * interpreted code a compare-and-swap on such a page (every segment lock Chronicle Map takes)
 * crashes the JVM, and nothing can catch that. So the index looks at the file's length before
 * it uses the map: on each look-up or write at most once per
 * {@link IndexOptions#LENGTH_CHECK_INTERVAL_NANOS} (one {@code fstat}; nothing allocated), before
 * each segment of a walk or a growth's copy, and at close before the clean-shutdown marker.
 * A map file shorter than the longest length seen is damaged: Chronicle Map only ever extends it.
 *
 * <p>What remains: a truncation that lands between the last look and an access (within one
 * interval of steady traffic, or in the middle of an operation) can still fault; compiled code
 * then reports it as damage, interpreted code can still take the JVM down. Only the server's own
 * uid can write the map file (mode 0640 in a folder of its own).
 *
 * <p>The file is opened a second time here, by its path, just after Chronicle Map opened it; the
 * look is a {@link RandomAccessFile#length()} ({@code fstat} on that descriptor), which unlike a
 * {@link FileChannel}'s is not interruptible: an interrupted caller does not close it for others.
 */
final class MapLength implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MapLength.class);

  private final Path mapFile;
  private final RandomAccessFile file; // null if it could not be opened: nothing is watched
  private final AtomicLong longest;
  private final AtomicLong lookedAt;

  private MapLength(Path mapFile, RandomAccessFile file, long length, long now) {
    this.mapFile = mapFile;
    this.file = file;
    this.longest = new AtomicLong(length);
    this.lookedAt = new AtomicLong(now);
  }

  /** Starts watching {@code mapFile}, which Chronicle Map has just mapped; {@code now} from the index's clock. */
  static MapLength watch(Path mapFile, long now) {
    try (FileChannel regular = RegularFile.open(mapFile, RegularFile.OWN_MODE, StandardOpenOption.READ)) {
      // Opened first as above so that a FIFO or link in its place is refused, not waited on.
      RandomAccessFile raf = new RandomAccessFile(mapFile.toFile(), "r");
      try {
        return new MapLength(mapFile, raf, Math.max(regular.size(), raf.length()), now);
      } catch (IOException | RuntimeException e) {
        raf.close();
        throw e;
      }
    } catch (IOException e) {
      LOG.warn("Cannot watch the length of tier index map {}: a truncation of it is found only by a fault: {}",
          mapFile, e.toString());
      return new MapLength(mapFile, null, 0, now);
    }
  }

  /**
   * True if it is time for another look ({@code intervalNanos} since the last one, by the same
   * clock as {@code now}); only one of the threads that ask at the same time gets true.
   */
  boolean due(long now, long intervalNanos) {
    long last = lookedAt.get();
    return now - last >= intervalNanos && lookedAt.compareAndSet(last, now);
  }

  /**
   * Looks at the file's length now: true if it is shorter than it ever was since it was mapped
   * (pages of the mapping have no bytes behind them). Allocates nothing.
   */
  boolean shrunk() {
    if (file == null) {
      return false;
    }
    // The longest length is read before the file's: a length that grew between the two reads
    // (Chronicle Map extends the file for overflow tiers) is then never taken for a cut.
    long before = longest.get();
    long now;
    try {
      now = file.length();
    } catch (IOException e) { // closed (the map is being released): nothing more to watch
      return false;
    }
    if (now < before) {
      return true;
    }
    if (now > before) {
      longest.accumulateAndGet(now, Math::max); // never lowered by a slower thread's older look
    }
    return false;
  }

  /** The longest length seen. */
  long longest() {
    return longest.get();
  }

  /** The exception that stands for a file found {@code length} bytes long, shorter than {@link #longest()}. */
  MapTruncatedException truncated(long length) {
    return new MapTruncatedException(mapFile, length, longest.get());
  }

  /** {@link #truncated(long)} with the length as it is now. */
  MapTruncatedException truncated() {
    long length;
    try {
      length = file == null ? -1 : file.length();
    } catch (IOException e) {
      length = -1;
    }
    return truncated(length);
  }

  @Override
  public void close() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        LOG.debug("Closing {}: {}", mapFile, e.toString());
      }
    }
  }

  /** A map file shorter than the mapping Chronicle Map holds of it: damage, found before a fault. */
  static final class MapTruncatedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MapTruncatedException(Path mapFile, long length, long mapped) {
      super("map file " + mapFile + " is " + (length < 0 ? "shorter" : length + " bytes") + ", shorter than the "
          + mapped + " bytes mapped: it was cut short while in use");
    }
  }

  /**
   * An {@link InternalError} thrown by an access to a mapped map (the JVM's report of a fault
   * in an unsafe memory access: its pages are gone), as the damage it is.
   */
  static final class MapAccessFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MapAccessFault(InternalError cause) {
      super("a fault in an access to the mapped map: " + cause.getMessage(), cause);
    }
  }
}
