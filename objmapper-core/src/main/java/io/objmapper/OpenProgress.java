package io.objmapper;

/**
 * Told how the opening of a store walks its tiers' files ({@link ObjMapper.Builder#openProgress}).
 *
 * <p>A local tier's files are walked once at open when the store cannot do without: its
 * index must be rebuilt (no index file yet, or the one a crash left), it keeps its index in the
 * heap, or its object counts were not saved at its last clean close (a read-only tier). That one
 * walk fills the index and counts the objects together. A store whose tiers closed cleanly with
 * their indexes walks nothing and calls nothing (an index that closed cleanly but turns out
 * damaged is rebuilt in the background, untold).
 *
 * <p>For each tier walked, {@link #walked} is called on the thread running {@link
 * ObjMapper.Builder#build()}, about every {@value #INTERVAL_FILES} files with the running
 * totals (which never decrease), then once with {@code done} and the tier's final totals: its
 * {@link ObjMapperStats.TierStats#objects()} and {@link ObjMapperStats.TierStats#bytes()} once
 * the store is open. Tiers are walked one after the other. The calls allocate nothing; a
 * listener that wants a line every few seconds keeps its own clock.
 *
 * <pre>{@code
 * ObjMapper store = ObjMapper.builder().configFile(conf)
 *     .openProgress((tier, files, bytes, done) -> {
 *       if (done || files % 1_000_000 == 0) {
 *         System.err.printf("open: tier %s: %,d files, %,d bytes%s%n", tier, files, bytes, done ? ", done" : "");
 *       }
 *     })
 *     .build();
 * }</pre>
 *
 * <p>An exception thrown by the listener fails {@code build()} (which closes what it opened).
 */
@FunctionalInterface
public interface OpenProgress {
  /** About how many files a walk reports apart. */
  int INTERVAL_FILES = 1000;

  /** A listener that ignores every call (the default). */
  OpenProgress NONE = (tier, files, bytes, done) -> {};

  /**
   * Tier {@code tier} has been walked as far as {@code files} object files holding {@code bytes}
   * bytes; {@code done} on the last call for that tier, with its totals.
   */
  void walked(String tier, long files, long bytes, boolean done);
}
