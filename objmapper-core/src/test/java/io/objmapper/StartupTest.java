package io.objmapper;

import static io.objmapper.TestStores.version;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a store finds when it starts, and objects that reach a tier without going through it. */
class StartupTest {
  @TempDir Path dir;

  private ObjMapper open() throws Exception {
    return TestStores.memoryAndDisk(dir).build();
  }

  private Path diskRoot() {
    return dir.resolve("disk");
  }

  private static String text(ObjMapper store, String name) {
    try (ObjectLease lease = store.open(name)) {
      return new String(lease.readAllBytes(), UTF_8);
    }
  }

  @Test
  void objectsPutThroughOneStoreAreFoundByTheNextOnTheSameDirectories() throws Exception {
    try (ObjMapper store = open()) {
      store.put("/a", "alpha".getBytes(UTF_8));
      store.put("/n/e/s/t", "nested".getBytes(UTF_8));
    }
    try (ObjMapper store = open()) {
      assertThat(text(store, "/a")).isEqualTo("alpha");
      assertThat(text(store, "/n/e/s/t")).isEqualTo("nested");
      assertThat(store.stat("/a")).map(ObjectInfo::size).hasValue(5L);
      assertThat(store.list("/")).extracting(ObjectInfo::name).containsExactly("/a", "/n/e/s/t");
    }
  }

  @Test
  void overwriteAndDeleteOfOneStoreAreSeenByTheNext() throws Exception {
    try (ObjMapper store = open()) {
      store.put("/kept", "one".getBytes(UTF_8));
      store.put("/kept", "two".getBytes(UTF_8));
      store.put("/dropped", "x".getBytes(UTF_8));
      store.delete("/dropped");
    }
    try (ObjMapper store = open()) {
      assertThat(text(store, "/kept")).isEqualTo("two");
      assertThat(store.exists("/dropped")).isFalse();
      assertThat(store.list("/")).extracting(ObjectInfo::name).containsExactly("/kept");
    }
  }

  @Test
  void tierCountsAfterARestartMatchWhatIsOnDisk() throws Exception {
    try (ObjMapper store = open()) {
      store.put("/a", version(1, 10));
      store.put("/b", version(2, 20));
    }
    try (ObjMapper store = open()) {
      ObjMapperStats.TierStats disk = store.stats().tiers().get(1);
      assertThat(disk.name()).isEqualTo("disk");
      assertThat(disk.objects()).isEqualTo(2);
      assertThat(disk.bytes()).isEqualTo(30);
    }
  }

  @Test
  void fileInATierRootBeforeStartIsListedAtOnce() throws Exception {
    Files.write(TestStores.mkdirs(diskRoot().resolve("pre")).resolve("placed"), version(3, 3));
    try (ObjMapper store = open()) {
      assertThat(store.list("/pre/")).extracting(ObjectInfo::name).containsExactly("/pre/placed");
      assertThat(text(store, "/pre/placed")).hasSize(3);
    }
  }

  @Test
  void fileDroppedIntoATierRootBehindTheStoreIsFoundByOpenAndThenListed() throws Exception {
    try (ObjMapper store = open()) {
      store.put("/through-the-store", "x".getBytes(UTF_8));
      Files.write(TestStores.mkdirs(diskRoot().resolve("side")).resolve("door"), "behind".getBytes(UTF_8));
      assertThat(text(store, "/side/door")).isEqualTo("behind");
      assertThat(store.list("/")).extracting(ObjectInfo::name).containsExactly("/side/door", "/through-the-store");
      assertThat(store.stat("/side/door")).map(ObjectInfo::tier).hasValue("disk");
    }
  }

  @Test
  void fileDroppedIntoATierRootBehindTheStoreIsFoundByStat() throws Exception {
    try (ObjMapper store = open()) {
      Files.write(TestStores.mkdirs(diskRoot()).resolve("dropped"), "behind".getBytes(UTF_8));
      assertThat(store.exists("/dropped")).isTrue();
      assertThat(store.stat("/dropped")).map(ObjectInfo::size).hasValue(6L);
      assertThat(store.list("/")).extracting(ObjectInfo::name).containsExactly("/dropped");
    }
  }

  @Test
  void aSymbolicLinkInATierRootIsNeitherListedNorServed() throws Exception {
    // A link could lead anywhere (/etc/shadow): only the tier's own regular files are objects.
    Path target = Files.write(TestStores.mkdirs(dir.resolve("elsewhere")).resolve("target"), "linked".getBytes(UTF_8));
    Files.createSymbolicLink(TestStores.mkdirs(diskRoot()).resolve("link"), target);
    try (ObjMapper store = open()) {
      assertThat(store.list("/")).isEmpty();
      assertThatThrownBy(() -> store.open("/link")).isInstanceOf(ObjectNotFoundException.class);
      assertThat(store.stat("/link")).isEmpty();
    }
  }

  @Test
  void tiersOwnFilesInARootAreNeitherListedNorServed() throws Exception {
    Files.write(TestStores.mkdirs(diskRoot()).resolve(".objmapper-tmp-1234"), version(1, 4));
    try (ObjMapper store = open()) {
      assertThat(store.list("/")).isEmpty();
      assertThat(store.stats().tiers().get(1).objects()).isZero();
    }
  }

  @Test
  void ephemeralObjectsOfAnEarlierRunAreGone() throws Exception {
    try (ObjMapper store = open()) {
      store.put("/secret", "token".getBytes(UTF_8), ObjectFlag.EPHEMERAL);
    }
    try (ObjMapper store = open()) {
      assertThat(store.exists("/secret")).isFalse();
      assertThat(store.stats().tiers().get(0).objects()).isZero();
    }
  }

  @Test
  void closedStoreRefusesRequestsAndClosingAgainDoesNothing() throws Exception {
    ObjMapper store = open();
    store.put("/a", version(1, 1));
    store.close();
    store.close();
    assertThatThrownBy(() -> store.open("/a")).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> store.put("/b", version(1, 1))).isInstanceOf(StoreClosedException.class);
  }
}
