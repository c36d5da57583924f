package io.objmapper;

import static io.objmapper.TestStores.disk;
import static io.objmapper.TestStores.manualLifecycle;
import static io.objmapper.TestStores.migratable;
import static io.objmapper.TestStores.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.testing.S3TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Copies staged from the bucket onto a memory tier (the fastest local tier, when it has a
 * capacity and room): no journal record, still a copy of the bucket's object, and moved down
 * to the disk tier by the lifecycle rather than dropped when the memory tier fills.
 */
class S3MemoryStagingTest {
  private static final String PREFIX = "p/";
  private static final long REVALIDATE_MS = 5_000;

  @TempDir Path dir;
  private S3TestServer s3;
  private String bucket;
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void startS3() throws Exception {
    s3 = S3TestServer.onDisk(dir.resolve("s3"));
    bucket = s3.newBucket();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    s3.close();
  }

  /** "mem" (a memory tier of {@code memCapacity} bytes, or unbounded if negative), "disk", "archive". */
  private ObjMapper node(long memCapacity) throws Exception {
    TierConfig.Builder mem = TierConfig.builder().name("mem").type("memory")
        .option("base_dir", TestStores.mkdirs(dir.resolve("mem-base")).toString())
        .flags(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE).perfFactor(1.0);
    if (memCapacity >= 0) {
      mem.capacityBytes(memCapacity);
    }
    ObjMapper store = ObjMapper.builder()
        .tier(migratable(mem.build()))
        .tier(migratable(disk("disk", dir.resolve("disk"), 3.0)))
        .tier(migratable(TierConfig.builder().name("archive").type("s3").perfFactor(500.0)
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE)
            .option("bucket", bucket).option("prefix", PREFIX).option("endpoint", s3.endpoint().toString())
            .option("region", S3TestServer.REGION).option("path_style", "true")
            .option("request_timeout_ms", "20000").option("revalidate_ms", Long.toString(REVALIDATE_MS))
            .build()))
        .lifecycle(manualLifecycle())
        .nanoClock(clock::get)
        .build();
    toClose.add(store);
    return store;
  }

  private void putInBucket(String name, byte[] data) {
    try (S3Client client = s3.client()) {
      client.putObject(b -> b.bucket(bucket).key(PREFIX + name.substring(1)), RequestBody.fromBytes(data));
    }
  }

  private void deleteFromBucket(String name) {
    try (S3Client client = s3.client()) {
      client.deleteObject(b -> b.bucket(bucket).key(PREFIX + name.substring(1)));
    }
  }

  private int objectsInBucket() {
    try (S3Client client = s3.client()) {
      return client.listObjectsV2(b -> b.bucket(bucket)).keyCount();
    }
  }

  private static String tierServing(ObjMapper store, String name) {
    try (ObjectLease lease = store.open(name)) {
      return lease.tier();
    }
  }

  private static byte[] read(ObjMapper store, String name) {
    try (ObjectLease lease = store.open(name)) {
      return lease.readAllBytes();
    }
  }

  /** The journal of staged copies, as text ("" if there is none yet). */
  private String stagedJournal() throws Exception {
    Path file = dir.resolve("disk").resolve(StagedJournal.FILE_NAME);
    return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
  }

  private void later() {
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(REVALIDATE_MS + 1_000));
  }

  @Test
  void aCopyStagedOnTheMemoryTierIsNotJournaledAndStaysACopyOfTheBucketsObject() throws Exception {
    putInBucket("/m.bin", version(1, 3000));
    ObjMapper store = node(1 << 20);

    assertThat(tierServing(store, "/m.bin")).isEqualTo("mem");
    assertThat(read(store, "/m.bin")).isEqualTo(version(1, 3000));
    assertThat(store.stat("/m.bin")).map(ObjectInfo::tier).hasValue("mem");
    assertThat(stagedJournal()).as("a copy that dies with the process needs no record").doesNotContain("/m.bin");
    assertThat(objectsInBucket()).isEqualTo(1);

    // Still a cache of the bucket: another writer's version is served after revalidate_ms ...
    putInBucket("/m.bin", version(2, 2000));
    later();
    assertThat(read(store, "/m.bin")).isEqualTo(version(2, 2000));
    assertThat(tierServing(store, "/m.bin")).isEqualTo("mem");
    // ... and a delete there ends it.
    deleteFromBucket("/m.bin");
    later();
    assertThatThrownBy(() -> store.open("/m.bin")).isInstanceOf(ObjectNotFoundException.class);
    assertThat(store.stat("/m.bin")).isEmpty();
  }

  @Test
  void anObjectLargerThanTheMemoryTiersRoomIsStagedOnTheDiskAndJournaled() throws Exception {
    putInBucket("/big.bin", version(3, 3000));
    putInBucket("/small.bin", version(4, 500));
    ObjMapper store = node(1000);

    assertThat(tierServing(store, "/big.bin")).isEqualTo("disk");
    assertThat(read(store, "/big.bin")).isEqualTo(version(3, 3000));
    assertThat(stagedJournal()).contains("/big.bin");
    assertThat(tierServing(store, "/small.bin")).isEqualTo("mem");
    assertThat(read(store, "/small.bin")).isEqualTo(version(4, 500));
  }

  @Test
  void aMemoryTierWithoutACapacityIsPassedOver() throws Exception {
    putInBucket("/u.bin", version(5, 700));
    ObjMapper store = node(-1);

    assertThat(tierServing(store, "/u.bin")).as("nothing would bound what copies take of memory").isEqualTo("disk");
    assertThat(read(store, "/u.bin")).isEqualTo(version(5, 700));
  }

  @Test
  void whenTheMemoryTierFillsTheLifecycleMovesAStagedCopyDownToTheDiskStillACopyOfTheBucket() throws Exception {
    putInBucket("/a.bin", version(6, 3000));
    putInBucket("/b.bin", version(7, 3000));
    ObjMapper store = node(6200); // 6000 of 6200 bytes: over the 95 % watermark, back to 85 % by one move

    assertThat(tierServing(store, "/a.bin")).isEqualTo("mem");
    assertThat(tierServing(store, "/b.bin")).isEqualTo("mem");
    MigrationRound round = store.runLifecycle();

    assertThat(round.moved()).isEqualTo(1);
    assertThat(round.failures()).isZero();
    String down = store.stat("/a.bin").orElseThrow().tier().equals("disk") ? "/a.bin" : "/b.bin";
    String up = down.equals("/a.bin") ? "/b.bin" : "/a.bin";
    byte[] downBytes = down.equals("/a.bin") ? version(6, 3000) : version(7, 3000);
    assertThat(store.stat(down)).map(ObjectInfo::tier).hasValue("disk");
    assertThat(store.stat(up)).map(ObjectInfo::tier).hasValue("mem");
    assertThat(read(store, down)).isEqualTo(downBytes);
    assertThat(stagedJournal()).as("on a persistent tier the copy is recorded").contains(down);
    assertThat(objectsInBucket()).as("nothing uploaded, nothing deleted").isEqualTo(2);

    // Still a copy of the bucket's object, not the store's own: a new version there is served ...
    putInBucket(down, version(8, 1500));
    later();
    assertThat(read(store, down)).isEqualTo(version(8, 1500));
    assertThat(store.stat(down)).as("the new version is staged where there is room: memory").map(ObjectInfo::tier)
        .hasValue("mem");
    assertThat(dir.resolve("disk").resolve(down.substring(1))).as("the copy of the old version is gone").doesNotExist();
    // ... and a delete there ends it.
    deleteFromBucket(down);
    later();
    assertThatThrownBy(() -> store.open(down)).isInstanceOf(ObjectNotFoundException.class);
  }

  @Test
  void aStagedCopyMovedDownToTheDiskIsStillAStagedCopyAfterARestart() throws Exception {
    putInBucket("/a.bin", version(9, 3000));
    putInBucket("/b.bin", version(10, 3000));
    ObjMapper store = node(6200);
    read(store, "/a.bin");
    read(store, "/b.bin");
    assertThat(store.runLifecycle().moved()).isEqualTo(1);
    String down = store.stat("/a.bin").orElseThrow().tier().equals("disk") ? "/a.bin" : "/b.bin";
    byte[] downBytes = down.equals("/a.bin") ? version(9, 3000) : version(10, 3000);
    store.close();

    ObjMapper again = node(6200);
    assertThat(again.stat(down)).map(ObjectInfo::tier).hasValue("disk");
    assertThat(read(again, down)).as("verified against its record, then served").isEqualTo(downBytes);
    assertThat(again.stat(down)).map(ObjectInfo::tier).hasValue("disk");
    // Restored as a copy of the bucket's object: a delete there ends it.
    deleteFromBucket(down);
    later();
    assertThatThrownBy(() -> again.open(down)).isInstanceOf(ObjectNotFoundException.class);
    assertThat(objectsInBucket()).isEqualTo(1);
  }
}
