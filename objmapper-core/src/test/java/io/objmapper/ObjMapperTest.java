package io.objmapper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjMapperTest {
  @TempDir Path dir;
  ObjMapper store;

  ObjMapper open() throws Exception {
    return ObjMapper.builder()
        .tier(TierConfig.builder().name("mem").type("memory").option("base_dir", dir.toString())
            .flags(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
                TierFlag.MIGRATION_DST).perfFactor(1.0).build())
        .tier(TierConfig.builder().name("disk").type("fs").root(Files.createDirectories(dir.resolve("disk")))
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
                TierFlag.MIGRATION_DST).perfFactor(3.0).build())
        .lifecycle(TestStores.manualLifecycle())
        .maxOpenFds(16)
        .build();
  }

  @BeforeEach
  void setUp() throws Exception {
    store = open();
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void putThenOpenReadsTheBytesBack() throws Exception {
    ObjectInfo info = store.put("/a/b.txt", "hello".getBytes(UTF_8));
    assertThat(info.tier()).isEqualTo("disk");
    try (ObjectLease lease = store.open("/a/b.txt")) {
      assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("hello");
      assertThat(lease.size()).isEqualTo(5);
      assertThat(lease.tier()).isEqualTo("disk");
    }
  }

  @Test
  void missingObjectIsNotFound() {
    assertThatThrownBy(() -> store.open("/nope")).isInstanceOf(ObjectNotFoundException.class);
    assertThat(store.stat("/nope")).isEmpty();
  }

  @Test
  void invalidNameIsRejectedBeforeAnythingIsTouched() {
    assertThatThrownBy(() -> store.put("/../x", new byte[1])).isInstanceOf(InvalidObjectNameException.class);
    assertThatThrownBy(() -> store.open("relative")).isInstanceOf(InvalidObjectNameException.class);
  }

  @Test
  void ephemeralObjectGoesToTheVolatileTier() {
    ObjectInfo info = store.put("/secret", "token".getBytes(UTF_8), ObjectFlag.EPHEMERAL);
    assertThat(info.tier()).isEqualTo("mem");
    assertThat(info.ephemeral()).isTrue();
  }

  @Test
  void ephemeralObjectMayNotMoveToAPersistentTier() {
    store.put("/secret", "token".getBytes(UTF_8), ObjectFlag.EPHEMERAL);
    assertThatThrownBy(() -> store.move("/secret", "disk")).isInstanceOf(TierRuleException.class);
  }

  @Test
  void overwriteIsSeenByNewOpensWhileOldLeasesKeepTheOldVersion() throws Exception {
    store.put("/o", "one".getBytes(UTF_8));
    try (ObjectLease old = store.open("/o")) {
      store.put("/o", "two!".getBytes(UTF_8));
      try (ObjectLease fresh = store.open("/o")) {
        assertThat(new String(fresh.readAllBytes(), UTF_8)).isEqualTo("two!");
      }
      assertThat(new String(old.readAllBytes(), UTF_8)).isEqualTo("one");
    }
  }

  @Test
  void deleteRemovesAndOpenLeaseKeepsReading() throws Exception {
    store.put("/d", "data".getBytes(UTF_8));
    try (ObjectLease lease = store.open("/d")) {
      assertThat(store.delete("/d")).isTrue();
      assertThat(store.exists("/d")).isFalse();
      assertThatThrownBy(() -> store.open("/d")).isInstanceOf(ObjectNotFoundException.class);
      assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("data");
    }
    assertThat(store.delete("/d")).isFalse();
  }

  @Test
  void listByPrefixIsSortedAndCoversEveryTier() {
    store.put("/p/b", new byte[2]);
    store.put("/p/a", new byte[1], ObjectFlag.EPHEMERAL);
    store.put("/q/c", new byte[3]);
    assertThat(store.list("/p/")).extracting(ObjectInfo::name).containsExactly("/p/a", "/p/b");
  }

  @Test
  void moveOfAPersistentObjectToTheVolatileTierServesItFromACachedCopy() throws Exception {
    store.put("/m", "move me".getBytes(UTF_8));
    ObjectInfo moved = store.move("/m", "mem");
    assertThat(moved.tier()).isEqualTo("mem");
    try (ObjectLease lease = store.open("/m")) {
      assertThat(lease.tier()).isEqualTo("mem");
      assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("move me");
    }
  }

  @Test
  void objectsOnAPersistentTierSurviveARestart() throws Exception {
    store.put("/keep", "kept".getBytes(UTF_8));
    store.put("/gone", "gone".getBytes(UTF_8), ObjectFlag.EPHEMERAL);
    store.close();
    store = open();
    try (ObjectLease lease = store.open("/keep")) {
      assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("kept");
    }
    assertThat(store.exists("/gone")).isFalse();
  }

  @Test
  void streamPutStoresEverything() throws Exception {
    byte[] data = new byte[300_000];
    new java.util.Random(1).nextBytes(data);
    store.put("/big", new ByteArrayInputStream(data));
    try (ObjectLease lease = store.open("/big")) {
      assertThat(lease.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  void repeatedOpensHitTheDescriptorCache() {
    store.put("/hot", new byte[10]);
    for (int i = 0; i < 100; i++) {
      store.open("/hot").close();
    }
    ObjMapperStats s = store.stats();
    assertThat(s.fdCacheHits()).isGreaterThanOrEqualTo(99);
    assertThat(s.opens()).isEqualTo(1);
  }

  @Test
  void leaseCloseIsIdempotent() {
    store.put("/x", new byte[1]);
    ObjectLease lease = store.open("/x");
    lease.close();
    lease.close();
    assertThat(lease.isOpen()).isFalse();
    assertThatThrownBy(lease::channel).isInstanceOf(IllegalStateException.class);
  }
}
