package io.objmapper;

import static io.objmapper.TestStores.disk;
import static io.objmapper.TestStores.filesBelow;
import static io.objmapper.TestStores.memory;
import static io.objmapper.TestStores.version;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where objects may go: ephemeral objects, names, pinned objects, capacity, read-only tiers. */
class PlacementRulesTest {
  @TempDir Path dir;

  private Path diskRoot() {
    return dir.resolve("disk");
  }

  private static TierConfig small(String name, Path root, double perfFactor, long capacityBytes) {
    return TierConfig.builder().name(name).type("fs").root(TestStores.mkdirs(root))
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).perfFactor(perfFactor)
        .capacityBytes(capacityBytes).build();
  }

  private static TierConfig readOnly(String name, Path root, double perfFactor) {
    return TierConfig.builder().name(name).type("fs").root(TestStores.mkdirs(root))
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE).perfFactor(perfFactor).build();
  }

  /** Object files below {@code root}, the tier's own files (indexes, temporaries) left out. */
  private static java.util.List<String> objectFiles(Path root) throws Exception {
    return filesBelow(root).filter(f -> !f.contains(".objmapper")).toList();
  }

  // ---- ephemeral objects ----------------------------------------------------------------

  @Test
  void ephemeralPutWithOnlyPersistentTiersFailsAndWritesNothing() throws Exception {
    try (ObjMapper store = ObjMapper.builder().tier(disk("disk", diskRoot(), 3.0)).build()) {
      assertThatThrownBy(() -> store.put("/secret", "token".getBytes(UTF_8), ObjectFlag.EPHEMERAL))
          .isInstanceOf(TierRuleException.class);
      assertThat(objectFiles(diskRoot())).isEmpty();
      assertThat(store.list("/")).isEmpty();
      assertThat(store.exists("/secret")).isFalse();
    }
  }

  @Test
  void ephemeralObjectNeverReachesAPersistentTiersDirectory() throws Exception {
    try (ObjMapper store = TestStores.memoryAndDisk(dir).build()) {
      store.put("/secret", "token".getBytes(UTF_8), ObjectFlag.EPHEMERAL);
      store.put("/secret", "token2".getBytes(UTF_8), ObjectFlag.EPHEMERAL, ObjectFlag.PINNED);
      assertThat(store.stat("/secret")).map(ObjectInfo::tier).hasValue("mem");
      assertThat(objectFiles(diskRoot())).isEmpty();
    }
  }

  @Test
  void ephemeralObjectIsNotListedAfterARestart() throws Exception {
    try (ObjMapper store = TestStores.memoryAndDisk(dir).build()) {
      store.put("/secret", "token".getBytes(UTF_8), ObjectFlag.EPHEMERAL);
      store.put("/plain", "kept".getBytes(UTF_8));
    }
    try (ObjMapper store = TestStores.memoryAndDisk(dir).build()) {
      assertThat(store.list("/")).extracting(ObjectInfo::name).containsExactly("/plain");
      assertThat(store.exists("/secret")).isFalse();
    }
    assertThat(objectFiles(diskRoot())).containsExactly("plain");
  }

  @Test
  void objectLeftOnARootedVolatileTierStaysEphemeralAndCannotMoveToAPersistentOne() throws Exception {
    Path memRoot = TestStores.mkdirs(dir.resolve("mem"));
    Files.write(memRoot.resolve("left"), version(7, 3));
    TierConfig rootedMemory = TierConfig.builder().name("mem").type("memory").root(memRoot)
        .flags(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE).build();
    try (ObjMapper store = ObjMapper.builder().tier(rootedMemory).tier(disk("disk", diskRoot(), 3.0)).build()) {
      assertThat(store.stat("/left")).map(ObjectInfo::ephemeral).hasValue(true);
      assertThatThrownBy(() -> store.move("/left", "disk")).isInstanceOf(TierRuleException.class);
      assertThat(objectFiles(diskRoot())).isEmpty();
    }
  }

  // ---- names ----------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"/../x", "/a/../../x", "/a/..", "/./x", "//x", "/a//b", "/a/", "/",
      "x", "", "/a\u0000b", "/a\\b", "/..\\x", "/.objmapper_index", "/a/.objmapper-tmp-1",
      "/.objmapperx"})
  void nameThatCouldEscapeTheRootOrIsReservedIsRejectedAndNothingIsCreated(String name) throws Exception {
    Path outside = dir.getParent().resolve("x"); // where "/../x" would land; another process may own one
    Object outsideBefore = Files.exists(outside, java.nio.file.LinkOption.NOFOLLOW_LINKS)
        ? Files.readAttributes(outside, java.nio.file.attribute.BasicFileAttributes.class,
            java.nio.file.LinkOption.NOFOLLOW_LINKS).lastModifiedTime() : null;
    try (ObjMapper store = TestStores.memoryAndDisk(dir).build()) {
      byte[] data = "x".getBytes(UTF_8);
      assertThatThrownBy(() -> store.put(name, data)).isInstanceOf(InvalidObjectNameException.class);
      assertThatThrownBy(() -> store.put(name, data, ObjectFlag.EPHEMERAL))
          .isInstanceOf(InvalidObjectNameException.class);
      assertThatThrownBy(() -> store.put(name, new ByteArrayInputStream(data)))
          .isInstanceOf(InvalidObjectNameException.class);
      assertThatThrownBy(() -> store.open(name)).isInstanceOf(InvalidObjectNameException.class);
      assertThatThrownBy(() -> store.stat(name)).isInstanceOf(InvalidObjectNameException.class);
      assertThatThrownBy(() -> store.delete(name)).isInstanceOf(InvalidObjectNameException.class);
      assertThatThrownBy(() -> store.move(name, "disk")).isInstanceOf(InvalidObjectNameException.class);
      assertThat(store.list("/")).isEmpty();
    }
    assertThat(filesBelow(dir).filter(f -> !f.startsWith("disk" + java.io.File.separator + ".objmapper_"))
        .toList()).isEmpty();
    Object outsideAfter = Files.exists(outside, java.nio.file.LinkOption.NOFOLLOW_LINKS)
        ? Files.readAttributes(outside, java.nio.file.attribute.BasicFileAttributes.class,
            java.nio.file.LinkOption.NOFOLLOW_LINKS).lastModifiedTime() : null;
    assertThat(outsideAfter).as("nothing made or changed outside the root").isEqualTo(outsideBefore);
  }

  // ---- pinned objects -------------------------------------------------------------------

  @Test
  void pinnedFlagIsStoredAndReportedByStatAndList() throws Exception {
    try (ObjMapper store = TestStores.memoryAndDisk(dir).build()) {
      ObjectInfo put = store.put("/p", "pinned".getBytes(UTF_8), ObjectFlag.PINNED);
      assertThat(put.pinned()).isTrue();
      assertThat(put.ephemeral()).isFalse();
      assertThat(store.stat("/p")).map(ObjectInfo::pinned).hasValue(true);
      assertThat(store.list("/")).singleElement().extracting(ObjectInfo::pinned).isEqualTo(true);
    }
  }

  @Test
  void objectPutWithoutFlagsIsNeitherPinnedNorEphemeral() throws Exception {
    try (ObjMapper store = TestStores.memoryAndDisk(dir).build()) {
      store.put("/p", "plain".getBytes(UTF_8));
      assertThat(store.stat("/p")).map(ObjectInfo::flags).hasValue(java.util.Set.of());
    }
  }

  // ---- capacity -------------------------------------------------------------------------

  @Test
  void putToAFullTierSpillsToTheNextTierThatMayHoldIt() throws Exception {
    try (ObjMapper store = ObjMapper.builder().tier(small("fast", dir.resolve("fast"), 1.0, 100))
        .tier(disk("slow", dir.resolve("slow"), 3.0)).build()) {
      assertThat(store.put("/a", version(1, 80)).tier()).isEqualTo("fast");
      assertThat(store.put("/b", version(2, 80)).tier()).isEqualTo("slow");
      assertThat(objectFiles(dir.resolve("fast"))).containsExactly("a");
      assertThat(objectFiles(dir.resolve("slow"))).containsExactly("b");
    }
  }

  @Test
  void putThatFitsNoTierFailsWithCapacityExceptionAndLeavesNothingBehind() throws Exception {
    try (ObjMapper store = ObjMapper.builder().tier(small("only", dir.resolve("only"), 1.0, 100)).build()) {
      store.put("/a", version(1, 80));
      assertThatThrownBy(() -> store.put("/b", version(2, 80))).isInstanceOf(CapacityException.class);
      assertThat(objectFiles(dir.resolve("only"))).containsExactly("a");
      assertThat(store.exists("/b")).isFalse();
      assertThat(store.stats().tiers().get(0).bytes()).isEqualTo(80);
    }
  }

  @Test
  void overwriteOfAnObjectOnAFullTierStaysOnThatTier() throws Exception {
    try (ObjMapper store = ObjMapper.builder().tier(small("fast", dir.resolve("fast"), 1.0, 100))
        .tier(disk("slow", dir.resolve("slow"), 3.0)).build()) {
      store.put("/a", version(1, 80));
      assertThat(store.put("/a", version(2, 90)).tier()).isEqualTo("fast");
      assertThat(objectFiles(dir.resolve("slow"))).isEmpty();
    }
  }

  @Test
  void streamPutSkipsAFullTier() throws Exception {
    try (ObjMapper store = ObjMapper.builder().tier(small("fast", dir.resolve("fast"), 1.0, 100))
        .tier(disk("slow", dir.resolve("slow"), 3.0)).build()) {
      store.put("/a", version(1, 100));
      assertThat(store.put("/b", new ByteArrayInputStream(version(2, 10))).tier()).isEqualTo("slow");
    }
  }

  @Test
  void streamPutLargerThanTheRoomLeftFailsWithCapacityExceptionAndLeavesNothingBehind() throws Exception {
    try (ObjMapper store = ObjMapper.builder().tier(small("only", dir.resolve("only"), 1.0, 100)).build()) {
      store.put("/a", version(1, 60));
      assertThatThrownBy(() -> store.put("/b", new ByteArrayInputStream(version(2, 50))))
          .isInstanceOf(CapacityException.class);
      assertThat(filesBelow(dir.resolve("only")).toList()).containsExactly("a");
      assertThat(store.exists("/b")).isFalse();
    }
  }

  @Test
  void streamPutThatFitsTheRoomLeftIsStored() throws Exception {
    try (ObjMapper store = ObjMapper.builder().tier(small("only", dir.resolve("only"), 1.0, 100)).build()) {
      store.put("/a", version(1, 60));
      assertThat(store.put("/b", new ByteArrayInputStream(version(2, 40))).size()).isEqualTo(40);
    }
  }

  @Test
  void moveToATierWithoutRoomFailsWithCapacityExceptionAndKeepsTheObject() throws Exception {
    try (ObjMapper store = ObjMapper.builder().tier(TestStores.migratable(small("fast", dir.resolve("fast"), 1.0, 100)))
        .tier(TestStores.migratable(disk("slow", dir.resolve("slow"), 3.0))).lifecycle(TestStores.manualLifecycle())
        .build()) {
      store.put("/a", version(1, 80));
      assertThat(store.put("/b", version(2, 50)).tier()).isEqualTo("slow");
      assertThatThrownBy(() -> store.move("/b", "fast")).isInstanceOf(CapacityException.class);
      assertThat(store.stat("/b")).map(ObjectInfo::tier).hasValue("slow");
      assertThat(objectFiles(dir.resolve("fast"))).containsExactly("a");
      try (ObjectLease lease = store.open("/b")) {
        assertThat(lease.readAllBytes()).isEqualTo(version(2, 50));
      }
    }
  }

  // ---- read-only tiers ------------------------------------------------------------------

  @Test
  void readOnlyTierIsNeverWritten() throws Exception {
    Path roRoot = TestStores.mkdirs(dir.resolve("ro"));
    Files.write(roRoot.resolve("old"), version(1, 4));
    try (ObjMapper store = ObjMapper.builder().tier(readOnly("ro", roRoot, 1.0))
        .tier(disk("rw", dir.resolve("rw"), 3.0)).build()) {
      assertThat(store.put("/new", version(2, 4)).tier()).isEqualTo("rw");
      assertThat(store.put("/old", version(3, 4)).tier()).isEqualTo("rw");
      try (ObjectLease lease = store.open("/old")) {
        assertThat(lease.readAllBytes()).isEqualTo(version(3, 4));
      }
      store.delete("/new");
      // The read-only tier keeps its copy of /old, so deleting it cannot succeed.
      assertThatThrownBy(() -> store.delete("/old")).isInstanceOf(TierRuleException.class)
          .hasMessageContaining("not writable");
    }
    assertThat(filesBelow(roRoot).toList()).containsExactly("old");
    assertThat(Files.readAllBytes(roRoot.resolve("old"))).isEqualTo(version(1, 4));
  }

  @Test
  void moveToAReadOnlyTierIsRefused() throws Exception {
    Path roRoot = TestStores.mkdirs(dir.resolve("ro"));
    try (ObjMapper store = ObjMapper.builder().tier(readOnly("ro", roRoot, 1.0))
        .tier(disk("rw", dir.resolve("rw"), 3.0)).build()) {
      store.put("/x", version(1, 4));
      assertThatThrownBy(() -> store.move("/x", "ro")).isInstanceOf(TierRuleException.class);
    }
    assertThat(filesBelow(roRoot).toList()).isEmpty();
  }

  @Test
  void storeOpensWhenAReadOnlyVolatileTierHoldsACopyOfAPersistentObject() throws Exception {
    Path memRoot = TestStores.mkdirs(dir.resolve("mem"));
    Files.write(memRoot.resolve("dup"), version(1, 4));
    Files.write(TestStores.mkdirs(diskRoot()).resolve("dup"), version(2, 4));
    TierConfig readOnlyMemory = TierConfig.builder().name("mem").type("memory").root(memRoot)
        .flags(TierFlag.EPHEMERAL, TierFlag.READABLE).build();
    try (ObjMapper store = ObjMapper.builder().tier(readOnlyMemory).tier(disk("disk", diskRoot(), 3.0)).build()) {
      try (ObjectLease lease = store.open("/dup")) {
        assertThat(lease.readAllBytes()).isEqualTo(version(2, 4));
      }
    }
    assertThat(Files.readAllBytes(memRoot.resolve("dup"))).isEqualTo(version(1, 4));
  }

  @Test
  void ephemeralPutSkipsAReadOnlyVolatileTier() throws Exception {
    TierConfig readOnlyMemory = TierConfig.builder().name("ro-mem").type("memory")
        .option("base_dir", dir.toString()).flags(TierFlag.EPHEMERAL, TierFlag.READABLE).build();
    try (ObjMapper store = ObjMapper.builder().tier(readOnlyMemory).tier(memory(dir))
        .tier(disk("disk", diskRoot(), 3.0)).build()) {
      assertThat(store.put("/s", version(1, 4), ObjectFlag.EPHEMERAL).tier()).isEqualTo("mem");
    }
  }
}
