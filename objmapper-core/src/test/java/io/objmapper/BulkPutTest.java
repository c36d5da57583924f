package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BulkPut}: one sync per batch, nothing visible before the flush, failures one by one. */
class BulkPutTest {
  @TempDir Path dir;

  private ObjMapper diskOnly() throws IOException {
    return ObjMapper.builder().tier(TestStores.disk("disk", dir.resolve("disk"), 1.0)).build();
  }

  private Path source(String name, int size, int version) throws IOException {
    Path f = dir.resolve("src").resolve(name);
    Files.createDirectories(f.getParent());
    Files.write(f, TestStores.version(version, size));
    return f;
  }

  @Test
  void flushPublishesEverythingAddedAndCountsIt() throws IOException {
    try (ObjMapper store = diskOnly(); BulkPut bulk = store.bulkPut()) {
      store.put("/a/0", new byte[10]); // replaced by the batch
      for (int i = 0; i < 50; i++) {
        bulk.add("/a/" + i, source("f" + i, 64 + i, i));
      }
      bulk.add("/b/c/deep", source("deep", 3, 7));
      assertThat(bulk.pending()).isEqualTo(51);
      assertThat(store.exists("/a/1")).isFalse(); // staged, not visible
      assertThat(TestStores.filesBelow(dir.resolve("disk")).filter(f -> f.startsWith("a/")))
          .allMatch(f -> f.equals("a/0") || f.startsWith("a/.objmapper-tmp-"));

      List<String> failures = new ArrayList<>();
      List<ObjectInfo> stored = bulk.flush((name, e) -> failures.add(name));

      assertThat(failures).isEmpty();
      assertThat(stored).hasSize(51);
      assertThat(bulk.pending()).isZero();
      for (int i = 0; i < 50; i++) {
        try (ObjectLease lease = store.open("/a/" + i)) {
          assertThat(Files.readAllBytes(dir.resolve("disk/a/" + i))).isEqualTo(TestStores.version(i, 64 + i));
          assertThat(lease.size()).isEqualTo(64 + i);
        }
      }
      assertThat(store.stat("/b/c/deep")).get().extracting(ObjectInfo::size).isEqualTo(3L);
      assertThat(TestStores.filesBelow(dir.resolve("disk")).filter(f -> f.contains(".objmapper-tmp-"))).isEmpty();
      long expectedBytes = 3;
      for (int i = 0; i < 50; i++) {
        expectedBytes += 64 + i;
      }
      assertThat(store.stats().tiers().get(0).objects()).isEqualTo(51);
      assertThat(store.stats().tiers().get(0).bytes()).isEqualTo(expectedBytes);
    }
  }

  @Test
  void closeWithoutFlushLeavesNothing() throws IOException {
    try (ObjMapper store = diskOnly()) {
      try (BulkPut bulk = store.bulkPut()) {
        bulk.add("/x/1", source("1", 100, 1));
        bulk.add("/x/2", source("2", 100, 2));
      }
      assertThat(store.exists("/x/1")).isFalse();
      assertThat(store.list("/")).isEmpty();
      assertThat(TestStores.filesBelow(dir.resolve("disk")).filter(f -> f.startsWith("x/"))).isEmpty();
      store.put("/x/1", new byte[1]); // the room reserved was released
    }
  }

  @Test
  void aBadFileFailsAloneAndTheRestIsStored() throws IOException {
    try (ObjMapper store = diskOnly(); BulkPut bulk = store.bulkPut()) {
      bulk.add("/ok/1", source("1", 10, 1));
      assertThatThrownBy(() -> bulk.add("no-slash", source("2", 10, 2))).isInstanceOf(InvalidObjectNameException.class);
      assertThatThrownBy(() -> bulk.add("/ok/missing", dir.resolve("nope")))
          .isInstanceOf(StorageException.class).hasMessageContaining("no such file");
      assertThatThrownBy(() -> bulk.add("/ok/dir", dir.resolve("src")))
          .isInstanceOf(StorageException.class);
      bulk.add("/ok/3", source("3", 10, 3));
      Map<String, ObjMapperException> failures = new LinkedHashMap<>();
      assertThat(bulk.flush(failures::put)).extracting(ObjectInfo::name).containsExactly("/ok/1", "/ok/3");
      assertThat(failures).isEmpty();
      assertThat(store.list("/ok/")).extracting(ObjectInfo::name).containsExactlyInAnyOrder("/ok/1", "/ok/3");
    }
  }

  @Test
  void aFifoWhereAFileWasExpectedIsRefusedAtOnceNotWaitedOn() throws Exception {
    Path fifo = dir.resolve("fifo");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mk.waitFor()).isZero();
    // No process ever opens the other end: opening it for reading without O_NONBLOCK would
    // block the writer forever.
    try (ObjMapper store = diskOnly(); BulkPut bulk = store.bulkPut()) {
      assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
        bulk.add("/ok/1", source("1", 10, 1));
        assertThatThrownBy(() -> bulk.add("/ok/fifo", fifo))
            .isInstanceOf(StorageException.class).hasMessageContaining("not a regular file");
        assertThatThrownBy(() -> store.put("/ok/fifo", fifo))
            .isInstanceOf(StorageException.class).hasMessageContaining("not a regular file");
      });
      assertThat(bulk.flush((n, e) -> { })).extracting(ObjectInfo::name).containsExactly("/ok/1");
      assertThat(store.exists("/ok/fifo")).isFalse();
      assertThat(TestStores.filesBelow(dir.resolve("disk")).filter(f -> f.contains(".objmapper-tmp-"))).isEmpty();
    }
  }

  @Test
  void noRoomIsACapacityErrorForThatFileOnly() throws IOException {
    TierConfig small = TierConfig.builder().name("small").type("fs").root(TestStores.mkdirs(dir.resolve("small")))
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).perfFactor(1.0).capacityBytes(150).build();
    try (ObjMapper store = ObjMapper.builder().tier(small).build(); BulkPut bulk = store.bulkPut()) {
      bulk.add("/1", source("1", 100, 1));
      assertThatThrownBy(() -> bulk.add("/2", source("2", 100, 2))).isInstanceOf(CapacityException.class);
      assertThat(bulk.flush((n, e) -> { })).hasSize(1);
      assertThat(store.exists("/2")).isFalse();
    }
  }

  @Test
  void aSecondFlushStoresOnlyWhatCameAfterTheFirst() throws IOException {
    try (ObjMapper store = diskOnly(); BulkPut bulk = store.bulkPut()) {
      bulk.add("/1", source("1", 5, 1));
      assertThat(bulk.flush((n, e) -> { })).hasSize(1);
      assertThat(bulk.flush((n, e) -> { })).isEmpty();
      bulk.add("/1", source("1b", 6, 2));
      assertThat(bulk.flush((n, e) -> { })).extracting(ObjectInfo::size).containsExactly(6L);
      try (ObjectLease lease = store.open("/1")) {
        assertThat(lease.size()).isEqualTo(6);
      }
    }
  }
}
