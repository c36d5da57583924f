package io.objmapper.internal.index;

import io.objmapper.spi.ObjectNames;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Sizing and growth of a {@link PersistentTierIndex}. Immutable; build one with {@link #builder()}:
 *
 * <pre>{@code
 * IndexOptions options = IndexOptions.builder()
 *     .expectedEntries(2_000_000)
 *     .averageNameBytes(60)
 *     .build();
 * }</pre>
 *
 * <p>The map file is preallocated for its declared entries (about 120 bytes per entry with
 * 60-byte names), so {@code expectedEntries} should be at most the number of objects the tier
 * will hold: the index grows by itself past that number (each growth copies every entry and
 * leaves the file {@code growthFactor} times larger than its content needs), so a small start
 * costs a few copies, a large one disk space from the first day.
 *
 * <p>Chronicle Map accepts about twice its declared entries (segments spill into overflow tiers)
 * before a put fails. Growing at {@code growAtFraction = 1.0} of the declared entries therefore
 * starts the copy at about half of that hard limit, leaving as many entries again for writes
 * that arrive while the copy runs; a map filled exactly to its declared size uses no overflow
 * tier and is not copied.
 *
 * <p>Public for the store (another package) and for objmapper-examples'
 * index footprint benchmark ({@code examples/bench/index/IndexFootprint});
 * not API.
 */
public final class IndexOptions {
  /**
   * Entries a map is declared for when the caller does not say: an empty index then takes about
   * 7 MB of disk with 64-byte names (a map is preallocated: about 130 bytes per declared entry)
   * and grows as objects arrive.
   */
  public static final long DEFAULT_EXPECTED_ENTRIES = 50_000;
  /** Average UTF-8 length of an object name when the caller does not say. */
  public static final int DEFAULT_AVERAGE_NAME_BYTES = 64;
  /** Fraction of the declared entries at which the map is re-created larger. */
  public static final double DEFAULT_GROW_AT_FRACTION = 1.0;
  /** How much larger a re-created map is declared: a doubling, so that few copies reach a large size. */
  public static final double DEFAULT_GROWTH_FACTOR = 2.0;
  /**
   * How long a close waits for the operations on the map to end: far more than any walk of an
   * intact map takes (a million entries a second), so that only a damaged map whose walk never
   * ends (one a forged clean marker let through) is given up on.
   */
  public static final long DEFAULT_CLOSE_WAIT_MILLIS = 30_000;
  /**
   * Least time between two looks at the map file's length from look-ups and writes (see
   * {@link MapLength}; a walk, a growth's copy and a close look each time): one {@code fstat}
   * a millisecond at most, a few microseconds of CPU a second under any load; a file cut
   * short is found by the first access a millisecond or more after the last look, so by the
   * first one after an idle moment.
   */
  public static final long LENGTH_CHECK_INTERVAL_NANOS = 1_000_000;
  /** Smallest map ever declared: below this Chronicle Map's fixed costs dominate. */
  public static final long MIN_ENTRIES = 1_000;

  private final long expectedEntries;
  private final int averageNameBytes;
  private final double growAtFraction;
  private final double growthFactor;
  private final long closeWaitMillis;
  private final LongSupplier nanoClock;

  private IndexOptions(Builder b) {
    this.nanoClock = b.nanoClock;
    this.closeWaitMillis = b.closeWaitMillis;
    this.expectedEntries = b.expectedEntries;
    this.averageNameBytes = b.averageNameBytes;
    this.growAtFraction = b.growAtFraction;
    this.growthFactor = b.growthFactor;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults, declared for {@code expectedEntries} entries. */
  public static IndexOptions ofExpectedEntries(long expectedEntries) {
    return builder().expectedEntries(expectedEntries).build();
  }

  /** Entries a new map file is declared for (at least {@value #MIN_ENTRIES}). */
  public long expectedEntries() {
    return expectedEntries;
  }

  /** Average UTF-8 length of the names, used to size a new map file. */
  public int averageNameBytes() {
    return averageNameBytes;
  }

  /** Fraction of the declared entries at which growth starts, in (0, 1.5]. */
  public double growAtFraction() {
    return growAtFraction;
  }

  /** Ratio of the new declared entries to the old ones, greater than 1. */
  public double growthFactor() {
    return growthFactor;
  }

  /**
   * How long a close waits for operations on the map to end; past it the index is closed
   * without a clean-shutdown marker (the next open rebuilds it) and the map is left to them.
   */
  public long closeWaitMillis() {
    return closeWaitMillis;
  }

  /** The clock {@link #LENGTH_CHECK_INTERVAL_NANOS} is measured with: the store's ({@code System::nanoTime}). */
  public LongSupplier nanoClock() {
    return nanoClock;
  }

  @Override
  public String toString() {
    return "IndexOptions{expectedEntries=" + expectedEntries + ", averageNameBytes=" + averageNameBytes
        + ", growAtFraction=" + growAtFraction + ", growthFactor=" + growthFactor
        + ", closeWaitMillis=" + closeWaitMillis + '}';
  }

  /** Set-once setters that fail fast; {@link #build()} fills in what was not set. */
  public static final class Builder {
    private long expectedEntries = -1;
    private int averageNameBytes = -1;
    private double growAtFraction = Double.NaN;
    private double growthFactor = Double.NaN;
    private long closeWaitMillis = -1;
    private LongSupplier nanoClock;

    private Builder() {}

    /** The clock of the length checks (tests inject a fake one); default {@code System::nanoTime}. */
    public Builder nanoClock(LongSupplier clock) {
      requireState(this.nanoClock == null, "nanoClock was already set to %s", this.nanoClock);
      this.nanoClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder closeWaitMillis(long closeWaitMillis) {
      requireState(this.closeWaitMillis < 0, "closeWaitMillis was already set to %s", this.closeWaitMillis);
      if (closeWaitMillis < 0) {
        throw new IllegalArgumentException("closeWaitMillis < 0");
      }
      this.closeWaitMillis = closeWaitMillis;
      return this;
    }

    public Builder expectedEntries(long expectedEntries) {
      requireState(this.expectedEntries < 0, "expectedEntries was already set to %s", this.expectedEntries);
      if (expectedEntries < 1) {
        throw new IllegalArgumentException("expectedEntries < 1");
      }
      this.expectedEntries = Math.max(expectedEntries, MIN_ENTRIES);
      return this;
    }

    public Builder averageNameBytes(int averageNameBytes) {
      requireState(this.averageNameBytes < 0, "averageNameBytes was already set to %s", this.averageNameBytes);
      if (averageNameBytes < 2 || averageNameBytes > ObjectNames.MAX_NAME_BYTES) {
        throw new IllegalArgumentException("averageNameBytes not in [2, " + ObjectNames.MAX_NAME_BYTES + "]");
      }
      this.averageNameBytes = averageNameBytes;
      return this;
    }

    public Builder growAtFraction(double growAtFraction) {
      requireState(Double.isNaN(this.growAtFraction), "growAtFraction was already set to %s", this.growAtFraction);
      if (!(growAtFraction > 0 && growAtFraction <= 1.5)) {
        throw new IllegalArgumentException("growAtFraction not in (0, 1.5]");
      }
      this.growAtFraction = growAtFraction;
      return this;
    }

    public Builder growthFactor(double growthFactor) {
      requireState(Double.isNaN(this.growthFactor), "growthFactor was already set to %s", this.growthFactor);
      if (!(growthFactor > 1 && growthFactor <= 16)) {
        throw new IllegalArgumentException("growthFactor not in (1, 16]");
      }
      this.growthFactor = growthFactor;
      return this;
    }

    public IndexOptions build() {
      if (expectedEntries < 0) {
        expectedEntries = DEFAULT_EXPECTED_ENTRIES;
      }
      if (averageNameBytes < 0) {
        averageNameBytes = DEFAULT_AVERAGE_NAME_BYTES;
      }
      if (Double.isNaN(growAtFraction)) {
        growAtFraction = DEFAULT_GROW_AT_FRACTION;
      }
      if (Double.isNaN(growthFactor)) {
        growthFactor = DEFAULT_GROWTH_FACTOR;
      }
      if (closeWaitMillis < 0) {
        closeWaitMillis = DEFAULT_CLOSE_WAIT_MILLIS;
      }
      if (nanoClock == null) {
        nanoClock = System::nanoTime;
      }
      return new IndexOptions(this);
    }

    private static void requireState(boolean ok, String message, Object value) {
      if (!ok) {
        throw new IllegalStateException(String.format(message, value));
      }
    }
  }
}
