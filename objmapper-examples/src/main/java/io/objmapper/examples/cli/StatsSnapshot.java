package io.objmapper.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.objmapper.ObjMapper;
import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.dir.AtomicWrite;
import io.objmapper.spi.dir.BeneathRoot;
import io.objmapper.spi.dir.RegularFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code stats} would print, kept by a running {@code serve} in the file
 * {@value #FILE_NAME} at the root of the store's first persistent tier, so that {@code stats}
 * can answer while the server's index lock keeps it from opening the store. The snapshot is
 * the JSON of {@code stats} plus {@code "pid"} (the server's), {@code "as_of"} (ISO-8601, UTC)
 * and {@code "live"}: true while the server runs, false once it has stopped. Its name starts
 * with {@link ObjectNames#RESERVED_PREFIX}, so the tier never takes it for an object.
 */
final class StatsSnapshot implements AutoCloseable {
  /** The snapshot's file name, at the root of the first persistent tier. */
  static final String FILE_NAME = ObjectNames.RESERVED_PREFIX + "_stats.json";

  /** How often a running server rewrites its snapshot. */
  static final long PERIOD_MILLIS = 1_000;

  /** A live snapshot older than this is stale: its server runs but has not rewritten it for five periods. */
  static final long STALE_AFTER_MILLIS = 5 * PERIOD_MILLIS;

  private static final Logger log = LoggerFactory.getLogger(StatsSnapshot.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The largest snapshot read: one of a store with many tiers is a few KiB. */
  private static final int MAX_READ_BYTES = 1 << 20;

  private final ObjMapper store;
  private final Path file;
  /** The folder of {@link #file}, held open: the snapshot is written into it, not to wherever its path leads. */
  private final BeneathRoot folder;
  private final long pid = ProcessHandle.current().pid();
  private final ScheduledExecutorService timer;
  private boolean warned; // guarded by this
  private boolean stopped; // guarded by this

  private StatsSnapshot(ObjMapper store, Path file, BeneathRoot folder) {
    this.store = store;
    this.file = file;
    this.folder = folder;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "objmapper-stats-snapshot");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Writes the snapshot of {@code store} to {@code file} now and then every
   * {@value #PERIOD_MILLIS} ms until {@link #close()}, which writes it a last time as not
   * live. Without a file (no persistent tier with a directory) nothing is written and the
   * answer is null (a resource try-with-resources skips).
   */
  static StatsSnapshot start(ObjMapper store, Optional<Path> file) {
    if (file.isEmpty()) {
      log.debug("no persistent tier with a directory: no stats snapshot");
      return null;
    }
    BeneathRoot folder;
    try {
      folder = BeneathRoot.open(file.get().getParent());
    } catch (IOException e) {
      log.warn("cannot write the stats snapshot {} (stats cannot answer while this server runs): {}",
          file.get().toAbsolutePath(), StoreOptions.describe(e));
      return null;
    }
    StatsSnapshot s = new StatsSnapshot(store, file.get(), folder);
    s.write(true);
    s.timer.scheduleWithFixedDelay(() -> s.write(true), PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    return s;
  }

  /** Stops the refreshes and writes the snapshot a last time with {@code "live": false}. */
  @Override
  public void close() {
    timer.shutdown();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    write(false);
    synchronized (this) {
      stopped = true; // a refresh still running after the wait above must not mark it live again
    }
    folder.close();
  }

  /**
   * Writes the snapshot atomically (a new temporary file, then an atomic rename over whatever
   * has the name, a link too, in the folder held open); failures are logged once. Not synced:
   * the next period writes it again, and a torn one after a machine crash is read as none.
   */
  private synchronized void write(boolean live) {
    if (stopped) {
      return;
    }
    try {
      ObjectNode json = StatsCommand.toJson(store.stats());
      json.put("live", live);
      json.put("pid", pid);
      json.put("as_of", Instant.now().toString());
      byte[] bytes = JSON.writeValueAsBytes(json);
      byte[] line = Arrays.copyOf(bytes, bytes.length + 1);
      line[bytes.length] = '\n';
      try (BeneathRoot.Directory dir = folder.directory("", false, null);
           AtomicWrite w = AtomicWrite.stage(dir, FILE_NAME, ch -> {
             for (ByteBuffer b = ByteBuffer.wrap(line); b.hasRemaining(); ) {
               ch.write(b);
             }
           }, RegularFile.OWN_MODE, false)) {
        w.commit();
      }
    } catch (IOException | RuntimeException e) {
      if (!warned) {
        warned = true;
        log.warn("cannot write the stats snapshot {} (stats cannot answer while this server runs; "
            + "not logged again): {}", file.toAbsolutePath(), StoreOptions.describe(e));
      }
    }
  }

  /**
   * Where the {@code serve} of this store keeps its snapshot: {@value #FILE_NAME} at the root
   * of the first persistent tier, the tier {@code data/disk} without a configuration.
   * Empty if the store has no persistent tier with a directory, or the configuration cannot
   * be read.
   */
  static Optional<Path> location(Path config, Path data, boolean dataGiven) {
    if (config == null) {
      return Optional.of(data.resolve("disk").resolve(FILE_NAME));
    }
    try {
      ObjMapper.Builder b = ObjMapper.builder().configFile(config);
      if (dataGiven) {
        b.dataDirectory(data.toAbsolutePath()); // as StoreOptions.open moves the tiers
      }
      return b.tiers().stream()
          .filter(t -> t.has(TierFlag.PERSISTENT) && t.root().isPresent())
          .findFirst()
          .map(t -> t.root().get().resolve(FILE_NAME));
    } catch (RuntimeException e) { // an invalid configuration: opening the store says why
      return Optional.empty();
    }
  }

  /**
   * The snapshot at {@code file} if a server is writing it: {@code "live": true} and its
   * {@code "pid"} is a running process. Empty if there is none, it is not live, or it cannot
   * be read: not a regular file (never a link followed, never blocked on a FIFO), or over
   * {@value #MAX_READ_BYTES} bytes.
   */
  static Optional<ObjectNode> readLive(Path file) {
    try {
      JsonNode n = JSON.readTree(RegularFile.readAll(file, MAX_READ_BYTES));
      if (n instanceof ObjectNode o && o.path("live").isBoolean() && o.get("live").booleanValue()
          && o.path("pid").isIntegralNumber() && o.path("pid").canConvertToLong() && o.path("tiers").isArray()
          && ProcessHandle.of(o.get("pid").longValue()).isPresent()) {
        return Optional.of(o);
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) { // none, unreadable or not a snapshot: nothing to trust
      return Optional.empty();
    }
  }

  /** How old {@code snapshot} is at {@code now} by its {@code "as_of"}; {@code Long.MAX_VALUE} if it has none. */
  static long ageMillis(JsonNode snapshot, Instant now) {
    try {
      return Math.max(0, now.toEpochMilli() - Instant.parse(snapshot.path("as_of").asText()).toEpochMilli());
    } catch (java.time.format.DateTimeParseException e) {
      return Long.MAX_VALUE;
    }
  }
}
