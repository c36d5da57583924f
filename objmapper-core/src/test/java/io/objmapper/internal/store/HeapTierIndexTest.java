package io.objmapper.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The heap index of a volatile tier. */
class HeapTierIndexTest {
  private final HeapTierIndex index = new HeapTierIndex();

  @Test
  void recordIsFoundByItsName() {
    IndexRecord r = new IndexRecord(3, 1_000, 1);
    index.put("/a", r);
    assertThat(index.get("/a")).isEqualTo(r);
    assertThat(index.get("/b")).isNull();
  }

  @Test
  void removeSaysWhetherThereWasARecord() {
    index.put("/a", new IndexRecord(3, 1_000, 0));
    assertThat(index.remove("/a")).isTrue();
    assertThat(index.remove("/a")).isFalse();
    assertThat(index.size()).isZero();
  }

  @Test
  void forEachVisitsExactlyTheNamesWithThePrefix() {
    index.put("/p/a", new IndexRecord(1, 0, 0));
    index.put("/p/b", new IndexRecord(2, 0, 0));
    index.put("/q/c", new IndexRecord(3, 0, 0));
    index.put("/pp", new IndexRecord(4, 0, 0));
    Map<String, IndexRecord> seen = new TreeMap<>();
    index.forEach("/p/", seen::put);
    assertThat(seen).containsOnlyKeys("/p/a", "/p/b");
  }

  @Test
  void heapIndexIsAlwaysComplete() {
    assertThat(index.complete()).isTrue();
  }

  @Test
  void closeForgetsEverything() {
    index.put("/a", new IndexRecord(1, 0, 0));
    index.close();
    assertThat(index.size()).isZero();
  }
}
