package io.objmapper.internal.index;

import static io.objmapper.internal.index.TierIndexFixtures.entry;
import static io.objmapper.internal.index.TierIndexFixtures.name;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchRuntimeException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import net.openhft.chronicle.map.ChronicleMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The single-entry writes that keep a growing index's new map in step with the current one. */
class TierIndexMirrorTest {
  @TempDir
  Path dir;

  private ChronicleMap<String, IndexEntry> source;
  private ChronicleMap<String, IndexEntry> target;
  private ChronicleMaps.Mirror mirror;

  @BeforeEach
  void createMaps() throws IOException {
    source = ChronicleMaps.builder(1_000, 40).createPersistedTo(dir.resolve("source.map").toFile());
    target = ChronicleMaps.builder(2_000, 40).createPersistedTo(dir.resolve("target.map").toFile());
    mirror = new ChronicleMaps.Mirror(target);
  }

  @AfterEach
  void closeMaps() {
    source.close();
    target.close();
  }

  private static Map<String, IndexEntry> contents(ChronicleMap<String, IndexEntry> map) {
    Map<String, IndexEntry> all = new HashMap<>();
    map.forEachEntry(e -> all.put(e.key().get(), e.value().getUsing(new IndexEntry())));
    return all;
  }

  @Test
  void everyKindOfWriteLeavesTheMirrorInTheSameStateAsTheSource() {
    for (int i = 0; i < 300; i++) {
      ChronicleMaps.put(source, name(i), entry(i), null); // before the growth: copied, not mirrored
    }
    for (int s = 0; s < source.segments() / 2; s++) {
      ChronicleMaps.copySegment(source, s, target, Long.MAX_VALUE);
    }
    IndexEntry scratch = new IndexEntry();
    for (int i = 0; i < 300; i += 3) {
      ChronicleMaps.put(source, name(i), entry(i + 1_000), mirror);
      ChronicleMaps.remove(source, name(i + 1), mirror);
      ChronicleMaps.merge(source, name(i + 2), new IndexEntry(7, 7, 7, 0), scratch, mirror);
    }
    for (int i = 300; i < 400; i++) {
      ChronicleMaps.merge(source, name(i), entry(i), scratch, mirror);
    }
    ChronicleMaps.removeIfGone(source, name(300), entry(300), scratch, () -> false, mirror);
    for (int s = source.segments() / 2; s < source.segments(); s++) {
      ChronicleMaps.copySegment(source, s, target, Long.MAX_VALUE);
    }

    assertThat(mirror.failure()).isNull();
    assertThat(mirror.writes.sum()).isPositive();
    assertThat(contents(target)).isEqualTo(contents(source)).hasSize(300 - 100 + 99);
  }

  @Test
  void aWalkOrCopyMeetingMoreEntriesThanItsBoundEndsAsADamagedMapInsteadOfGoingOn() {
    for (int i = 0; i < 300; i++) {
      ChronicleMaps.put(source, name(i), entry(i), null);
    }
    long inFirst = ChronicleMaps.copySegment(source, 0, target, Long.MAX_VALUE);
    assertThat(inFirst).isPositive();
    assertThatThrownBy(() -> ChronicleMaps.copySegment(source, 0, target, inFirst - 1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("links loop");

    assertThat(ChronicleMaps.walkBound(1_000)).isGreaterThan(4_000);
    assertThat(SegmentWalk.walk(source, 300, null, (n, e) -> true, () -> null, e -> e)).isEqualTo(300);
    // A bound below what the map holds stands for a map whose links loop.
    RuntimeException seen = catchRuntimeException(() -> SegmentWalk.walk(source, 299, null, (n, e) -> true, () -> null,
        e -> new IllegalArgumentException("damaged", e)));
    assertThat(seen).isInstanceOf(IllegalArgumentException.class).hasMessage("damaged")
        .cause().hasMessageContaining("links loop");
  }

  @Test
  void writesThatChangeNothingAreNotMirrored() {
    ChronicleMaps.put(source, "/a", entry(1), null);
    ChronicleMaps.copySegment(source, 0, target, Long.MAX_VALUE);

    assertThat(ChronicleMaps.remove(source, "/absent", mirror)).isEqualTo(ChronicleMaps.UNCHANGED);
    assertThat(ChronicleMaps.merge(source, "/a", entry(1), new IndexEntry(), mirror))
        .isEqualTo(ChronicleMaps.UNCHANGED);
    assertThat(mirror.writes.sum()).isZero();
  }
}
