package io.objmapper.examples.cli;

import io.objmapper.ObjMapper;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Which store a command opens: {@code --config FILE} and {@code --data DIR}, with the
 * meaning {@code serve} gives them. {@link #open(Path, Path, boolean)} is how {@code serve}
 * opens its store; {@link #openExisting()} is how the inspecting commands ({@code stats},
 * {@code where}) open one, refusing to lay out a new store where there is none.
 */
public final class StoreOptions {
  /** Exit code: the store could not be opened (in use by a running {@code serve}, missing, unreadable). */
  static final int STORE_UNAVAILABLE = 3;

  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE) CommandLine.Model.CommandSpec mixee;

  @Option(names = "--config", paramLabel = "FILE",
      description = "The JSON configuration the store was served with; its paths are used as written.")
  Path config;

  @Option(names = "--data", paramLabel = "DIR",
      description = "The data directory given to serve: without --config, the store of a plain `serve --data DIR`; "
          + "with --config, every tier is under DIR (default: ${DEFAULT-VALUE}).",
      defaultValue = "objmapper-data")
  Path data;

  /**
   * Opens the store {@code serve} would, without creating one where there is none.
   *
   * @throws Failure with a one-line message and the exit code to end with
   */
  ObjMapper openExisting() {
    return open(false);
  }

  /**
   * Opens the store {@code serve} would, laying out a new one (as {@code serve} does) if
   * there is none yet: for the commands that write ({@code put}, {@code import}).
   *
   * @throws Failure with a one-line message and the exit code to end with
   */
  ObjMapper openForWrite() {
    return open(true);
  }

  /**
   * The tiers of the store these options name, without opening it: the configuration's
   * (under {@code --data} if given), else those of a plain {@code serve} ({@link #plainTiers}).
   * Empty if the configuration cannot be read (the command that opens the store reports that).
   */
  java.util.List<io.objmapper.spi.TierConfig> tiers() {
    if (config == null) {
      return plainTiers(data);
    }
    try {
      ObjMapper.Builder b = ObjMapper.builder().configFile(config);
      if (mixee.commandLine().getParseResult().hasMatchedOption("--data")) {
        b.dataDirectory(data);
      }
      return b.tiers();
    } catch (RuntimeException e) {
      return java.util.List.of();
    }
  }

  /** Why {@code file}, not a regular file, is no configuration: missing, or something else. */
  static String noConfigurationFile(Path file) {
    return Files.exists(file) ? "configuration file " + file + " is not a regular file" : "no configuration file " + file;
  }

  private ObjMapper open(boolean create) {
    boolean dataGiven = mixee.commandLine().getParseResult().hasMatchedOption("--data");
    if (config != null && !Files.isRegularFile(config)) {
      throw new Failure(STORE_UNAVAILABLE, noConfigurationFile(config));
    }
    if (!create && config == null && !Files.isDirectory(data.resolve("disk"))) {
      throw new Failure(STORE_UNAVAILABLE, "no store under " + data + " (" + data.resolve("disk")
          + " does not exist; `serve --data " + data + "` makes one)");
    }
    if (config != null && dataGiven && !Files.isDirectory(data)) {
      throw new Failure(STORE_UNAVAILABLE, "no data directory " + data);
    }
    try {
      return open(config, data, dataGiven, false); // inspecting moves nothing
    } catch (IllegalArgumentException e) { // a ConfigurationException (the file names the offending key) or a tier refusing its options
      throw new Failure(CommandLine.ExitCode.USAGE, "invalid configuration: " + e.getMessage());
    } catch (IOException | UncheckedIOException e) {
      throw new Failure(STORE_UNAVAILABLE, "cannot open the store: " + describe(e), heldByAnotherProcess(e));
    } catch (io.objmapper.MissingJvmFlagsException e) {
      throw new Failure(STORE_UNAVAILABLE, "cannot open the store: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new Failure(STORE_UNAVAILABLE, "cannot open the store: " + e);
    }
  }

  /**
   * The store {@code serve} serves: the configuration's tiers (moved under {@code data} if
   * {@code dataGiven}), or without a configuration a memory tier and a persistent fs tier
   * {@code data/disk}. Lifecycle rounds run in the background only if {@code backgroundRounds}.
   * A walk of a tier's files while it opens (a first open, one after a crash) shows its
   * progress on stderr as {@code import} does ({@link OpenProgressDisplay}).
   */
  static ObjMapper open(Path config, Path data, boolean dataGiven, boolean backgroundRounds) throws IOException {
    OpenProgressDisplay progress = OpenProgressDisplay.forStderr(System.err);
    if (config != null) {
      ObjMapper.Builder b = ObjMapper.builder().configFile(config).backgroundRounds(backgroundRounds)
          .openProgress(progress);
      if (dataGiven) {
        b.dataDirectory(data.toAbsolutePath());
      }
      return b.build();
    }
    io.objmapper.spi.dir.DirectoryTier.createDirectories(data.resolve("disk"));
    ObjMapper.Builder b = ObjMapper.builder().backgroundRounds(backgroundRounds).openProgress(progress);
    for (TierConfig t : plainTiers(data)) {
      b.tier(t);
    }
    return b.build();
  }

  /**
   * The tiers of a plain {@code serve --data DIR}: a memory tier of its own in {@code /dev/shm}
   * and a persistent fs tier {@code DIR/disk} keeping its index.
   */
  static java.util.List<TierConfig> plainTiers(Path data) {
    return java.util.List.of(
        TierConfig.builder().name("memory").type("memory").perfFactor(1.0)
            .capacityBytes(defaultMemoryCapacity())
            .flags(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
                TierFlag.MIGRATION_DST)
            .build(),
        TierConfig.builder().name("disk").type("fs").root(data.resolve("disk")).perfFactor(3.0)
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
                TierFlag.MIGRATION_DST)
            .persistIndex(true)
            .build());
  }

  /** Where the memory tier of the store without a configuration keeps its files. */
  static final Path SHARED_MEMORY = Path.of("/dev/shm");

  /**
   * The capacity of the memory tier of the store without a configuration: a quarter of the
   * size of {@link #SHARED_MEMORY} (its files are RAM, shared with every other user of it),
   * so that promotions never fill it; 256 MiB if its size cannot be read.
   */
  static long defaultMemoryCapacity() {
    try {
      return Math.max(1L << 20, Files.getFileStore(SHARED_MEMORY).getTotalSpace() / 4);
    } catch (IOException | RuntimeException e) {
      return 256L << 20;
    }
  }

  /**
   * Where a {@code serve} of this store keeps the snapshot of its stats
   * ({@link StatsSnapshot#location}), if the store has a persistent tier with a directory.
   */
  Optional<Path> statsSnapshot() {
    return StatsSnapshot.location(config, data, mixee.commandLine().getParseResult().hasMatchedOption("--data"));
  }

  /** Whether opening the store failed because another store holds a tier's index (a running {@code serve}). */
  static boolean heldByAnotherProcess(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.objmapper.StoreInUseException) {
        return true;
      }
    }
    return false;
  }

  /** An I/O failure as one line: the JDK's file exceptions carry only the path as message. */
  static String describe(Exception e) {
    Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
    if (t instanceof NoSuchFileException) {
      return "no such file: " + t.getMessage();
    }
    if (t instanceof java.nio.file.AccessDeniedException) {
      return "permission denied: " + t.getMessage();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  /** A command that cannot go on: {@link #getMessage()} goes to stderr, then exit with {@link #exitCode}. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int exitCode;

    /** The store is held by another process (its index lock), likely a running {@code serve}. */
    final boolean storeInUse;

    Failure(int exitCode, String message) {
      this(exitCode, message, false);
    }

    Failure(int exitCode, String message, boolean storeInUse) {
      super(message, null, false, false);
      this.exitCode = exitCode;
      this.storeInUse = storeInUse;
    }
  }

  /**
   * The inspecting commands log only warnings and errors (stdout carries their JSON, stderr
   * stays quiet unless something is wrong), unless the slf4j-simple level is set on the
   * command line. Takes effect if no logger was made yet in this JVM.
   */
  static void quietLogging() {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
  }
}
