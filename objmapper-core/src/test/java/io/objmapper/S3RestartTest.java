package io.objmapper;

import static io.objmapper.TestStores.disk;
import static io.objmapper.TestStores.manualLifecycle;
import static io.objmapper.TestStores.migratable;
import static io.objmapper.TestStores.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.testing.S3TestServer;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * A node with a disk tier and an s3 tier (S3Proxy in process) restarted: the copies it staged
 * are cache copies of the bucket's objects again, verified before they are served; it opens
 * without listing the bucket, even while the bucket cannot be reached.
 */
class S3RestartTest {
  private static final String PREFIX = "p/";

  @TempDir Path dir;
  private S3TestServer s3;
  private String bucket;

  @BeforeEach
  void startS3() throws Exception {
    s3 = S3TestServer.onDisk(dir.resolve("s3"));
    bucket = s3.newBucket();
  }

  @AfterEach
  void stopS3() throws Exception {
    s3.close();
  }

  private ObjMapper.Builder node(AtomicLong clock, boolean persistIndex) {
    io.objmapper.spi.TierConfig.Builder archive = io.objmapper.spi.TierConfig.builder().name("archive").type("s3")
        .perfFactor(500.0)
        .flags(io.objmapper.spi.TierFlag.PERSISTENT, io.objmapper.spi.TierFlag.READABLE,
            io.objmapper.spi.TierFlag.WRITABLE)
        .option("bucket", bucket).option("prefix", PREFIX).option("endpoint", s3.endpoint().toString())
        .option("region", S3TestServer.REGION).option("path_style", "true")
        .option("request_timeout_ms", "3000").option("revalidate_ms", "5000");
    if (persistIndex) {
      archive.persistIndex(true).indexPath(dir.resolve("archive.objmapper_index"));
    }
    return ObjMapper.builder()
        .tier(migratable(disk("disk", dir.resolve("node"), 3.0)))
        .tier(migratable(archive.build()))
        .lifecycle(manualLifecycle())
        .nanoClock(clock::get);
  }

  private void putInBucket(String name, byte[] data) {
    s3.put(bucket, PREFIX + name.substring(1), data);
  }

  private HeadObjectResponse headInBucket(String name) {
    try (S3Client client = s3.client()) {
      return client.headObject(b -> b.bucket(bucket).key(PREFIX + name.substring(1)));
    }
  }

  private static byte[] read(ObjMapper store, String name) {
    try (ObjectLease lease = store.open(name)) {
      return lease.readAllBytes();
    }
  }

  private Path stagedFile(String name) {
    return dir.resolve("node").resolve(name.substring(1));
  }

  @Test
  void aCopyStagedBeforeARestartIsACacheCopyAfterItAndDroppingItLeavesTheBucketAlone() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    putInBucket("/cached.bin", version(1, 5000));
    try (ObjMapper store = node(clock, false).build()) {
      assertThat(read(store, "/cached.bin")).isEqualTo(version(1, 5000));
    }
    Instant uploaded = headInBucket("/cached.bin").lastModified();
    String etag = headInBucket("/cached.bin").eTag();

    try (ObjMapper store = node(clock, false).build()) {
      Placement p = store.placement("/cached.bin").orElseThrow();
      assertThat(p.tier()).isEqualTo("disk");
      assertThat(p.homeTier()).isEqualTo("archive");
      assertThat(read(store, "/cached.bin")).isEqualTo(version(1, 5000));

      // Cold: the lifecycle drops the copy, and uploads nothing.
      clock.addAndGet(TimeUnit.DAYS.toNanos(30));
      store.runLifecycle();

      assertThat(Files.exists(stagedFile("/cached.bin"))).as("the staged copy's file").isFalse();
      assertThat(store.stat("/cached.bin")).map(ObjectInfo::tier).hasValue("archive");
      assertThat(headInBucket("/cached.bin").lastModified()).isEqualTo(uploaded);
      assertThat(headInBucket("/cached.bin").eTag()).isEqualTo(etag);
      assertThat(read(store, "/cached.bin")).isEqualTo(version(1, 5000));
    }
  }

  @Test
  void aCopyStagedBeforeARestartIsRevalidatedBeforeItIsFirstServedAfterIt() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    putInBucket("/changed.bin", version(1, 5000));
    try (ObjMapper store = node(clock, false).build()) {
      assertThat(read(store, "/changed.bin")).isEqualTo(version(1, 5000));
    }
    putInBucket("/changed.bin", version(2, 6000)); // while the node was down

    try (ObjMapper store = node(clock, false).build()) {
      assertThat(read(store, "/changed.bin")).isEqualTo(version(2, 6000));
    }
  }

  @Test
  void aStagedCopyTornOrCutWhileTheNodeWasDownIsNotServedAfterARestart() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    putInBucket("/torn.bin", version(3, 70_000));
    putInBucket("/cut.bin", version(4, 70_000));
    try (ObjMapper store = node(clock, false).build()) {
      read(store, "/torn.bin");
      read(store, "/cut.bin");
    }
    // What a crash of the machine may leave of a copy written without a sync: the right
    // size with other bytes (zeros), or fewer bytes.
    try (RandomAccessFile f = new RandomAccessFile(stagedFile("/torn.bin").toFile(), "rw")) {
      f.seek(40_000);
      f.write(new byte[4096]);
    }
    try (RandomAccessFile f = new RandomAccessFile(stagedFile("/cut.bin").toFile(), "rw")) {
      f.setLength(10_000);
    }

    try (ObjMapper store = node(clock, false).build()) {
      assertThat(read(store, "/torn.bin")).isEqualTo(version(3, 70_000));
      assertThat(read(store, "/cut.bin")).isEqualTo(version(4, 70_000));
      assertThat(Files.readAllBytes(stagedFile("/torn.bin"))).as("staged again").isEqualTo(version(3, 70_000));
      assertThat(Files.readAllBytes(stagedFile("/cut.bin"))).as("staged again").isEqualTo(version(4, 70_000));
    }
  }

  @Test
  void aStagedCopyTheStoreWroteItselfStaysItsOwnObjectAfterARestart() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    putInBucket("/mine.bin", version(5, 3000));
    try (ObjMapper store = node(clock, false).build()) {
      read(store, "/mine.bin");
      store.put("/mine.bin", version(6, 100));
    }

    try (ObjMapper store = node(clock, false).build()) {
      assertThat(store.placement("/mine.bin").orElseThrow().homeTier()).isEqualTo("disk");
      assertThat(read(store, "/mine.bin")).isEqualTo(version(6, 100));
    }
  }

  @Test
  void aNodeOpensAndServesItsLocalObjectsWhileTheBucketCannotBeListed() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    putInBucket("/remote.bin", version(7, 100));
    try (ObjMapper store = node(clock, false).build()) {
      store.put("/local.bin", version(8, 100));
    }
    s3.stop();

    try (ObjMapper store = node(clock, false).build()) {
      assertThat(read(store, "/local.bin")).isEqualTo(version(8, 100));
      assertThatThrownBy(() -> store.open("/remote.bin")).isInstanceOf(StorageException.class);

      s3 = s3.restart();
      assertThat(read(store, "/remote.bin")).isEqualTo(version(7, 100));
    }
  }

  @Test
  void aNodeWithAPersistedIndexKnowsTheBucketsObjectsAtOnceWithoutAskingTheBucket() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    try (ObjMapper store = node(clock, true).build()) {
      // The index's first reconciliation (a LIST) ends before the upload begins: S3Proxy's
      // directory store lists an upload in progress under a temporary name, which S3 never does.
      assertThat(store.list("/")).isEmpty();
      store.put("/moved.bin", version(9, 4321));
      store.move("/moved.bin", "archive");
      // A listing waits for the index's first reconciliation with the bucket, so the index is
      // closed complete (one closed before that is rebuilt at the next open).
      assertThat(store.list("/")).extracting(ObjectInfo::name).containsExactly("/moved.bin");
    }
    s3.stop(); // neither a LIST nor a HEAD can be answered now

    try (ObjMapper store = node(clock, true).build()) {
      // The persisted index opens in the background: a listing waits for it, no request does.
      assertThat(store.list("/")).extracting(ObjectInfo::name, ObjectInfo::tier, ObjectInfo::size)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("/moved.bin", "archive", 4321L));
      assertThat(store.stat("/moved.bin")).map(ObjectInfo::size).hasValue(4321L);
    }
  }
}
