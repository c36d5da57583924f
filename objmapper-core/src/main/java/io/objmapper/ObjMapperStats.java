package io.objmapper;

import java.util.List;

/**
 * A snapshot of the store's counters.
 *
 * @param lookups object lookups (opens, stats, server requests)
 * @param indexHits lookups answered by the in-heap global index
 * @param indexMisses lookups that went on to the per-tier indexes or a tier scan
 * @param notFound lookups that found no object
 * @param fdCacheHits opens served by a cached descriptor
 * @param fdCacheMisses opens that had to open the file
 * @param opens files opened
 * @param evictions descriptors evicted from the cache
 * @param staleDescriptors cached descriptors found replaced or deleted behind the cache
 * @param openDescriptors descriptors the cache holds now
 * @param tiers per-tier objects and bytes
 * @param lifecycle what the lifecycle rounds did so far
 */
public record ObjMapperStats(
    long lookups, long indexHits, long indexMisses, long notFound, long fdCacheHits, long fdCacheMisses, long opens,
    long evictions, long staleDescriptors, long openDescriptors, List<TierStats> tiers, Lifecycle lifecycle) {
  public ObjMapperStats {
    tiers = List.copyOf(tiers);
  }

  /** fdCacheHits / (fdCacheHits + fdCacheMisses), or 0 before any open. */
  public double fdCacheHitRate() {
    long n = fdCacheHits + fdCacheMisses;
    return n == 0 ? 0 : (double) fdCacheHits / n;
  }

  /** indexHits / (indexHits + indexMisses), or 0 before any lookup. */
  public double indexHitRate() {
    long n = indexHits + indexMisses;
    return n == 0 ? 0 : (double) indexHits / n;
  }

  /**
   * One tier's share.
   *
   * @param name the tier's name
   * @param id its position in the configuration
   * @param type its provider type
   * @param persistent whether it keeps objects across restarts
   * @param objects objects on it
   * @param bytes bytes they take
   * @param capacityBytes its configured capacity
   */
  public record TierStats(String name, int id, String type, boolean persistent, long objects, long bytes,
      long capacityBytes) {}

  /**
   * Totals of the lifecycle rounds and manual moves since the store opened.
   *
   * @param rounds rounds run
   * @param promotions objects moved or copied to a faster tier
   * @param demotions cold objects moved to a slower tier, or cached copies dropped
   * @param evictions objects sent down (or deleted) to bring a full tier back to its target
   * @param manualMoves moves asked through {@link ObjMapper#move}
   * @param bytesMoved bytes copied between tiers
   * @param failures moves that failed (the object stayed where it was)
   * @param busyRounds rounds that moved fewer objects because of the request load
   */
  public record Lifecycle(long rounds, long promotions, long demotions, long evictions, long manualMoves,
      long bytesMoved, long failures, long busyRounds) {}
}
