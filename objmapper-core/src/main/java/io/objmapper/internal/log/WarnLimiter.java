package io.objmapper.internal.log;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Rate limit for repeated warnings, per key (a peer, a tier): a token bucket per key holding
 * up to {@code burst} lines, refilled by one every {@code nanosPerLine}. A line that finds no
 * token is suppressed and counted; the next line let through for that key carries the count
 * ({@link LogText#suppressed}):
 *
 * <pre>{@code
 * long suppressed = STAT_WARNINGS.acquire(tierName);
 * if (suppressed >= 0) {
 *   log.warn("tier {}: cannot stat {}: {}{}", tierName, LogText.name(name), LogText.error(e),
 *       LogText.suppressed(suppressed));
 * }
 * }</pre>
 *
 * <p>At most {@code maxKeys} keys get a bucket of their own; beyond that, new keys share one,
 * so memory stays bounded whatever a client sends. Thread-safe; the clock is injected (tests
 * use a fake one). Meant for warnings, not the request path: a call takes a bucket's monitor.
 */
public final class WarnLimiter {
  /** The key keys beyond {@code maxKeys} share. */
  static final String OVERFLOW_KEY = "\u0000other";

  private final int burst;
  private final long nanosPerLine;
  private final int maxKeys;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<Object, Bucket> buckets = new ConcurrentHashMap<>();

  /**
   * @param burst lines a key may log back to back, at least 1
   * @param nanosPerLine time after which a key may log one more line, at least 1
   * @param maxKeys keys with a bucket of their own, at least 1
   * @param nanoClock the time in nanoseconds ({@code System::nanoTime})
   */
  public WarnLimiter(int burst, long nanosPerLine, int maxKeys, LongSupplier nanoClock) {
    if (burst < 1) {
      throw new IllegalArgumentException("burst < 1");
    }
    if (nanosPerLine < 1) {
      throw new IllegalArgumentException("nanosPerLine < 1");
    }
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys < 1");
    }
    this.burst = burst;
    this.nanosPerLine = nanosPerLine;
    this.maxKeys = maxKeys;
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /** 10 lines back to back per key, then one a second; 1,024 keys; the system clock. */
  public static WarnLimiter perSecond() {
    return new WarnLimiter(10, 1_000_000_000L, 1_024, System::nanoTime);
  }

  /**
   * Takes a line for {@code key}.
   *
   * @return -1 if the line must be suppressed (it is counted), else the number of lines of this
   *     key suppressed since the last one let through
   */
  public long acquire(Object key) {
    Objects.requireNonNull(key, "key");
    Bucket b = buckets.get(key);
    if (b == null) {
      Object k = buckets.size() < maxKeys ? key : OVERFLOW_KEY;
      b = buckets.computeIfAbsent(k, unused -> new Bucket());
    }
    long now = nanoClock.getAsLong();
    synchronized (b) {
      if (!b.started) {
        b.started = true;
        b.last = now;
        b.tokens = burst;
      }
      long elapsed = now - b.last;
      if (elapsed >= nanosPerLine) {
        long refill = elapsed / nanosPerLine;
        b.tokens = (int) Math.min(burst, b.tokens + refill);
        b.last += refill * nanosPerLine;
      }
      if (b.tokens == 0) {
        b.suppressed++;
        return -1;
      }
      b.tokens--;
      long s = b.suppressed;
      b.suppressed = 0;
      return s;
    }
  }

  /** Keys with a bucket (for tests and diagnostics). */
  int keys() {
    return buckets.size();
  }

  private static final class Bucket {
    boolean started;
    long last;
    int tokens;
    long suppressed;
  }
}
