package io.objmapper;

import io.objmapper.internal.config.ConfigException;
import io.objmapper.internal.config.ObjMapperConfig;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierProviders;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * An object store on tiered storage: names map to files on tiers, lookups cost about a
 * hash-map read, open descriptors are cached and leased.
 *
 * <pre>{@code
 * try (ObjMapper store = ObjMapper.builder()
 *     .tier(TierConfig.builder().name("mem").type("memory").flags(EPHEMERAL, READABLE, WRITABLE).build())
 *     .tier(TierConfig.builder().name("disk").type("fs").root(dir).flags(PERSISTENT, READABLE, WRITABLE).build())
 *     .build()) {
 *   store.put("/greeting", "hello".getBytes(UTF_8));
 *   try (ObjectLease lease = store.open("/greeting")) {
 *     byte[] bytes = lease.readAllBytes();
 *   }
 *   ObjectServer server = ObjectServer.start(store, Path.of("objmapper.sock")); // io.objmapper.server
 * }
 * }</pre>
 *
 * <p>Objects move between tiers by themselves as their use changes ({@link LifecyclePolicy}:
 * hot ones up, cold ones down, full tiers drained), under the tiers' migration flags;
 * {@link #placement} says where an object is and why.
 *
 * <p>Thread-safe. Lookups and opens never block behind writers. Errors are typed:
 * {@link ObjectNotFoundException}, {@link io.objmapper.spi.InvalidObjectNameException},
 * {@link TierRuleException}, {@link CapacityException}, {@link StorageException}; after
 * {@link #close()}, every call but {@code close} throws {@link StoreClosedException}.
 */
public interface ObjMapper extends AutoCloseable {
  /** A builder with no tiers yet. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * A store configured by the JSON file {@code configFile} (the format of
   * {@code src-test-data/config/objmapper.conf}, comments allowed).
   *
   * @throws ConfigurationException (an {@link IllegalArgumentException}) naming the offending
   *     key by its JSON path, the file, and the key's line and column, if the file is
   *     missing, unreadable or invalid
   * @throws IOException if a tier cannot be opened
   */
  static ObjMapper open(Path configFile) throws IOException {
    Objects.requireNonNull(configFile, "configFile");
    return builder().configFile(configFile).build();
  }

  /**
   * A store configured by {@code configFile} with every tier's directory (and index file)
   * moved under {@code dataDirectory}, each keeping the last element of its path.
   *
   * @throws ConfigurationException as {@link #open(Path)} does
   * @throws IOException if a tier cannot be opened
   */
  static ObjMapper open(Path configFile, Path dataDirectory) throws IOException {
    return builder().configFile(configFile).dataDirectory(dataDirectory).build();
  }

  /** Stores {@code data} as object {@code name}, atomically replacing any previous version. */
  ObjectInfo put(String name, byte[] data, ObjectFlag... flags);

  /** Stores everything {@code data} yields (not closed) as object {@code name}. */
  ObjectInfo put(String name, InputStream data, ObjectFlag... flags);

  /** Stores a copy of {@code file} as object {@code name}. */
  ObjectInfo put(String name, Path file, ObjectFlag... flags);

  /**
   * A writer of many files that syncs once per batch instead of once per object (bulk
   * imports); every object it stores gets {@code flags}. See {@link BulkPut}.
   */
  BulkPut bulkPut(ObjectFlag... flags);

  /**
   * Opens object {@code name}: the returned lease holds an open descriptor until closed.
   *
   * @throws ObjectNotFoundException if there is no such object
   */
  ObjectLease open(String name);

  /** What is known of object {@code name}, if it exists. */
  Optional<ObjectInfo> stat(String name);

  boolean exists(String name);

  /** Deletes object {@code name} from every tier; false if there was none. Leases keep reading. */
  boolean delete(String name);

  /** Every object whose name starts with {@code prefix}, sorted by name. */
  List<ObjectInfo> list(String prefix);

  /**
   * Moves object {@code name} to the tier named {@code tier}, under the lifecycle's rules:
   * the object's tier must have {@code migration_src} and the target {@code migration_dst},
   * and an EPHEMERAL object never goes to a persistent tier. A persistent object moved onto a
   * volatile tier is copied there and keeps its persistent copy. PINNED objects may be moved
   * by hand (the policy never moves them).
   *
   * @throws TierRuleException if the tier is unknown or the rules forbid the move
   * @throws CapacityException if the object does not fit on the tier; nothing changes
   */
  ObjectInfo move(String name, String tier);

  /**
   * Where object {@code name} is served from and why: tier, home tier, hotness score.
   *
   * @throws io.objmapper.spi.InvalidObjectNameException if {@code name} is not a valid name
   */
  Optional<Placement> placement(String name);

  /**
   * Runs one lifecycle round now ({@link LifecyclePolicy}), after any round in progress.
   * With a policy interval of 0 this is the only way rounds run.
   */
  MigrationRound runLifecycle();

  /** A snapshot of the counters. */
  ObjMapperStats stats();

  /** The tiers, in configuration order (a tier's id is its position). */
  List<TierConfig> tiers();

  /** Closes the tiers and indexes (cleanly, so the next start needs no recovery). Idempotent. */
  @Override
  void close();

  /**
   * Settings of an {@link ObjMapper}; the same as the configuration file's, whose keys are
   * given to these setters (and whose defaults are these).
   */
  final class Builder {
    /** Default of {@link #maxOpenFds} and of the file's {@code index.max_open_fds}. */
    public static final int DEFAULT_MAX_OPEN_FDS = 10_000;
    /** Most tiers a store has: a tier's id is one byte on the wire (the BACKEND TLV). */
    public static final int MAX_TIERS = 256;
    /** Default of {@link #fdEvictThreshold} and of the file's {@code index.fd_evict_threshold}. */
    public static final double DEFAULT_FD_EVICT_THRESHOLD = 0.9;
    /** Default of {@link #globalIndexEntries} and of the file's {@code index.global_buckets}. */
    public static final int DEFAULT_GLOBAL_INDEX_ENTRIES = 1 << 20;

    final List<TierConfig> tiers = new ArrayList<>();
    TierProviders providers;
    long maxOpenFds = DEFAULT_MAX_OPEN_FDS;
    double fdEvictThreshold = DEFAULT_FD_EVICT_THRESHOLD;
    long globalIndexEntries = DEFAULT_GLOBAL_INDEX_ENTRIES;
    long revalidateMillis = 1_000;
    boolean persistIndexes = true;
    long expectedObjects = io.objmapper.internal.index.IndexOptions.DEFAULT_EXPECTED_ENTRIES;
    /** Per tier name ({@code expected_objects} of a backend); else {@link #expectedObjects}. */
    final java.util.Map<String, Long> expectedObjectsByTier = new java.util.HashMap<>();
    LongSupplier nanoClock = System::nanoTime;
    LifecyclePolicy lifecycle = LifecyclePolicy.defaults();
    boolean backgroundRounds = true;
    OpenProgress openProgress = OpenProgress.NONE;
    Path dataDirectory;
    java.util.function.Consumer<io.objmapper.internal.lifecycle.MigrationStep> migrationSteps = step -> {};
    ObjMapperConfig config;
    /** The file {@link #config} was read from, for messages that point into it; null if none. */
    Path configFile;

    Builder() {}

    /**
     * Adds a tier; its id is its position among the store's tiers ({@link #tiers()}: those of
     * a {@link #configFile} come first).
     */
    public Builder tier(TierConfig tier) {
      tiers.add(Objects.requireNonNull(tier, "tier"));
      return this;
    }

    /** Where tier providers come from; default: {@link TierProviders#installed()}. */
    public Builder providers(TierProviders providers) {
      this.providers = Objects.requireNonNull(providers, "providers");
      return this;
    }

    /** Most descriptors kept open by the cache ({@code index.max_open_fds}); default 10000. */
    public Builder maxOpenFds(long n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxOpenFds < 1");
      }
      this.maxOpenFds = n;
      return this;
    }

    /**
     * Share of {@link #maxOpenFds} the cache fills before it evicts
     * ({@code index.fd_evict_threshold}, in (0, 1]); the rest is headroom for descriptors
     * that leases still hold after their eviction. Default 0.9.
     */
    public Builder fdEvictThreshold(double share) {
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException("fdEvictThreshold not in (0, 1]");
      }
      this.fdEvictThreshold = share;
      return this;
    }

    /** Most entries of the in-heap global index ({@code index.global_buckets}); default 1048576. */
    public Builder globalIndexEntries(long n) {
      if (n < 1) {
        throw new IllegalArgumentException("globalIndexEntries < 1");
      }
      this.globalIndexEntries = n;
      return this;
    }

    /** How old a cached descriptor may get before it is checked against its file; default 1000. */
    public Builder revalidateMillis(long millis) {
      if (millis < 0) {
        throw new IllegalArgumentException("revalidateMillis < 0");
      }
      this.revalidateMillis = millis;
      return this;
    }

    /** Keep per-tier indexes of persistent tiers in files ({@code index.enable_persistence}); default true. */
    public Builder persistIndexes(boolean on) {
      this.persistIndexes = on;
      return this;
    }

    /**
     * Objects a persistent tier's new index file is first sized for (about 120 bytes of disk
     * each, preallocated; it grows past it, and starts larger for a tier that already holds more
     * objects); default 50000 (about 7 MB).
     */
    public Builder expectedObjects(long n) {
      if (n < 1) {
        throw new IllegalArgumentException("expectedObjects < 1");
      }
      this.expectedObjects = n;
      return this;
    }

    /**
     * As {@link #expectedObjects(long)}, for the tier named {@code tier} only (the file's
     * per-backend {@code expected_objects}).
     */
    public Builder expectedObjects(String tier, long n) {
      Objects.requireNonNull(tier, "tier");
      if (n < 1) {
        throw new IllegalArgumentException("expectedObjects < 1");
      }
      expectedObjectsByTier.put(tier, n);
      return this;
    }

    /** The clock for ages and recency (tests inject a fake one); default System::nanoTime. */
    public Builder nanoClock(LongSupplier clock) {
      this.nanoClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** When objects move between tiers by themselves; default {@link LifecyclePolicy#defaults()}. */
    public Builder lifecycle(LifecyclePolicy policy) {
      this.lifecycle = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * False: no lifecycle rounds run in the background, whatever the policy's interval; they
     * run only through {@link ObjMapper#runLifecycle()} (for tools that open a store to
     * inspect it). Default true.
     */
    public Builder backgroundRounds(boolean on) {
      this.backgroundRounds = on;
      return this;
    }

    /**
     * Told how {@link #build()} walks the tiers' files, tier by tier, about every
     * {@value OpenProgress#INTERVAL_FILES} files and once at the end of each (see {@link
     * OpenProgress}); default {@link OpenProgress#NONE}. A first open (no index yet), or one
     * after a crash, walks each local tier once: with millions of files that takes a while.
     */
    public Builder openProgress(OpenProgress listener) {
      this.openProgress = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Applies the JSON configuration file {@code file} (the format of
     * {@code src-test-data/config/objmapper.conf}, comments allowed), as if its settings were
     * given to this builder's setters: its {@code index} and {@code lifecycle} sections set
     * {@link #maxOpenFds}, {@link #fdEvictThreshold}, {@link #globalIndexEntries},
     * {@link #persistIndexes} and {@link #lifecycle} (later setters override them), its
     * {@code backends} become the first tiers (a second {@code configFile} replaces them),
     * followed by the tiers given with {@link #tier} (before or after this call), and its
     * {@code thread_pool}, {@code protocol} and {@code server} sections configure
     * {@code io.objmapper.server.ObjectServer.builder(store)}.
     *
     * @throws ConfigurationException naming the offending key, the file, and the key's line
     *     and column if the file is missing, unreadable or invalid
     */
    public Builder configFile(Path file) {
      Objects.requireNonNull(file, "file");
      try {
        Builder b = config(ObjMapperConfig.load(file));
        this.configFile = file;
        return b;
      } catch (ConfigException e) {
        throw e.toPublic();
      }
    }

    /**
     * With a {@link #configFile}: every tier of the file (and its index file) moves under
     * {@code directory}, each keeping the last element of its path; the directories are
     * created at {@link #build()}. Tiers given with {@link #tier} stay where they are.
     */
    public Builder dataDirectory(Path directory) {
      this.dataDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** Told each step of every migration as it completes (tests kill the process at each). */
    Builder migrationSteps(java.util.function.Consumer<io.objmapper.internal.lifecycle.MigrationStep> listener) {
      this.migrationSteps = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Applies a loaded configuration through the setters (see {@link #configFile}). */
    Builder config(ObjMapperConfig config) {
      this.config = config;
      return config.configure(this);
    }

    /**
     * The tiers {@link #build()} opens, in order (a tier's id is its position): the
     * configuration file's backends, moved under the {@link #dataDirectory} if one is set,
     * then the tiers given with {@link #tier}.
     *
     * @throws IllegalStateException if a data directory is set without a configuration file
     * @throws ConfigurationException if the file's tiers cannot move under the data directory
     *     (two of them end in the same directory name)
     */
    public List<TierConfig> tiers() {
      List<TierConfig> all = new ArrayList<>();
      ObjMapperConfig file = placedConfig();
      if (file != null) {
        all.addAll(file.tierConfigs());
      }
      for (TierConfig t : tiers) {
        all.add(t.id() == all.size() ? t : t.withId(all.size()));
      }
      return List.copyOf(all);
    }

    private ObjMapperConfig placedConfig() {
      if (dataDirectory == null) {
        return config;
      }
      if (config == null) {
        throw new IllegalStateException("dataDirectory needs a configFile");
      }
      try {
        return config.withDataDirectory(dataDirectory);
      } catch (ConfigException e) {
        throw e.toPublic();
      }
    }

    /**
     * Opens the tiers ({@link #tiers()}) and their indexes; with a {@link #dataDirectory},
     * first creates the file's tier directories under it. A failure closes whatever was
     * opened. The builder is left as it was: a second {@code build()} opens the same tiers
     * with the same settings.
     *
     * @throws IllegalStateException if there is no tier, or a data directory without a
     *     configuration file
     * @throws ConfigurationException if the file's tiers cannot move under the data directory
     * @throws MissingJvmFlagsException if a tier persists its index and the JVM lacks the
     *     flags Chronicle Map needs (it names them and the line to add)
     * @throws IOException if a tier or index cannot be opened
     */
    public ObjMapper build() throws IOException {
      List<TierConfig> resolved = tiers();
      if (resolved.isEmpty()) {
        throw new IllegalStateException("no tiers: add at least one with tier(...)");
      }
      if (resolved.size() > MAX_TIERS) {
        throw new IllegalStateException(resolved.size() + " tiers, more than " + MAX_TIERS
            + " (a tier's id is one byte on the wire)");
      }
      JvmFlags.checkFor(resolved, persistIndexes); // before anything loads Chronicle Map
      if (dataDirectory != null) {
        for (TierConfig t : placedConfig().tierConfigs()) {
          // The data directory is ours to lay out (a tier without a root, on a bucket, keeps
          // only its index file there).
          if (t.root().isPresent()) {
            io.objmapper.spi.dir.DirectoryTier.createDirectories(t.root().get());
          } else if (t.indexPath().isPresent()) {
            io.objmapper.spi.dir.DirectoryTier.createDirectories(t.indexPath().get().getParent());
          }
        }
      }
      return StorageEngine.open(new Builder(this, resolved));
    }

    /** A copy of {@code settings} that opens exactly {@code tiers}. */
    private Builder(Builder settings, List<TierConfig> tiers) {
      this.tiers.addAll(tiers);
      this.providers = settings.providers;
      this.maxOpenFds = settings.maxOpenFds;
      this.fdEvictThreshold = settings.fdEvictThreshold;
      this.globalIndexEntries = settings.globalIndexEntries;
      this.revalidateMillis = settings.revalidateMillis;
      this.persistIndexes = settings.persistIndexes;
      this.expectedObjects = settings.expectedObjects;
      this.expectedObjectsByTier.putAll(settings.expectedObjectsByTier);
      this.nanoClock = settings.nanoClock;
      this.lifecycle = settings.lifecycle;
      this.backgroundRounds = settings.backgroundRounds;
      this.openProgress = settings.openProgress;
      this.migrationSteps = settings.migrationSteps;
      this.config = settings.config;
      this.configFile = settings.configFile;
    }
  }
}
