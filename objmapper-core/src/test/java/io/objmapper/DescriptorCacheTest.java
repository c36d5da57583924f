package io.objmapper;

import static io.objmapper.TestStores.descriptorsOn;
import static io.objmapper.TestStores.descriptorsOnPath;
import static io.objmapper.TestStores.replaceBehindTheStore;
import static io.objmapper.TestStores.version;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.TestStores.FakeClock;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's descriptor cache seen through the API: leases outlive eviction, descriptors close
 * with their last lease, changes behind the store's back are noticed after the revalidation
 * interval (a fake clock), changes through the API at once, and the hit rate is reported.
 */
class DescriptorCacheTest {
  private static final long REVALIDATE_MILLIS = 1_000;

  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();
  private ObjMapper store;

  private ObjMapper open(long maxOpenFds) throws Exception {
    store = TestStores.memoryAndDisk(dir).maxOpenFds(maxOpenFds).revalidateMillis(REVALIDATE_MILLIS)
        .nanoClock(clock).build();
    return store;
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private Path file(String name) {
    return dir.resolve("disk").resolve(name.substring(1));
  }

  private static String text(ObjMapper store, String name) {
    try (ObjectLease lease = store.open(name)) {
      return new String(lease.readAllBytes(), UTF_8);
    }
  }

  @Test
  void leasesKeepReadingAfterTheirDescriptorsAreEvicted() throws Exception {
    open(2);
    List<ObjectLease> leases = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      store.put("/o" + i, ("object " + i).getBytes(UTF_8));
      leases.add(store.open("/o" + i));
    }
    assertThat(store.stats().openDescriptors()).isLessThanOrEqualTo(2);
    assertThat(store.stats().evictions()).isGreaterThanOrEqualTo(18);
    for (int i = 0; i < 20; i++) {
      assertThat(new String(leases.get(i).readAllBytes(), UTF_8)).isEqualTo("object " + i);
    }
    leases.forEach(ObjectLease::close);
  }

  @Test
  void evictedDescriptorsCloseWhenTheirLeasesClose() throws Exception {
    open(2);
    List<ObjectLease> leases = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      store.put("/o" + i, ("object " + i).getBytes(UTF_8));
      leases.add(store.open("/o" + i));
    }
    leases.forEach(ObjectLease::close);
    long stillOpen = 0;
    for (int i = 0; i < 20; i++) {
      stillOpen += descriptorsOn(file("/o" + i));
    }
    assertThat(stillOpen).isEqualTo(store.stats().openDescriptors()).isLessThanOrEqualTo(2);
  }

  @Test
  void leasesOfOneVersionShareOneDescriptorThatClosesWithTheLastLease() throws Exception {
    open(16);
    store.put("/shared", "v1".getBytes(UTF_8));
    String path = file("/shared").toRealPath().toString();
    ObjectLease first = store.open("/shared");
    ObjectLease second = store.open("/shared");
    assertThat(descriptorsOnPath(path)).isEqualTo(1);
    assertThat(store.delete("/shared")).isTrue();
    first.close();
    assertThat(descriptorsOnPath(path)).isEqualTo(1);
    assertThat(new String(second.readAllBytes(), UTF_8)).isEqualTo("v1");
    second.close();
    assertThat(descriptorsOnPath(path)).isZero();
  }

  @Test
  void overwrittenVersionStaysOpenForItsLeaseAndClosesWithIt() throws Exception {
    open(16);
    store.put("/o", "old".getBytes(UTF_8));
    String path = file("/o").toRealPath().toString();
    try (ObjectLease old = store.open("/o")) {
      store.put("/o", "new".getBytes(UTF_8));
      assertThat(descriptorsOnPath(path)).isEqualTo(1);
      assertThat(new String(old.readAllBytes(), UTF_8)).isEqualTo("old");
    }
    assertThat(descriptorsOnPath(path)).isZero();
  }

  @Test
  void overwriteThroughTheApiIsSeenAtOnceWithoutTheClockMoving() throws Exception {
    open(16);
    store.put("/o", "one".getBytes(UTF_8));
    assertThat(text(store, "/o")).isEqualTo("one");
    store.put("/o", "two".getBytes(UTF_8));
    assertThat(text(store, "/o")).isEqualTo("two");
  }

  @Test
  void deleteThroughTheApiIsSeenAtOnceWithoutTheClockMoving() throws Exception {
    open(16);
    store.put("/o", "one".getBytes(UTF_8));
    assertThat(text(store, "/o")).isEqualTo("one");
    store.delete("/o");
    assertThatThrownBy(() -> store.open("/o")).isInstanceOf(ObjectNotFoundException.class);
  }

  @Test
  void moveThroughTheApiIsSeenAtOnceWithoutTheClockMoving() throws Exception {
    open(16);
    store.put("/o", "moving".getBytes(UTF_8));
    assertThat(text(store, "/o")).isEqualTo("moving");
    store.move("/o", "mem");
    try (ObjectLease lease = store.open("/o")) {
      assertThat(lease.tier()).isEqualTo("mem");
      assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("moving");
    }
    assertThat(file("/o")).as("the persistent copy stays under the cached one").exists();
  }

  @Test
  void fileReplacedBehindTheStoresBackIsServedFromTheCacheWithinTheInterval() throws Exception {
    open(16);
    store.put("/o", "old".getBytes(UTF_8));
    assertThat(text(store, "/o")).isEqualTo("old");
    replaceBehindTheStore(file("/o"), "newer".getBytes(UTF_8));
    clock.advanceMillis(REVALIDATE_MILLIS - 1);
    assertThat(text(store, "/o")).isEqualTo("old");
    assertThat(store.stats().staleDescriptors()).isZero();
  }

  @Test
  void fileReplacedBehindTheStoresBackIsNoticedAfterTheInterval() throws Exception {
    open(16);
    store.put("/o", "old".getBytes(UTF_8));
    assertThat(text(store, "/o")).isEqualTo("old");
    replaceBehindTheStore(file("/o"), "newer".getBytes(UTF_8));
    clock.advanceMillis(REVALIDATE_MILLIS);
    try (ObjectLease lease = store.open("/o")) {
      assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("newer");
      assertThat(lease.size()).isEqualTo(5);
    }
    assertThat(store.stats().staleDescriptors()).isEqualTo(1);
  }

  @Test
  void fileDeletedBehindTheStoresBackIsNotFoundAfterTheInterval() throws Exception {
    open(16);
    store.put("/o", "doomed".getBytes(UTF_8));
    assertThat(text(store, "/o")).isEqualTo("doomed");
    Files.delete(file("/o"));
    clock.advanceMillis(REVALIDATE_MILLIS);
    assertThatThrownBy(() -> store.open("/o")).isInstanceOf(ObjectNotFoundException.class);
    assertThat(store.exists("/o")).isFalse();
    assertThat(store.list("/")).extracting(ObjectInfo::name).doesNotContain("/o");
    assertThat(store.stats().staleDescriptors()).isEqualTo(1);
  }

  @Test
  void statAndListReportTheSizeOfAFileReplacedBehindTheStoresBack() throws Exception {
    open(16);
    store.put("/o", "old".getBytes(UTF_8));
    assertThat(store.stat("/o")).map(ObjectInfo::size).hasValue(3L);
    replaceBehindTheStore(file("/o"), "much newer".getBytes(UTF_8));
    assertThat(store.stat("/o")).map(ObjectInfo::size).hasValue(10L);
    assertThat(store.list("/")).extracting(ObjectInfo::size).containsExactly(10L);
  }

  @Test
  void repeatedOpensAreReportedAsHitsInStats() throws Exception {
    open(16);
    store.put("/hot", version(1, 10));
    for (int i = 0; i < 10; i++) {
      store.open("/hot").close();
    }
    ObjMapperStats s = store.stats();
    assertThat(s.fdCacheMisses()).isEqualTo(1);
    assertThat(s.fdCacheHits()).isEqualTo(9);
    assertThat(s.opens()).isEqualTo(1);
    assertThat(s.fdCacheHitRate()).isEqualTo(0.9);
    assertThat(s.openDescriptors()).isEqualTo(1);
  }

  @Test
  void missingObjectIsCountedAsNotFoundAndNotAsADescriptorMiss() throws Exception {
    open(16);
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> store.open("/missing")).isInstanceOf(ObjectNotFoundException.class);
    }
    ObjMapperStats s = store.stats();
    assertThat(s.notFound()).isEqualTo(5);
    assertThat(s.lookups()).isEqualTo(5);
    assertThat(s.fdCacheMisses()).isZero();
    assertThat(s.opens()).isZero();
  }

  @Test
  void skewedWorkloadWhoseHotSetFitsHitsTheCacheAtLeastNinetyPercentOfTheTime() throws Exception {
    // The target in its proportions (5K hot of 100K objects, 10K descriptors): the hot
    // set is 5% of the objects and gets 95% of the opens, the cache holds 10% of the objects.
    int objects = 1_000;
    int hot = 50;
    int opens = 10_000;
    Path root = TestStores.mkdirs(dir.resolve("disk"));
    for (int i = 0; i < objects; i++) {
      Files.write(root.resolve("o" + i), version(i & 0x7f, 8)); // placed before start: indexed by the scan
    }
    open(100);
    Random random = new Random(42);
    ByteBuffer first = ByteBuffer.allocate(1);
    for (int n = 0; n < opens; n++) {
      int id = random.nextInt(100) < 95 ? random.nextInt(hot) : hot + random.nextInt(objects - hot);
      try (ObjectLease lease = store.open("/o" + id)) {
        lease.read(first.clear(), 0);
        if (first.get(0) != (byte) (id & 0x7f)) {
          throw new AssertionError("wrong content for /o" + id);
        }
      }
    }
    ObjMapperStats s = store.stats();
    assertThat(s.fdCacheHits() + s.fdCacheMisses()).isEqualTo(opens);
    assertThat(s.fdCacheHitRate()).isGreaterThanOrEqualTo(0.90);
    assertThat(s.openDescriptors()).isLessThanOrEqualTo(100);
  }
}
