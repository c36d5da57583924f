package io.objmapper.internal.index;

import static io.objmapper.internal.index.TierIndexFixtures.entry;
import static io.objmapper.internal.index.TierIndexFixtures.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.ObjectNames;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TierIndexBasicsTest {
  @TempDir
  Path dir;

  private PersistentTierIndex open() throws IOException {
    return PersistentTierIndex.open(dir.resolve("tier.idx"), 10_000);
  }

  @Test
  void putThenGetReturnsTheSameEntry() throws IOException {
    try (PersistentTierIndex index = open()) {
      assertThat(index.put("/photos/2024/cat.jpg", new IndexEntry(1234, 1_700_000_000_123L, 0x5eed, 3))).isTrue();

      IndexEntry into = new IndexEntry();
      assertThat(index.get("/photos/2024/cat.jpg", into)).isTrue();
      assertThat(into).isEqualTo(new IndexEntry(1234, 1_700_000_000_123L, 0x5eed, 3));
      assertThat(index.get("/photos/2024/cat.jpg")).isEqualTo(into);
    }
  }

  @Test
  void unknownNameIsNotFoundAndLeavesTheHolderUnchanged() throws IOException {
    try (PersistentTierIndex index = open()) {
      IndexEntry into = new IndexEntry(7, 7, 7, 7);
      assertThat(index.get("/nothing/here", into)).isFalse();
      assertThat(into).isEqualTo(new IndexEntry(7, 7, 7, 7));
      assertThat(index.get("/nothing/here")).isNull();
      assertThat(index.contains("/nothing/here")).isFalse();
    }
  }

  @Test
  void secondPutReplacesTheEntryWithoutGrowingTheSize() throws IOException {
    try (PersistentTierIndex index = open()) {
      index.put("/a", entry(1));
      assertThat(index.put("/a", entry(2))).isFalse();
      assertThat(index.get("/a")).isEqualTo(entry(2));
      assertThat(index.size()).isEqualTo(1);
    }
  }

  @Test
  void removedNameIsNoLongerFound() throws IOException {
    try (PersistentTierIndex index = open()) {
      index.put("/a", entry(1));
      index.put("/b", entry(2));

      assertThat(index.remove("/a")).isTrue();
      assertThat(index.remove("/a")).isFalse();
      assertThat(index.contains("/a")).isFalse();
      assertThat(index.contains("/b")).isTrue();
      assertThat(index.size()).isEqualTo(1);
    }
  }

  @Test
  void entriesSurviveCloseAndReopen() throws IOException {
    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.CREATED);
      for (int i = 0; i < 5_000; i++) {
        index.put(name(i), entry(i));
      }
      index.remove(name(0));
    }
    try (PersistentTierIndex index = open()) {
      assertThat(index.openState()).isEqualTo(OpenState.CLEAN);
      assertThat(index.needsReconciliation()).isFalse();
      assertThat(index.size()).isEqualTo(4_999);
      assertThat(index.contains(name(0))).isFalse();
      IndexEntry into = new IndexEntry();
      for (int i = 1; i < 5_000; i++) {
        assertThat(index.get(name(i), into)).as(name(i)).isTrue();
        assertThat(into).isEqualTo(entry(i));
      }
    }
  }

  @Test
  void namesWithMultiByteUtf8CharactersRoundTrip() throws IOException {
    List<String> names = List.of("/фото/2024/кот.jpg", "/写真/猫.png", "/emoji/\uD83D\uDC31.gif", "/café/crème brûlée");
    try (PersistentTierIndex index = open()) {
      for (int i = 0; i < names.size(); i++) {
        index.put(names.get(i), entry(i));
      }
    }
    try (PersistentTierIndex index = open()) {
      for (int i = 0; i < names.size(); i++) {
        assertThat(index.get(names.get(i))).as(names.get(i)).isEqualTo(entry(i));
      }
      Map<String, IndexEntry> walked = new HashMap<>();
      index.forEach((n, e) -> walked.put(n, new IndexEntry().copyFrom(e)) == null);
      assertThat(walked).containsOnlyKeys(names);
    }
  }

  @Test
  void longestValidNameIsStored() throws IOException {
    String longest = "/" + "n".repeat(ObjectNames.MAX_NAME_BYTES - 2);
    assertThat(ObjectNames.isValid(longest)).isTrue();
    try (PersistentTierIndex index = PersistentTierIndex.open(dir.resolve("small.idx"), 1_000)) {
      index.put(longest, entry(4));
      assertThat(index.get(longest)).isEqualTo(entry(4));
    }
  }

  @Test
  void invalidNamesAreRejectedByPut() throws IOException {
    try (PersistentTierIndex index = open()) {
      for (String bad : new String[] {"", "/", "no-slash", "/a//b", "/a/../b", "/nul\0"}) {
        assertThatThrownBy(() -> index.put(bad, entry(1))).as("%s", bad)
            .isInstanceOf(InvalidObjectNameException.class);
      }
      assertThat(index.size()).isZero();
    }
  }

  @Test
  void prefixWalkVisitsExactlyTheNamesUnderThePrefix() throws IOException {
    try (PersistentTierIndex index = open()) {
      index.put("/photos/2024/a.jpg", entry(1));
      index.put("/photos/2024/b.jpg", entry(2));
      index.put("/photos/2024x/c.jpg", entry(3));
      index.put("/photos/2023/d.jpg", entry(4));
      index.put("/videos/2024/e.mp4", entry(5));
      index.put("/фото/2024/ё.jpg", entry(6));

      Map<String, IndexEntry> found = new HashMap<>();
      long visited = index.forEachWithPrefix("/photos/2024/",
          (n, e) -> found.put(n, new IndexEntry().copyFrom(e)) == null);

      assertThat(visited).isEqualTo(2);
      assertThat(found)
          .containsOnly(Map.entry("/photos/2024/a.jpg", entry(1)), Map.entry("/photos/2024/b.jpg", entry(2)));
      List<String> cyrillic = new ArrayList<>();
      index.forEachWithPrefix("/фото/", (n, e) -> cyrillic.add(n));
      assertThat(cyrillic).containsExactly("/фото/2024/ё.jpg");
    }
  }

  @Test
  void walkStopsWhenTheVisitorReturnsFalse() throws IOException {
    try (PersistentTierIndex index = open()) {
      for (int i = 0; i < 100; i++) {
        index.put(name(i), entry(i));
      }
      assertThat(index.forEach((n, e) -> false)).isEqualTo(1);
      assertThat(index.forEach((n, e) -> true)).isEqualTo(100);
    }
  }

  @Test
  void visitorMayRemoveWhatItVisits() throws IOException {
    try (PersistentTierIndex index = open()) {
      for (int i = 0; i < 1_000; i++) {
        index.put(name(i), entry(i));
      }
      index.forEach((n, e) -> e.size() / 10 % 10 != 0 || index.remove(n)); // every tenth entry
      assertThat(index.size()).isEqualTo(900);
      assertThat(index.contains(name(20))).isFalse();
      assertThat(index.contains(name(3))).isTrue();
    }
  }

  @Test
  void getIntoAHolderAllocatesNothing() throws IOException {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (PersistentTierIndex index = open()) {
      String[] names = new String[1_000];
      for (int i = 0; i < names.length; i++) {
        names[i] = name(i);
        index.put(names[i], entry(i));
      }
      IndexEntry into = new IndexEntry();
      long found = 0;
      for (int round = 0; round < 20; round++) {
        for (String n : names) {
          found += index.get(n, into) ? 1 : 0;
        }
      }
      long id = Thread.currentThread().getId();
      long before = threads.getThreadAllocatedBytes(id);
      for (int round = 0; round < 10; round++) {
        for (String n : names) {
          found += index.get(n, into) ? 1 : 0;
          found += index.contains(n) ? 1 : 0;
        }
      }
      long allocated = threads.getThreadAllocatedBytes(id) - before;

      assertThat(found).isEqualTo(40_000);
      assertThat(allocated / 20_000.0).as("bytes allocated per lookup").isLessThan(1.0);
    }
  }

  @Test
  void closeIsIdempotentAndLaterCallsFail() throws IOException {
    PersistentTierIndex index = open();
    index.put("/a", entry(1));
    index.close();
    index.close();

    assertThatThrownBy(() -> index.get("/a")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> index.put("/a", entry(1))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> index.forEach((n, e) -> true)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void secondOpenOfTheSameFileFailsWhileTheFirstIsOpen() throws IOException {
    try (PersistentTierIndex index = open()) {
      assertThatThrownBy(this::open).isInstanceOf(io.objmapper.StoreInUseException.class).hasMessageContaining("in use by another store in this process");
      assertThat(index.size()).isZero();
    }
    try (PersistentTierIndex again = open()) {
      assertThat(again.openState()).isEqualTo(OpenState.CLEAN);
    }
  }

  @Test
  void anIndexClosedIncompleteIsRebuiltAtTheNextOpen() throws IOException {
    Path file = dir.resolve("tier.idx");
    PersistentTierIndex index = open();
    assertThat(PersistentTierIndex.closedCleanly(file)).isFalse();
    index.put("/a", entry(1));
    index.closeIncomplete();
    index.close(); // does nothing more
    assertThat(PersistentTierIndex.closedCleanly(file)).isFalse();
    try (PersistentTierIndex again = open()) {
      assertThat(again.openState().needsFullScan()).isTrue();
      assertThat(again.size()).isZero();
    }
    assertThat(PersistentTierIndex.closedCleanly(file)).isTrue();
    try (PersistentTierIndex clean = open()) {
      assertThat(clean.openState()).isEqualTo(OpenState.CLEAN);
    }
  }
}
