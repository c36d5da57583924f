package io.objmapper;

import java.util.Locale;

/**
 * When objects move between tiers by themselves. An object's <em>heat</em> is its access
 * count with every access weighted by its age: an access now counts 1, one a half-life ago
 * ½, one two half-lives ago ¼. So both how often and how recently an object was read decay
 * with the same half-life, and an object read a million times last month is cold today. Its
 * <em>score</em> is {@code 1 - 2^-heat}, in [0, 1): one access just now scores 0.5, two 0.75.
 *
 * <p>Each lifecycle round (every {@link Builder#intervalMillis interval}, or when
 * {@link ObjMapper#runLifecycle()} is called):
 * <ol>
 *   <li>a tier filled past {@code evictWhenFull} of its capacity sends its coldest unpinned
 *       objects down until it is at {@code evictTarget}, over as many rounds as the batch size
 *       needs (the slowest tier of a store without persistent tiers deletes them);
 *   <li>objects scoring above {@code hotThreshold} move up to the fastest tier that accepts
 *       them and has room within {@code evictTarget} (the room above it is for new writes);
 *       when it has none, an object at least twice as hot takes the place of its coldest
 *       object;
 *   <li>objects scoring below {@code coldThreshold} move down one tier.
 * </ol>
 * At most {@code migrationBatchSize} objects move per round, fewer while the store answers
 * more than {@code busyRequestsPerSecond}; a round moves objects on two threads while the
 * store answers less than a quarter of that, on one otherwise. PINNED objects never move by themselves. A tier
 * takes objects only if it has {@link io.objmapper.spi.TierFlag#MIGRATION_DST}, gives them
 * only if it has {@link io.objmapper.spi.TierFlag#MIGRATION_SRC}; EPHEMERAL objects never
 * reach a persistent tier, and a persistent object promoted onto a volatile tier is copied
 * there (its persistent copy stays, so it survives a restart).
 *
 * <pre>{@code
 * ObjMapper.builder()
 *     .tier(fast).tier(slow)
 *     .lifecycle(LifecyclePolicy.builder().hotnessHalfLifeMillis(600_000).intervalMillis(5_000).build())
 *     .build();
 * }</pre>
 */
public final class LifecyclePolicy {
  private static final LifecyclePolicy DEFAULTS = builder().build();

  private final double hotThreshold;
  private final double coldThreshold;
  private final double evictWhenFull;
  private final double evictTarget;
  private final long hotnessHalfLifeMillis;
  private final int migrationBatchSize;
  private final long intervalMillis;
  private final long busyRequestsPerSecond;

  private LifecyclePolicy(Builder b) {
    this.hotThreshold = b.hotThreshold;
    this.coldThreshold = b.coldThreshold;
    this.evictWhenFull = b.evictWhenFull;
    this.evictTarget = b.evictTarget;
    this.hotnessHalfLifeMillis = b.hotnessHalfLifeMillis;
    this.migrationBatchSize = b.migrationBatchSize;
    this.intervalMillis = b.intervalMillis;
    this.busyRequestsPerSecond = b.busyRequestsPerSecond;
  }

  /** The seed configuration's policy: 0.7 / 0.3, 0.95 / 0.85, an hour, 100 objects, every 10 s. */
  public static LifecyclePolicy defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this policy's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.hotThreshold = hotThreshold;
    b.coldThreshold = coldThreshold;
    b.evictWhenFull = evictWhenFull;
    b.evictTarget = evictTarget;
    b.hotnessHalfLifeMillis = hotnessHalfLifeMillis;
    b.migrationBatchSize = migrationBatchSize;
    b.intervalMillis = intervalMillis;
    b.busyRequestsPerSecond = busyRequestsPerSecond;
    return b;
  }

  public double hotThreshold() {
    return hotThreshold;
  }

  public double coldThreshold() {
    return coldThreshold;
  }

  public double evictWhenFull() {
    return evictWhenFull;
  }

  public double evictTarget() {
    return evictTarget;
  }

  public long hotnessHalfLifeMillis() {
    return hotnessHalfLifeMillis;
  }

  public int migrationBatchSize() {
    return migrationBatchSize;
  }

  /** Milliseconds between background rounds; 0: no background rounds. */
  public long intervalMillis() {
    return intervalMillis;
  }

  public long busyRequestsPerSecond() {
    return busyRequestsPerSecond;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "LifecyclePolicy{hot %.2f, cold %.2f, evict %.2f→%.2f, half-life %d ms, batch %d, every %d ms, busy %d req/s}",
        hotThreshold, coldThreshold, evictWhenFull, evictTarget, hotnessHalfLifeMillis, migrationBatchSize,
        intervalMillis, busyRequestsPerSecond);
  }

  /** Settings of a {@link LifecyclePolicy}; each defaults to the seed configuration's value. */
  public static final class Builder {
    private double hotThreshold = 0.7;
    private double coldThreshold = 0.3;
    private double evictWhenFull = 0.95;
    private double evictTarget = 0.85;
    private long hotnessHalfLifeMillis = 3_600_000;
    private int migrationBatchSize = 100;
    private long intervalMillis = 10_000;
    private long busyRequestsPerSecond = 50_000;

    private Builder() {}

    /** Objects scoring above this move up ({@code lifecycle.hot_threshold}, in [0, 1]); default 0.7. */
    public Builder hotThreshold(double score) {
      this.hotThreshold = fraction(score, "hotThreshold");
      return this;
    }

    /** Objects scoring below this move down ({@code lifecycle.cold_threshold}, in [0, 1]); default 0.3. */
    public Builder coldThreshold(double score) {
      this.coldThreshold = fraction(score, "coldThreshold");
      return this;
    }

    /** Fill ratio at which a tier starts sending objects down ({@code lifecycle.evict_when_full}); default 0.95. */
    public Builder evictWhenFull(double ratio) {
      if (!(ratio > 0 && ratio <= 1)) {
        throw new IllegalArgumentException("evictWhenFull not in (0, 1]");
      }
      this.evictWhenFull = ratio;
      return this;
    }

    /** Fill ratio such a tier is brought down to ({@code lifecycle.evict_target}); default 0.85. */
    public Builder evictTarget(double ratio) {
      this.evictTarget = fraction(ratio, "evictTarget");
      return this;
    }

    /** Half-life of heat ({@code lifecycle.hotness_decay_secs} × 1000); default one hour. */
    public Builder hotnessHalfLifeMillis(long millis) {
      if (millis <= 0) {
        throw new IllegalArgumentException("hotnessHalfLifeMillis <= 0");
      }
      this.hotnessHalfLifeMillis = millis;
      return this;
    }

    /** Most objects moved per round ({@code lifecycle.migration_batch_size}); default 100. */
    public Builder migrationBatchSize(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("migrationBatchSize < 1");
      }
      this.migrationBatchSize = n;
      return this;
    }

    /**
     * Milliseconds between background rounds ({@code lifecycle.interval_ms}); 0 runs no
     * background rounds (call {@link ObjMapper#runLifecycle()}). Default 10000.
     */
    public Builder intervalMillis(long millis) {
      if (millis < 0) {
        throw new IllegalArgumentException("intervalMillis < 0");
      }
      this.intervalMillis = millis;
      return this;
    }

    /**
     * Request rate above which a round moves fewer objects, in proportion
     * ({@code lifecycle.busy_requests_per_sec}); default 50000.
     */
    public Builder busyRequestsPerSecond(long rate) {
      if (rate < 1) {
        throw new IllegalArgumentException("busyRequestsPerSecond < 1");
      }
      this.busyRequestsPerSecond = rate;
      return this;
    }

    /** @throws IllegalStateException if coldThreshold ≥ hotThreshold or evictTarget ≥ evictWhenFull */
    public LifecyclePolicy build() {
      if (!(coldThreshold < hotThreshold)) {
        throw new IllegalStateException("coldThreshold " + coldThreshold + " >= hotThreshold " + hotThreshold);
      }
      if (!(evictTarget < evictWhenFull)) {
        throw new IllegalStateException("evictTarget " + evictTarget + " >= evictWhenFull " + evictWhenFull);
      }
      return new LifecyclePolicy(this);
    }

    private static double fraction(double v, String what) {
      if (!(v >= 0 && v <= 1)) {
        throw new IllegalArgumentException(what + " not in [0, 1]");
      }
      return v;
    }
  }
}
