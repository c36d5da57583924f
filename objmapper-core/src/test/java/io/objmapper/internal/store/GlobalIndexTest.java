package io.objmapper.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The bounded in-heap global index: lookups, counters, conditional removal, the bound. */
class GlobalIndexTest {
  private static Entry entry(String name, long size) {
    return new Entry(name, 0, size, 1_000, 0);
  }

  @Test
  void putEntryIsFoundAndCountedAsAHit() {
    GlobalIndex index = new GlobalIndex(16);
    Entry e = entry("/a", 1);
    index.put(e);
    assertThat(index.get("/a")).isSameAs(e);
    assertThat(index.hits()).isEqualTo(1);
    assertThat(index.misses()).isZero();
  }

  @Test
  void unknownNameIsNullAndCountedAsAMiss() {
    GlobalIndex index = new GlobalIndex(16);
    assertThat(index.get("/none")).isNull();
    assertThat(index.misses()).isEqualTo(1);
    assertThat(index.hits()).isZero();
  }

  @Test
  void newerEntryReplacesTheOlder() {
    GlobalIndex index = new GlobalIndex(16);
    index.put(entry("/a", 1));
    Entry newer = entry("/a", 2);
    index.put(newer);
    assertThat(index.get("/a")).isSameAs(newer);
  }

  @Test
  void removingAnOutdatedEntryKeepsTheCurrentOne() {
    GlobalIndex index = new GlobalIndex(16);
    Entry old = entry("/a", 1);
    index.put(old);
    Entry current = entry("/a", 2);
    index.put(current);
    index.remove(old);
    assertThat(index.get("/a")).isSameAs(current);
  }

  @Test
  void removingTheCurrentEntryRemovesIt() {
    GlobalIndex index = new GlobalIndex(16);
    Entry e = entry("/a", 1);
    index.put(e);
    index.remove(e);
    assertThat(index.get("/a")).isNull();
  }

  @Test
  void removingByNameRemovesWhateverIsThere() {
    GlobalIndex index = new GlobalIndex(16);
    index.put(entry("/a", 1));
    index.remove("/a");
    assertThat(index.get("/a")).isNull();
  }

  @Test
  void sizeStaysWithinTheBound() {
    GlobalIndex index = new GlobalIndex(10);
    for (int i = 0; i < 1_000; i++) {
      index.put(entry("/o" + i, i));
    }
    assertThat(index.size()).isLessThanOrEqualTo(10);
  }

  @Test
  void boundBelowOneIsRefused() {
    assertThatThrownBy(() -> new GlobalIndex(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void touchCountsAccessesAndKeepsTheLastTime() {
    Entry e = entry("/a", 1);
    e.touch(5);
    e.touch(9);
    assertThat(e.accesses()).isEqualTo(2);
    assertThat(e.lastAccessNanos()).isEqualTo(9);
  }
}
