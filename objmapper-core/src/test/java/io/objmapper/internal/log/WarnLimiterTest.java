package io.objmapper.internal.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WarnLimiterTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong clock = new AtomicLong(123);

  private WarnLimiter limiter(int burst, int maxKeys) {
    return new WarnLimiter(burst, SECOND, maxKeys, clock::get);
  }

  @Test
  void aKeyLogsItsBurstThenIsSuppressedAndTheNextLineCarriesTheCount() {
    WarnLimiter l = limiter(3, 10);
    assertThat(l.acquire("peer")).isZero();
    assertThat(l.acquire("peer")).isZero();
    assertThat(l.acquire("peer")).isZero();
    for (int i = 0; i < 1_000; i++) {
      assertThat(l.acquire("peer")).isEqualTo(-1);
    }
    clock.addAndGet(SECOND);
    assertThat(l.acquire("peer")).isEqualTo(1_000);
    assertThat(l.acquire("peer")).isEqualTo(-1);
    clock.addAndGet(SECOND);
    assertThat(l.acquire("peer")).isEqualTo(1);
  }

  @Test
  void tokensRefillOnePerPeriodUpToTheBurst() {
    WarnLimiter l = limiter(2, 10);
    l.acquire("k");
    l.acquire("k");
    clock.addAndGet(SECOND / 2);
    assertThat(l.acquire("k")).as("half a period: nothing refilled").isEqualTo(-1);
    clock.addAndGet(SECOND / 2);
    assertThat(l.acquire("k")).isEqualTo(1);
    clock.addAndGet(100 * SECOND);
    assertThat(l.acquire("k")).isZero();
    assertThat(l.acquire("k")).isZero();
    assertThat(l.acquire("k")).as("a long pause refills the burst, not more").isEqualTo(-1);
  }

  @Test
  void keysAreLimitedApartFromEachOther() {
    WarnLimiter l = limiter(1, 10);
    assertThat(l.acquire("a")).isZero();
    assertThat(l.acquire("a")).isEqualTo(-1);
    assertThat(l.acquire("b")).isZero();
  }

  @Test
  void keysBeyondTheBoundShareOneBucket() {
    WarnLimiter l = limiter(1, 2);
    assertThat(l.acquire("a")).isZero();
    assertThat(l.acquire("b")).isZero();
    assertThat(l.acquire("c")).isZero();
    assertThat(l.acquire("d")).as("shares c's bucket").isEqualTo(-1);
    for (int i = 0; i < 10_000; i++) {
      l.acquire("key-" + i);
    }
    assertThat(l.keys()).isEqualTo(3);
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> new WarnLimiter(0, SECOND, 1, clock::get)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("burst < 1");
    assertThatThrownBy(() -> new WarnLimiter(1, 0, 1, clock::get)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nanosPerLine < 1");
    assertThatThrownBy(() -> new WarnLimiter(1, SECOND, 0, clock::get)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxKeys < 1");
    assertThatThrownBy(() -> limiter(1, 1).acquire(null)).isInstanceOf(NullPointerException.class);
  }
}
