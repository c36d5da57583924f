package io.objmapper.internal.index;

import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.dir.RegularFile;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link PersistentTierIndex#rebuild}: an empty index filled from one scan of the tier's
 * files, while nothing else uses it, with the map sized for what the scan found.
 *
 * <p>How many files there are is known only at the end of the scan, and growing a Chronicle Map
 * copies every entry (a rebuild of 1M files through five growths from the default size took
 * about four times as long as into a map sized for them). So the scan puts entries into the map
 * while it has room (a small tier never needs more), and writes the rest to a spill file next to
 * the index ({@code F.rebuild}: a length-prefixed UTF-8 name, size, modification time and file
 * identity each, about 80 bytes per file); at the end the map grows once, to 5/4 of the files
 * found (as a tier that knows its count sizes it at open), copying only what it held, and the
 * spilled entries follow in one sequential read. The spill file is deleted at the end; one a
 * crash left is deleted by the next open.
 */
final class Rebuilder {
  private static final Logger LOG = LoggerFactory.getLogger(Rebuilder.class);
  private static final int BUFFER_BYTES = 1 << 16;

  private final PersistentTierIndex index;
  private final TierFiles files;
  private final Path spillFile;

  private long scanned;
  private MergeTally tally;
  private long skipped;
  private long spilled;

  Rebuilder(PersistentTierIndex index, TierFiles files, Path spillFile) {
    this.index = index;
    this.files = files;
    this.spillFile = spillFile;
  }

  ReconcileReport run() throws IOException {
    long t0 = System.nanoTime();
    tally = new MergeTally(t0);
    LOG.info("Rebuilding tier index {} from {}: declared for {} entries", index.file(), files, index.capacity());
    long room = index.roomBeforeGrowth();
    IndexEntry scannedEntry = new IndexEntry();
    Files.deleteIfExists(spillFile);
    try (Spill spill = new Spill(spillFile)) {
      try {
        files.scan((name, size, mtimeMillis, fileKeyHash) -> {
          scanned++;
          if (!ObjectNames.isValid(name)) {
            skipped++;
            return;
          }
          if (index.size() < room) {
            scannedEntry.set(size, mtimeMillis, fileKeyHash, 0);
            tally.count(index.mergeScanned(name, scannedEntry));
          } else {
            try {
              spill.write(name, size, mtimeMillis, fileKeyHash);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            spilled++;
          }
          progress(t0, "scan");
        });
      } catch (UncheckedIOException e) {
        throw new IOException("tier index " + index.file() + ": cannot write " + spillFile + ": "
            + e.getCause().getMessage(), e.getCause());
      } catch (IOException e) {
        LOG.warn("Rebuild of tier index {} stopped: the scan failed after {} files: {}", index.file(), scanned,
            e.toString());
        throw e;
      }
      long scanEnd = System.nanoTime();
      if (spilled > 0) {
        long found = tally.added + tally.updated + tally.unchanged + spilled;
        index.ensureCapacity(Math.max(found, found / 4 * 5));
        spill.replay((name, entry) -> {
          tally.count(index.mergeScanned(name, entry));
          progress(t0, "spilled entries");
        });
      }
      ReconcileReport report = new ReconcileReport(scanned, tally.added, tally.updated, 0, tally.unchanged, skipped, 0,
          System.nanoTime() - t0);
      LOG.info("Rebuilt tier index {} in {} ms (scan {} ms, {} entries spilled and added after it): {} files"
              + " scanned, {} added, {} skipped; {} entries, declared for {}",
          index.file(), TimeUnit.NANOSECONDS.toMillis(report.durationNanos()),
          TimeUnit.NANOSECONDS.toMillis(scanEnd - t0), spilled, scanned,
          tally.added + tally.updated + tally.unchanged, skipped,
          index.size(), index.capacity());
      return report;
    } finally {
      Files.deleteIfExists(spillFile);
    }
  }

  private void progress(long t0, String phase) {
    if (!tally.progressDue(scanned + tally.added)) {
      return;
    }
    long now = System.nanoTime();
    double seconds = (now - t0) / 1e9;
    LOG.info("Rebuilding tier index {} ({}): {} files scanned ({} files/s), {} entries, {} spilled", index.file(),
        phase, scanned, (long) (scanned / seconds), index.size(), spilled);
  }

  /** The spill file: written during the scan, read once after it. */
  private static final class Spill implements AutoCloseable {
    private final Path file;
    private DataOutputStream out;

    Spill(Path file) {
      this.file = file;
    }

    void write(String name, long size, long mtimeMillis, int fileKeyHash) throws IOException {
      if (out == null) {
        FileChannel ch = RegularFile.open(file, RegularFile.OWN_MODE, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
        out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch), BUFFER_BYTES));
      }
      byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
      out.writeInt(bytes.length);
      out.write(bytes);
      out.writeLong(size);
      out.writeLong(mtimeMillis);
      out.writeInt(fileKeyHash);
    }

    /** Reads back every entry written, in order. */
    void replay(EntrySink sink) throws IOException {
      out.close();
      out = null;
      IndexEntry entry = new IndexEntry();
      byte[] buf = new byte[256];
      FileChannel ch = RegularFile.open(file, RegularFile.OWN_MODE, StandardOpenOption.READ);
      try (DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch),
          BUFFER_BYTES))) {
        for (;;) {
          int n;
          try {
            n = in.readInt();
          } catch (EOFException end) {
            return;
          }
          if (n > buf.length) {
            buf = new byte[Math.max(n, buf.length * 2)];
          }
          in.readFully(buf, 0, n);
          String name = new String(buf, 0, n, StandardCharsets.UTF_8);
          long size = in.readLong();
          long mtime = in.readLong();
          entry.set(size, mtime, in.readInt(), 0);
          sink.entry(name, entry);
        }
      }
    }

    @Override
    public void close() throws IOException {
      if (out != null) {
        out.close();
      }
    }
  }

  @FunctionalInterface
  private interface EntrySink {
    void entry(String name, IndexEntry entry);
  }
}
