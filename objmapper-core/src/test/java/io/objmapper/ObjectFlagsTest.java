package io.objmapper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Object flags are a Set<ObjectFlag> in the API; the index keeps them as fixed bits. */
class ObjectFlagsTest {
  @TempDir Path dir;

  @Test
  void infoCarriesTheFlagsTheObjectWasPutWith() throws Exception {
    try (ObjMapper store = TestStores.memoryAndDisk(dir).build()) {
      ObjectInfo both = store.put("/both", "x".getBytes(UTF_8), ObjectFlag.EPHEMERAL, ObjectFlag.PINNED);
      assertThat(both.flags()).containsExactlyInAnyOrder(ObjectFlag.EPHEMERAL, ObjectFlag.PINNED);
      assertThat(store.stat("/both")).map(ObjectInfo::flags).hasValue(Set.of(ObjectFlag.EPHEMERAL, ObjectFlag.PINNED));
      assertThat(store.put("/pinned", "y".getBytes(UTF_8), ObjectFlag.PINNED).flags()).containsExactly(ObjectFlag.PINNED);
      assertThat(store.list("/")).extracting(ObjectInfo::flags)
          .containsExactly(Set.of(ObjectFlag.EPHEMERAL, ObjectFlag.PINNED), Set.of(ObjectFlag.PINNED));
      assertThatThrownBy(() -> both.flags().add(ObjectFlag.PINNED)).isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Test
  void aStatRightAfterOpenTellsTheFlagsTheIndexHoldsNotJustTheFile() throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("disk"));
    io.objmapper.spi.TierConfig disk = io.objmapper.spi.TierConfig.builder().name("disk").type("fs")
        .root(dir.resolve("disk")).persistIndex(true)
        .flags(io.objmapper.spi.TierFlag.PERSISTENT, io.objmapper.spi.TierFlag.READABLE,
            io.objmapper.spi.TierFlag.WRITABLE).build();
    try (ObjMapper store = ObjMapper.builder().tier(disk).build()) {
      store.put("/pinned", "y".getBytes(UTF_8), ObjectFlag.PINNED);
    }
    for (int i = 0; i < 5; i++) { // the index opens in the background: a stat at once must wait for it
      try (ObjMapper store = ObjMapper.builder().tier(disk).build()) {
        assertThat(store.stat("/pinned")).map(ObjectInfo::flags).hasValue(Set.of(ObjectFlag.PINNED));
      }
    }
  }

  @Test
  void anInfoBuiltInCodeCopiesItsFlagsAndRefusesNone() {
    java.util.EnumSet<ObjectFlag> mine = java.util.EnumSet.of(ObjectFlag.PINNED);
    ObjectInfo info = new ObjectInfo("/a", 1, 0, "disk", 1, mine);
    mine.add(ObjectFlag.EPHEMERAL);
    assertThat(info.flags()).containsExactly(ObjectFlag.PINNED);
    assertThat(info.pinned()).isTrue();
    assertThat(info.ephemeral()).isFalse();
    assertThatThrownBy(() -> new ObjectInfo("/a", 1, 0, "disk", 1, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void theIndexBitsStayWhatIsOnDisk() {
    assertThat(ObjectFlag.EPHEMERAL.bit()).isEqualTo(0x01);
    assertThat(ObjectFlag.PINNED.bit()).isEqualTo(0x02);
    assertThat(ObjectFlag.of(0x03)).containsExactlyInAnyOrder(ObjectFlag.EPHEMERAL, ObjectFlag.PINNED);
    assertThat(ObjectFlag.of(0x80)).isEmpty(); // a bit this version does not know is ignored
  }
}
