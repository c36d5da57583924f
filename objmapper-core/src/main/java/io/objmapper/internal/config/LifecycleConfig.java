package io.objmapper.internal.config;

/**
 * The {@code lifecycle} section: when objects move between tiers and when a full tier is
 * emptied. Hotness is a score in [0, 1] that decays with time since the last access.
 *
 * @param hotThreshold objects scoring above this move to a faster tier, in [0, 1]
 * @param coldThreshold objects scoring below this move to a slower tier, in [0, 1] and
 *     {@code < hotThreshold}
 * @param evictWhenFull fill ratio of a tier, in (0, 1], at which eviction starts
 * @param evictTarget fill ratio eviction brings the tier down to, in [0, 1] and
 *     {@code < evictWhenFull}
 * @param hotnessDecaySecs half-life of an object's heat, in seconds (see {@link io.objmapper.LifecyclePolicy}), {@code > 0}
 * @param migrationBatchSize most objects moved in one lifecycle round, {@code >= 1}
 * @param intervalMs milliseconds between lifecycle rounds, {@code >= 0}; 0 runs no background
 *     rounds, as the builder's {@code intervalMillis(0)} (not in the seed file; added so the
 *     round period is configurable)
 * @param busyRequestsPerSec request rate above which rounds move fewer objects, {@code >= 1}
 *     (not in the seed file)
 */
record LifecycleConfig(double hotThreshold, double coldThreshold, double evictWhenFull,
    double evictTarget, long hotnessDecaySecs, int migrationBatchSize, long intervalMs,
    long busyRequestsPerSec) {

  /**
   * {@link io.objmapper.LifecyclePolicy#defaults()} (one default per setting), which are the
   * seed configuration's values, a round every 10 seconds, busy above 50000 requests/s.
   */
  public static final LifecycleConfig DEFAULTS = of(io.objmapper.LifecyclePolicy.defaults());

  /** @throws ConfigException naming the key that is out of range or contradicts another */
  public LifecycleConfig {
    Check.fraction("hot_threshold", hotThreshold, true);
    Check.fraction("cold_threshold", coldThreshold, true);
    if (!(coldThreshold < hotThreshold)) {
      throw ConfigException.relation("cold_threshold", coldThreshold, "must be <",
          "hot_threshold", hotThreshold);
    }
    Check.fraction("evict_when_full", evictWhenFull, false);
    Check.fraction("evict_target", evictTarget, true);
    if (!(evictTarget < evictWhenFull)) {
      throw ConfigException.relation("evict_target", evictTarget, "must be <",
          "evict_when_full", evictWhenFull);
    }
    Check.positive("hotness_decay_secs", hotnessDecaySecs);
    Check.atLeast("migration_batch_size", migrationBatchSize, 1);
    Check.atLeast("interval_ms", intervalMs, 0);
    Check.positive("busy_requests_per_sec", busyRequestsPerSec);
  }

  /** The settings of {@code policy}, its half-life rounded down to whole seconds. */
  static LifecycleConfig of(io.objmapper.LifecyclePolicy policy) {
    return new LifecycleConfig(policy.hotThreshold(), policy.coldThreshold(),
        policy.evictWhenFull(), policy.evictTarget(), policy.hotnessHalfLifeMillis() / 1000,
        policy.migrationBatchSize(), policy.intervalMillis(), policy.busyRequestsPerSecond());
  }

  /** The policy these settings describe. */
  public io.objmapper.LifecyclePolicy policy() {
    return io.objmapper.LifecyclePolicy.builder()
        .hotThreshold(hotThreshold)
        .coldThreshold(coldThreshold)
        .evictWhenFull(evictWhenFull)
        .evictTarget(evictTarget)
        .hotnessHalfLifeMillis(Math.multiplyExact(hotnessDecaySecs, 1000L))
        .migrationBatchSize(migrationBatchSize)
        .intervalMillis(intervalMs)
        .busyRequestsPerSecond(busyRequestsPerSec)
        .build();
  }
}
