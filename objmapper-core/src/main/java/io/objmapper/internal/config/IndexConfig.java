package io.objmapper.internal.config;

import io.objmapper.ObjMapper;

/**
 * The {@code index} section: the global name index and the cache of open file descriptors.
 *
 * @param globalBuckets initial capacity of the global index, 1 to 2^30 (an implementation
 *     may round it up)
 * @param maxOpenFds most descriptors the cache keeps open, {@code > 0}; keep it below the
 *     process limit ({@code ulimit -n}) minus the descriptors connections need
 * @param fdEvictThreshold fill ratio of the cache, in (0, 1], at which eviction starts
 * @param enablePersistence whether backends with {@code persist_index} save their index;
 *     when false no index is written anywhere
 * @param syncIntervalSecs {@code > 0}, checked and kept for the seed configuration's files, not
 *     used: a persisted index is a Chronicle Map file, written as it changes
 */
record IndexConfig(int globalBuckets, int maxOpenFds, double fdEvictThreshold,
    boolean enablePersistence, long syncIntervalSecs) {
  /** Largest {@code global_buckets} accepted. */
  public static final int MAX_GLOBAL_BUCKETS = 1 << 30;

  /**
   * The store builder's defaults (one default per setting), which are the seed
   * configuration's values: 1M buckets, 10,000 FDs, evict at 90%; sync every 60 s.
   */
  public static final IndexConfig DEFAULTS = new IndexConfig(
      ObjMapper.Builder.DEFAULT_GLOBAL_INDEX_ENTRIES, ObjMapper.Builder.DEFAULT_MAX_OPEN_FDS,
      ObjMapper.Builder.DEFAULT_FD_EVICT_THRESHOLD, true, 60);

  /** @throws ConfigException naming the key that is out of range */
  public IndexConfig {
    Check.positive("global_buckets", globalBuckets);
    Check.atMost("global_buckets", globalBuckets, MAX_GLOBAL_BUCKETS);
    Check.positive("max_open_fds", maxOpenFds);
    Check.fraction("fd_evict_threshold", fdEvictThreshold, false);
    Check.positive("sync_interval_secs", syncIntervalSecs);
  }
}
