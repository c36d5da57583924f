package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProviders;
import io.objmapper.testing.CountingTier;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A store opening on files it has no index of (a first open, a crash, a damaged index) walks
 * each tier's files once: the walk that fills the index also counts the tier. The counting
 * tier's layout counts the files its scans visit, so one walk of {@value #FILES} files is
 * {@value #FILES} visits.
 */
class OpenWalkTest {
  private static final int FILES = 2_500;

  @TempDir Path dir;
  private final LongAdder visits = new LongAdder();
  private long bytes;

  @BeforeEach
  void filesWrittenBehindTheStore() throws IOException {
    for (int i = 0; i < FILES; i++) {
      Path f = root().resolve("d" + (i % 7)).resolve("e" + (i % 3)).resolve("object-" + i);
      Files.createDirectories(f.getParent());
      Files.write(f, new byte[i % 50]);
      bytes += i % 50;
    }
  }

  private Path root() {
    return dir.resolve("disk");
  }

  private ObjMapper.Builder store(boolean persistIndex) {
    return ObjMapper.builder()
        .providers(TierProviders.of(CountingTier.provider(visits)))
        .tier(TierConfig.builder().name("disk").type(CountingTier.TYPE).root(root())
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).persistIndex(persistIndex).build())
        .expectedObjects(1_000) // a rebuild spills the files past the map's room, then grows it once
        .backgroundRounds(false);
  }

  /** The tier's objects as the store lists them, and its counts, after the walks being counted. */
  private void assertEveryObjectIsKnown(ObjMapper store) {
    ObjMapperStats.TierStats disk = store.stats().tiers().get(0);
    assertThat(disk.objects()).isEqualTo(FILES);
    assertThat(disk.bytes()).isEqualTo(bytes);
    assertThat(store.list("/")).hasSize(FILES);
    assertThat(store.stat("/d3/e1/object-10").orElseThrow().size()).isEqualTo(10);
  }

  @ParameterizedTest(name = "persist_index {0}")
  @ValueSource(booleans = {true, false})
  void aFirstOpenWalksTheFilesOnce(boolean persistIndex) throws Exception {
    try (ObjMapper store = store(persistIndex).build()) {
      assertThat(visits.sum()).as("files visited by build()").isEqualTo(FILES);
      assertEveryObjectIsKnown(store);
      assertThat(visits.sum()).as("files visited until the store closes").isEqualTo(FILES);
    }
  }

  @Test
  void aReopenAfterACleanCloseWalksNothingWithAPersistentIndex() throws Exception {
    store(true).build().close();
    visits.reset();
    try (ObjMapper store = store(true).build()) {
      assertEveryObjectIsKnown(store);
    }
    assertThat(visits.sum()).isZero();
  }

  @ParameterizedTest(name = "persist_index {0}")
  @ValueSource(booleans = {true, false})
  void anOpenAfterACrashWalksTheFilesOnce(boolean persistIndex) throws Exception {
    store(persistIndex).build().close();
    // What a kill leaves: the open deleted the saved counts and the index's clean marker, and
    // no close wrote them again.
    deleteFilesStartingWith(root(), ".objmapper_counts");
    deleteFilesStartingWith(root(), ".objmapper_index.clean");
    visits.reset();
    try (ObjMapper store = store(persistIndex).build()) {
      assertThat(visits.sum()).as("files visited by build()").isEqualTo(FILES);
      assertEveryObjectIsKnown(store);
    }
    assertThat(visits.sum()).isEqualTo(FILES);
  }

  @Test
  void aReadOnlyTierWithACleanIndexIsWalkedOnceAtEachOpenToCountIt() throws Exception {
    ObjMapper.Builder readOnly = ObjMapper.builder()
        .providers(TierProviders.of(CountingTier.provider(visits)))
        .tier(TierConfig.builder().name("disk").type(CountingTier.TYPE).root(root())
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE).persistIndex(true).build())
        .backgroundRounds(false);
    readOnly.build().close(); // the index is rebuilt and closed cleanly; a read-only tier saves no counts
    assertThat(visits.sum()).isEqualTo(FILES);
    visits.reset();
    try (ObjMapper store = readOnly.build()) {
      assertThat(visits.sum()).as("files visited by build(): the count").isEqualTo(FILES);
      assertEveryObjectIsKnown(store); // from the index, opened in the background meanwhile
    }
    assertThat(visits.sum()).isEqualTo(FILES);
  }

  @Test
  void aDamagedIndexIsRebuiltWithOneWalkAndAListingWaitsForItInsteadOfWalkingAgain() throws Exception {
    store(true).build().close();
    Path map = only(root(), ".objmapper_index.map.");
    try (RandomAccessFile f = new RandomAccessFile(map.toFile(), "rw")) {
      f.seek(f.length() / 2);
      f.write(new byte[4096]); // the clean marker's checksum no longer matches: moved aside unread
    }
    visits.reset();
    try (ObjMapper store = store(true).build()) {
      assertEveryObjectIsKnown(store); // the listing waits for the rebuild in the background
    }
    assertThat(visits.sum()).as("files visited: the rebuild's walk only").isEqualTo(FILES);
    assertThat(only(root(), ".objmapper_index.damaged-")).exists();
  }

  @Test
  void aStoreClosedBeforeItsIndexRebuildEndedRebuildsItAtTheNextOpen() throws Exception {
    store(true).build().close();
    Path map = only(root(), ".objmapper_index.map.");
    try (RandomAccessFile f = new RandomAccessFile(map.toFile(), "rw")) {
      f.seek(f.length() / 2);
      f.write(new byte[4096]);
    }
    store(true).build().close(); // the rebuild in the background may or may not have ended
    try (ObjMapper store = store(true).build()) {
      assertEveryObjectIsKnown(store);
    }
  }

  @Test
  void openProgressIsToldEveryThousandFilesWithGrowingTotalsEndingAtTheTiersCounts() throws Exception {
    List<Object[]> calls = new ArrayList<>();
    OpenProgress record = (tier, files, b, done) -> calls.add(new Object[] {tier, files, b, done});
    try (ObjMapper store = store(true).openProgress(record).build()) {
      assertThat(calls).extracting(c -> c[0]).containsOnly("disk");
      assertThat(calls).extracting(c -> c[1]).containsExactly(1_000L, 2_000L, 2_500L, 2_500L);
      assertThat(calls).extracting(c -> c[3]).containsExactly(false, false, false, true);
      long last = 0;
      for (Object[] c : calls) {
        assertThat((long) c[2]).isGreaterThanOrEqualTo(last);
        last = (long) c[2];
      }
      ObjMapperStats.TierStats disk = store.stats().tiers().get(0);
      assertThat(calls.get(calls.size() - 1)).containsExactly("disk", disk.objects(), disk.bytes(), true);
      assertThat(disk.bytes()).isEqualTo(bytes);
    }
    calls.clear();
    store(true).openProgress(record).build().close();
    assertThat(calls).as("a clean reopen walks nothing, so tells nothing").isEmpty();
  }

  @Test
  void openProgressCoversEveryTierWalkedOneAfterTheOther() throws Exception {
    Map<String, Long> done = new LinkedHashMap<>();
    List<String> order = new ArrayList<>();
    Path other = Files.createDirectories(dir.resolve("other"));
    Files.write(other.resolve("x"), new byte[3]);
    ObjMapper.Builder b = store(false).tier(TierConfig.builder().name("other").type(CountingTier.TYPE).root(other)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE).build())
        .openProgress((tier, files, bytesSoFar, last) -> {
          if (order.isEmpty() || !order.get(order.size() - 1).equals(tier)) {
            order.add(tier);
          }
          if (last) {
            done.put(tier, files);
          }
        });
    b.build().close();
    assertThat(order).containsExactly("disk", "other");
    assertThat(done).containsExactly(Map.entry("disk", (long) FILES), Map.entry("other", 1L));
  }

  @Test
  void aListenerThatThrowsFailsBuildWhichClosesWhatItOpened() throws Exception {
    IllegalStateException stop = new IllegalStateException("stop");
    assertThatThrownBy(() -> store(true).openProgress((tier, files, b, done) -> {
      throw stop;
    }).build()).isSameAs(stop);
    try (ObjMapper store = store(true).build()) { // the index's lock was released
      assertEveryObjectIsKnown(store);
    }
  }

  private static Path only(Path dir, String prefix) throws IOException {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
      s.forEach(found::add);
    }
    assertThat(found).as("files %s* in %s", prefix, dir).hasSize(1);
    return found.get(0);
  }

  private static void deleteFilesStartingWith(Path dir, String prefix) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
      for (Path p : s) {
        Files.delete(p);
      }
    }
  }
}
