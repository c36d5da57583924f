package io.objmapper.internal.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.objmapper.internal.store.Entry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Heat and score on a fake clock: both frequency and recency decay with the half-life. */
class HotnessTest {
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);
  private final Hotness hotness = new Hotness(HOUR);

  private static Entry entry() {
    return new Entry("/o", 0, 10, 0, 0);
  }

  @Test
  void oneAccessJustNowScoresOneHalf() {
    Entry e = entry();
    e.touch(5 * HOUR);
    assertThat(Hotness.score(hotness.heat(e, 5 * HOUR))).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void anAccessOneHalfLifeAgoCountsHalf() {
    Entry e = entry();
    e.touch(HOUR);
    assertThat(hotness.heat(e, 2 * HOUR)).isCloseTo(0.5, within(1e-12));
    assertThat(hotness.heat(e, 3 * HOUR)).isCloseTo(0.25, within(1e-12));
  }

  @Test
  void anObjectNeverReadHasNoHeat() {
    assertThat(hotness.heat(entry(), 7 * HOUR)).isZero();
    assertThat(Hotness.score(0)).isZero();
  }

  @Test
  void aMillionReadsLastMonthAreColdToday() {
    Entry e = entry();
    long day = 24 * HOUR;
    // 1,000,000 reads spread over 30 days, folded once per simulated hour as rounds would.
    for (int hour = 0; hour < 30 * 24; hour++) {
      for (int i = 0; i < 1_389; i++) {
        e.touch(hour * HOUR + i);
      }
      hotness.fold(e, (hour + 1) * HOUR);
    }
    assertThat(e.accesses()).isGreaterThanOrEqualTo(1_000_000);
    // While it was being read, it was hot.
    assertThat(Hotness.score(hotness.heat(e, 30 * day))).isGreaterThan(0.99);
    long monthLater = 60 * day;
    assertThat(Hotness.score(hotness.fold(e, monthLater))).isLessThan(0.3);
  }

  @Test
  void moreAccessesAtTheSameTimeMakeAnObjectHotter() {
    Entry often = entry();
    Entry once = entry();
    for (int i = 0; i < 10; i++) {
      often.touch(HOUR);
    }
    once.touch(HOUR);
    assertThat(hotness.heat(often, 2 * HOUR)).isCloseTo(10 * hotness.heat(once, 2 * HOUR), within(1e-9));
  }

  @Test
  void aMoreRecentAccessMakesAnObjectHotter() {
    Entry recent = entry();
    Entry old = entry();
    old.touch(HOUR);
    recent.touch(3 * HOUR);
    assertThat(hotness.heat(recent, 4 * HOUR)).isGreaterThan(hotness.heat(old, 4 * HOUR));
  }

  @Test
  void foldingDoesNotChangeTheHeatItReports() {
    Entry e = entry();
    e.touch(HOUR);
    e.touch(HOUR);
    double before = hotness.heat(e, 2 * HOUR);
    assertThat(hotness.fold(e, 2 * HOUR)).isCloseTo(before, within(1e-12));
    assertThat(hotness.heat(e, 3 * HOUR)).isCloseTo(before / 2, within(1e-12));
  }

  @Test
  void accessesOfEarlierRoundsKeepTheirAge() {
    Entry e = entry();
    e.touch(0);
    hotness.fold(e, 0);
    e.touch(2 * HOUR);
    // One access two half-lives old (0.25) and one now (1).
    assertThat(hotness.heat(e, 2 * HOUR)).isCloseTo(1.25, within(1e-12));
  }

  @Test
  void aMovedEntryInheritsTheUseOfTheOldOne() {
    Entry old = entry();
    old.touch(HOUR);
    old.touch(HOUR);
    hotness.fold(old, HOUR);
    old.touch(2 * HOUR);
    Entry moved = new Entry("/o", 1, 10, 0, 0).inheritUse(old);
    assertThat(moved.accesses()).isEqualTo(3);
    assertThat(hotness.heat(moved, 3 * HOUR)).isCloseTo(hotness.heat(old, 3 * HOUR), within(1e-12));
  }

  @Test
  void scoreAndHeatOfAreInverses() {
    for (double s : new double[] {0.1, 0.3, 0.5, 0.7, 0.95}) {
      assertThat(Hotness.score(Hotness.heatOf(s))).isCloseTo(s, within(1e-12));
    }
    assertThat(Hotness.heatOf(0.75)).isCloseTo(2.0, within(1e-12));
  }

  @Test
  void aHalfLifeMustBePositive() {
    assertThatThrownBy(() -> new Hotness(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("halfLifeNanos <= 0");
  }
}
