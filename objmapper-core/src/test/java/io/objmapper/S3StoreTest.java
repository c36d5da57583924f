package io.objmapper;

import static io.objmapper.TestStores.disk;
import static io.objmapper.TestStores.manualLifecycle;
import static io.objmapper.TestStores.migratable;
import static io.objmapper.TestStores.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.client.ObjMapperClient;
import io.objmapper.client.RemoteObject;
import io.objmapper.internal.tier.s3.S3UnavailableException;
import io.objmapper.protocol.Mode;
import io.objmapper.server.ObjectServer;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.testing.S3TestServer;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

/**
 * A store with a local disk tier and an s3 tier on a real S3 server in process (S3Proxy on a
 * temporary directory): objects that live only in the bucket are staged and served, two stores
 * share one bucket, and S3 going away and coming back.
 */
class S3StoreTest {
  private static final String PREFIX = "p/";

  @TempDir Path dir;
  private S3TestServer s3;
  private String bucket;
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

  private TierConfig archive(String endpoint, long requestTimeoutMillis) {
    return archive(endpoint, requestTimeoutMillis, 5_000);
  }

  private TierConfig archive(String endpoint, long requestTimeoutMillis, long revalidateMillis) {
    return migratable(TierConfig.builder().name("archive").type("s3").perfFactor(500.0)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE)
        .option("bucket", bucket).option("prefix", PREFIX).option("endpoint", endpoint)
        .option("region", S3TestServer.REGION).option("path_style", "true")
        .option("request_timeout_ms", Long.toString(requestTimeoutMillis))
        .option("revalidate_ms", Long.toString(revalidateMillis))
        .build());
  }

  /** A store whose time is {@code clock} (nanoseconds), revalidating staged copies after 5 s. */
  private ObjMapper nodeWithClock(String node, AtomicLong clock) throws Exception {
    ObjMapper store = ObjMapper.builder()
        .tier(migratable(disk("disk", dir.resolve(node), 3.0)))
        .tier(archive(s3.endpoint().toString(), 3_000, 5_000))
        .lifecycle(manualLifecycle())
        .nanoClock(clock::get)
        .build();
    toClose.add(store);
    return store;
  }

  private static byte[] read(ObjMapper store, String name) {
    try (ObjectLease lease = store.open(name)) {
      return lease.readAllBytes();
    }
  }

  private void deleteFromBucket(String name) {
    s3.delete(bucket, PREFIX + name.substring(1));
  }

  /** A store ("disk" at dir/node, then "archive" on the bucket). */
  private ObjMapper node(String node) throws Exception {
    return node(node, s3.endpoint().toString(), 20_000);
  }

  private ObjMapper node(String node, String endpoint, long requestTimeoutMillis) throws Exception {
    ObjMapper store = ObjMapper.builder()
        .tier(migratable(disk("disk", dir.resolve(node), 3.0)))
        .tier(archive(endpoint, requestTimeoutMillis))
        .lifecycle(manualLifecycle())
        .build();
    toClose.add(store);
    return store;
  }

  /** Puts {@code data} straight into the bucket, as another writer would. */
  private void putInBucket(String name, byte[] data) {
    s3.put(bucket, PREFIX + name.substring(1), data);
  }

  private ObjectServer serve(ObjMapper store, String socket) throws java.io.IOException {
    ObjectServer server = ObjectServer.builder(store).unixSocket(dir.resolve(socket)).build().start();
    toClose.add(server::close);
    return server;
  }

  @Test
  void anObjectOnlyInTheBucketIsServedInProcessStagedOnTheLocalTier() throws Exception {
    putInBucket("/only/in bucket/é.bin", version(1, 3000));
    ObjMapper store = node("a");

    assertThat(store.stat("/only/in bucket/é.bin")).map(ObjectInfo::tier).hasValue("archive");
    try (ObjectLease lease = store.open("/only/in bucket/é.bin")) {
      assertThat(lease.tier()).isEqualTo("disk");
      assertThat(lease.readAllBytes()).isEqualTo(version(1, 3000));
    }
  }

  @Test
  void anObjectOnlyInTheBucketIsServedByDescriptorAndByCopy() throws Exception {
    putInBucket("/fd.bin", version(2, 70_000));
    putInBucket("/copy.bin", version(3, 5000));
    ObjMapper store = node("a");
    serve(store, "s.sock");

    try (ObjMapperClient c = ObjMapperClient.unix(dir.resolve("s.sock")).connect()) {
      try (RemoteObject o = c.get("/fd.bin")) {
        assertThat(o.hasDescriptor()).isTrue();
        assertThat(o.bytes()).isEqualTo(version(2, 70_000));
      }
      try (RemoteObject o = c.get("/copy.bin", Mode.COPY)) {
        assertThat(o.hasDescriptor()).isFalse();
        assertThat(o.bytes()).isEqualTo(version(3, 5000));
      }
    }
  }

  @Test
  void aNameNeverSeenIsFoundInTheBucketAfterTheLocalIndexes() throws Exception {
    ObjMapper store = node("a");
    assertThat(store.exists("/late.bin")).isFalse();

    putInBucket("/late.bin", version(4, 100));

    try (ObjectLease lease = store.open("/late.bin")) {
      assertThat(lease.readAllBytes()).isEqualTo(version(4, 100));
    }
  }

  @Test
  void anObjectMovedToTheBucketByOneStoreIsServedByAnother() throws Exception {
    ObjMapper a = node("a");
    ObjMapper b = node("b");
    a.put("/shared.bin", version(5, 20_000));

    assertThat(a.move("/shared.bin", "archive").tier()).isEqualTo("archive");

    try (ObjectLease lease = b.open("/shared.bin")) {
      assertThat(lease.tier()).isEqualTo("disk");
      assertThat(lease.readAllBytes()).isEqualTo(version(5, 20_000));
    }
    try (ObjectLease lease = a.open("/shared.bin")) {
      assertThat(lease.readAllBytes()).isEqualTo(version(5, 20_000));
    }
  }

  @Test
  void aLargeObjectIsUploadedInPartsAndStagedWhole() throws Exception {
    ObjMapper a = node("a");
    ObjMapper b = node("b");
    byte[] big = new byte[20 * 1024 * 1024 + 17];
    new java.util.Random(7).nextBytes(big);
    a.put("/big.bin", big);

    a.move("/big.bin", "archive");

    try (ObjectLease lease = b.open("/big.bin")) {
      assertThat(lease.size()).isEqualTo(big.length);
      assertThat(lease.readAllBytes()).isEqualTo(big);
    }
  }

  @Test
  void whileS3IsDownRequestsNeedingItFailAndStagedCopiesAreServedUntilItComesBack() throws Exception {
    putInBucket("/staged.bin", version(6, 4000));
    putInBucket("/cold.bin", version(7, 4000));
    ObjMapper store = node("a", s3.endpoint().toString(), 3_000);
    serve(store, "s.sock");
    store.open("/staged.bin").close();

    s3.stop();

    try (ObjectLease lease = store.open("/staged.bin")) {
      assertThat(lease.readAllBytes()).isEqualTo(version(6, 4000));
    }
    assertThatThrownBy(() -> store.open("/cold.bin"))
        .isInstanceOf(StorageException.class)
        .hasRootCauseInstanceOf(java.net.ConnectException.class);
    assertThatThrownBy(() -> store.open("/never-seen.bin"))
        .isInstanceOf(StorageException.class)
        .hasCauseInstanceOf(S3UnavailableException.class);
    try (ObjMapperClient c = ObjMapperClient.unix(dir.resolve("s.sock")).connect()) {
      assertThatThrownBy(() -> c.get("/cold.bin"))
          .isInstanceOfSatisfying(ObjMapperException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_ERROR));
      try (RemoteObject o = c.get("/staged.bin")) {
        assertThat(o.bytes()).isEqualTo(version(6, 4000));
      }
    }

    s3 = s3.restart();

    try (ObjectLease lease = store.open("/cold.bin")) {
      assertThat(lease.readAllBytes()).isEqualTo(version(7, 4000));
    }
  }

  @Test
  void aChangeInTheBucketIsServedOnceTheStagedCopyIsOlderThanRevalidateMs() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    putInBucket("/changing.bin", version(1, 1000));
    ObjMapper store = nodeWithClock("a", clock);
    assertThat(read(store, "/changing.bin")).isEqualTo(version(1, 1000));

    putInBucket("/changing.bin", version(2, 1500));
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(4_999));
    assertThat(read(store, "/changing.bin")).isEqualTo(version(1, 1000));

    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
    assertThat(read(store, "/changing.bin")).isEqualTo(version(2, 1500));
    assertThat(store.stat("/changing.bin")).map(ObjectInfo::size).hasValue(1500L);
  }

  @Test
  void anObjectDeletedFromTheBucketStopsBeingServedOnceItsCopyIsOlderThanRevalidateMs() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    putInBucket("/doomed.bin", version(3, 1000));
    ObjMapper store = nodeWithClock("a", clock);
    assertThat(read(store, "/doomed.bin")).isEqualTo(version(3, 1000));

    deleteFromBucket("/doomed.bin");
    assertThat(read(store, "/doomed.bin")).isEqualTo(version(3, 1000));
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(5_000));

    assertThatThrownBy(() -> store.open("/doomed.bin")).isInstanceOf(ObjectNotFoundException.class);
    assertThat(store.exists("/doomed.bin")).isFalse();
    assertThat(TestStores.filesBelow(dir.resolve("a"))).doesNotContain("doomed.bin");
  }

  @Test
  void aStagedCopyDueForRevalidationIsServedWhileTheBucketCannotBeAsked() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    putInBucket("/kept.bin", version(4, 1000));
    ObjMapper store = nodeWithClock("a", clock);
    assertThat(read(store, "/kept.bin")).isEqualTo(version(4, 1000));
    s3.stop();
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(60_000));

    assertThat(read(store, "/kept.bin")).isEqualTo(version(4, 1000));

    s3 = s3.restart();
    putInBucket("/kept.bin", version(5, 2000));
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(5_000));
    assertThat(read(store, "/kept.bin")).isEqualTo(version(5, 2000));
  }

  @Test
  void anObjectTheStoreWritesItselfIsNoLongerCheckedAgainstTheBucket() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    putInBucket("/mine.bin", version(6, 1000));
    ObjMapper store = nodeWithClock("a", clock);
    assertThat(read(store, "/mine.bin")).isEqualTo(version(6, 1000));

    store.put("/mine.bin", version(7, 500));
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(5_000));

    assertThat(read(store, "/mine.bin")).isEqualTo(version(7, 500));
  }

  private Path configFile(String requestTimeout) throws java.io.IOException {
    String json = "{\"backends\": ["
        + "{\"name\": \"disk\", \"type\": \"nvme\", \"mount_path\": \"" + dir.resolve("cfg-disk") + "\","
        + " \"capacity_gb\": 1, \"perf_factor\": 3.0, \"flags\": [\"persistent\", \"readable\", \"writable\"]},"
        + "{\"name\": \"archive\", \"type\": \"s3\", \"capacity_gb\": 1000, \"perf_factor\": 500.0,"
        + " \"flags\": [\"persistent\", \"readable\", \"writable\", \"migration_src\", \"migration_dst\"],"
        + " \"persist_index\": true, \"index_path\": \"" + dir.resolve("archive.objmapper_index") + "\","
        + " \"options\": {\"bucket\": \"" + bucket + "\", \"prefix\": \"" + PREFIX + "\","
        + " \"endpoint\": \"" + s3.endpoint() + "\", \"region\": \"us-east-1\", \"path_style\": \"true\","
        + " \"revalidate_ms\": \"5000\", \"request_timeout_ms\": \"" + requestTimeout + "\"}}]}";
    java.nio.file.Files.createDirectories(dir.resolve("cfg-disk"));
    return java.nio.file.Files.writeString(dir.resolve("objmapper.conf"), json);
  }

  @Test
  void aConfigFileWithAnS3BackendWithoutMountPathServesTheBucket() throws Exception {
    putInBucket("/from-config.bin", version(8, 300));

    try (ObjMapper store = ObjMapper.open(configFile("3000"));
        ObjectLease lease = store.open("/from-config.bin")) {
      assertThat(lease.tier()).isEqualTo("disk");
      assertThat(lease.readAllBytes()).isEqualTo(version(8, 300));
    }
  }

  @Test
  void aConfigFileWithANonNumericTimeoutFailsNamingTheKey() throws Exception {
    Path config = configFile("3s");

    assertThatThrownBy(() -> ObjMapper.open(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("archive")
        .hasMessageContaining("request_timeout_ms");
  }

  /** A TCP port that accepts connections and never answers: an S3 service that hangs. */
  private static final class SilentService implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0);
    private final List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();

    SilentService() throws java.io.IOException {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(socket.accept());
          }
        } catch (java.io.IOException closed) {
          // the test is over
        }
      }, "silent-s3");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    String endpoint() {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  @Test
  void aHangingS3RequestDoesNotHoldUpLocalObjectsOnTheSameOrAnotherConnection() throws Exception {
    try (SilentService silent = new SilentService()) {
      TierConfig hanging = TierConfig.builder().name("archive").type("s3").perfFactor(500.0)
          .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE)
          .persistIndex(true).indexPath(dir.resolve("hanging.objmapper_index"))
          .option("bucket", bucket).option("endpoint", silent.endpoint())
          .option("region", S3TestServer.REGION).option("path_style", "true")
          .option("request_timeout_ms", "60000")
          .build();
      ObjMapper store = ObjMapper.builder().tier(disk("disk", dir.resolve("h"), 3.0)).tier(hanging)
          .lifecycle(manualLifecycle()).build();
      toClose.add(store);
      store.put("/local.bin", version(9, 100));
      serve(store, "h.sock");

      try (ObjMapperClient one = ObjMapperClient.unix(dir.resolve("h.sock")).connect();
          ObjMapperClient two = ObjMapperClient.unix(dir.resolve("h.sock")).connect()) {
        java.util.concurrent.CompletableFuture<RemoteObject> slow = one.getAsync("/only-in-s3.bin", Mode.COPY);
        try (RemoteObject sameConnection = one.getAsync("/local.bin", Mode.COPY).get(30, TimeUnit.SECONDS);
            RemoteObject otherConnection = two.get("/local.bin", Mode.COPY)) {
          assertThat(sameConnection.bytes()).isEqualTo(version(9, 100));
          assertThat(otherConnection.bytes()).isEqualTo(version(9, 100));
        }
        assertThat(slow).isNotDone();
        silent.close(); // the hanging request now fails
        assertThatThrownBy(() -> slow.get(60, TimeUnit.SECONDS))
            .hasCauseInstanceOf(ObjMapperException.class);
      }
    }
  }

  @Test
  void aServiceThatDoesNotAnswerFailsTheRequestAtItsDeadline() throws Exception {
    ObjMapper store = node("a");
    try (ServerSocket silent = new ServerSocket(0)) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (java.io.IOException closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      // A second store whose S3 endpoint accepts connections and never answers; it opens with
      // its index persisted, so nothing is asked of the service before the first request.
      TierConfig mute = TierConfig.builder().name("archive").type("s3").perfFactor(500.0)
          .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE)
          .persistIndex(true).indexPath(dir.resolve("mute.objmapper_index"))
          .option("bucket", bucket).option("endpoint", "http://127.0.0.1:" + silent.getLocalPort())
          .option("region", S3TestServer.REGION).option("path_style", "true")
          .option("request_timeout_ms", "500")
          .build();
      try (ObjMapper stuck = ObjMapper.builder().tier(disk("disk", dir.resolve("m"), 3.0)).tier(mute)
          .lifecycle(manualLifecycle()).build()) {
        assertThatThrownBy(() -> stuck.open("/x.bin"))
            .isInstanceOf(StorageException.class)
            .hasRootCauseInstanceOf(ApiCallTimeoutException.class);
      }
      for (Socket s : accepted) {
        s.close();
      }
    }
    assertThat(store.exists("/x.bin")).isFalse();
  }

  /**
   * Copies staged from the bucket onto a memory tier (the fastest local tier, when it has a
   * capacity and room): no journal record, still a copy of the bucket's object, and moved down
   * to the disk tier by the lifecycle rather than dropped when the memory tier fills.
   */
  @Nested
  class StagedOnAMemoryTier {
    private static final long REVALIDATE_MS = 5_000;
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    /** "mem" (a memory tier of {@code memCapacity} bytes, or unbounded if negative), "disk", "archive". */
    private ObjMapper node(long memCapacity) throws Exception {
      return node(memCapacity, step -> { });
    }

    /** As {@link #node(long)}, telling {@code steps} each step of a move. */
    private ObjMapper node(long memCapacity, java.util.function.Consumer<io.objmapper.internal.lifecycle.MigrationStep> steps)
        throws Exception {
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
          .migrationSteps(steps)
          .build();
      toClose.add(store);
      return store;
    }

    private String tierServing(ObjMapper store, String name) {
      try (ObjectLease lease = store.open(name)) {
        return lease.tier();
      }
    }

    /** The journal of staged copies, as text ("" if there is none yet). */
    private String stagedJournal() throws Exception {
      Path file = dir.resolve("disk").resolve(StagedJournal.FILE_NAME);
      return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    }

    /** Deletes {@code name} from the bucket, as another writer would: after revalidate_ms the node no longer serves it. */
    private void assertEndsWhenDeletedFromTheBucket(ObjMapper store, String name) {
      deleteFromBucket(name);
      later();
      assertThatThrownBy(() -> store.open(name)).isInstanceOf(ObjectNotFoundException.class);
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
      assertThat(s3.keyCount(bucket)).isEqualTo(1);

      // Still a cache of the bucket: another writer's version is served after revalidate_ms ...
      putInBucket("/m.bin", version(2, 2000));
      later();
      assertThat(read(store, "/m.bin")).isEqualTo(version(2, 2000));
      assertThat(tierServing(store, "/m.bin")).isEqualTo("mem");
      // ... and a delete there ends it.
      assertEndsWhenDeletedFromTheBucket(store, "/m.bin");
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
      assertThat(s3.keyCount(bucket)).as("nothing uploaded, nothing deleted").isEqualTo(2);

      // Still a copy of the bucket's object, not the store's own: a new version there is served ...
      putInBucket(down, version(8, 1500));
      later();
      assertThat(read(store, down)).isEqualTo(version(8, 1500));
      assertThat(store.stat(down)).as("a new version of a copy recorded on the disk is staged over it there")
          .map(ObjectInfo::tier).hasValue("disk");
      assertThat(dir.resolve("disk").resolve(down.substring(1))).hasBinaryContent(version(8, 1500));
      assertThat(lastRecordOf(down)).startsWith("C\t");
      // ... and a delete there ends it.
      assertEndsWhenDeletedFromTheBucket(store, down);
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
      assertEndsWhenDeletedFromTheBucket(again, down);
      assertThat(s3.keyCount(bucket)).isEqualTo(1);
    }

    /** The last line of the journal of staged copies naming {@code name} ("" if none). */
    private String lastRecordOf(String name) throws Exception {
      String last = "";
      for (String line : stagedJournal().split("\n")) {
        if (line.endsWith("\t" + name)) {
          last = line;
        }
      }
      return last;
    }

    @Test
    void aHotStagedCopyPromotedFromTheDiskKeepsItsRecordUntilItsFileThereIsGone() throws Exception {
      putInBucket("/fill.bin", version(11, 3000));
      putInBucket("/h.bin", version(12, 3000));
      java.util.concurrent.atomic.AtomicReference<String> recordWhileOnDisk = new java.util.concurrent.atomic.AtomicReference<>();
      ObjMapper store = node(5000, step -> {
        if (step == io.objmapper.internal.lifecycle.MigrationStep.SOURCE_UNINDEXED) {
          try {
            recordWhileOnDisk.set(lastRecordOf("/h.bin"));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      });
      assertThat(tierServing(store, "/fill.bin")).isEqualTo("mem");
      assertThat(tierServing(store, "/h.bin")).as("no room left on mem").isEqualTo("disk");
      assertThat(lastRecordOf("/h.bin")).startsWith("C\t");
      store.delete("/fill.bin");
      for (int i = 0; i < 5; i++) {
        read(store, "/h.bin");
      }

      MigrationRound round = store.runLifecycle();

      assertThat(round.promoted()).isEqualTo(1);
      assertThat(store.stat("/h.bin")).map(ObjectInfo::tier).hasValue("mem");
      assertThat(recordWhileOnDisk.get()).as("a crash before the disk's file is deleted finds it recorded as staged")
          .startsWith("C\t");
      assertThat(lastRecordOf("/h.bin")).as("ended once the file is gone").startsWith("F\t");
      assertThat(dir.resolve("disk").resolve("h.bin")).doesNotExist();
      assertThat(read(store, "/h.bin")).isEqualTo(version(12, 3000));
      // Still a copy of the bucket's object.
      putInBucket("/h.bin", version(13, 100));
      later();
      assertThat(read(store, "/h.bin")).isEqualTo(version(13, 100));
    }

    @Test
    void aCopyStagedOnTheMemoryTierIsPassedAsAReadOnlyDescriptionOfItsOwnAtOffsetZero() throws Exception {
      putInBucket("/fd.bin", version(14, 5000));
      ObjMapper store = node(1 << 20);
      serve(store, "m.sock");

      try (ObjMapperClient c = ObjMapperClient.unix(dir.resolve("m.sock")).connect();
           RemoteObject first = c.get("/fd.bin")) {
        assertThat(first.hasDescriptor()).isTrue();
        java.io.FileDescriptor fd = first.descriptor();
        assertThat(io.objmapper.server.Fds.accessMode(fd)).isEqualTo(io.objmapper.server.Fds.O_RDONLY);
        assertThat(io.objmapper.server.Fds.target(fd)).as("the copy on the memory tier")
            .startsWith(dir.resolve("mem-base")).endsWith(Path.of("fd.bin"));
        // A relative read by this receiver moves no one else's offset.
        byte[] head = new byte[100];
        assertThat(new java.io.FileInputStream(fd).read(head)).isEqualTo(100);
        try (RemoteObject second = c.get("/fd.bin")) {
          byte[] all = new byte[5000];
          assertThat(new java.io.FileInputStream(second.descriptor()).readNBytes(all, 0, 5000)).isEqualTo(5000);
          assertThat(all).isEqualTo(version(14, 5000));
        }
        assertThat(java.util.Arrays.copyOf(head, 100)).isEqualTo(java.util.Arrays.copyOf(version(14, 5000), 100));
      }
      assertThat(store.stat("/fd.bin")).map(ObjectInfo::tier).hasValue("mem");
    }

    @Test
    void openersRacingForAnObjectOnlyInTheBucketLeaveOneStagedCopy() throws Exception {
      putInBucket("/race.bin", version(15, 3000));
      ObjMapper store = node(5000); // room for one copy on mem
      int n = 8;
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
      try {
        List<java.util.concurrent.Future<byte[]>> reads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          reads.add(pool.submit(() -> {
            go.await();
            return read(store, "/race.bin");
          }));
        }
        go.countDown();
        for (java.util.concurrent.Future<byte[]> r : reads) {
          assertThat(r.get(60, TimeUnit.SECONDS)).isEqualTo(version(15, 3000));
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(store.stat("/race.bin")).map(ObjectInfo::tier).hasValue("mem");
      ObjMapperStats stats = store.stats();
      assertThat(stats.tiers().get(0).objects()).as("one copy on mem").isEqualTo(1);
      assertThat(stats.tiers().get(1).objects()).as("none on disk").isZero();
      assertThat(dir.resolve("disk").resolve("race.bin")).doesNotExist();
    }

    @Test
    void aStagedCopyWhoseMoveToTheDiskFailsStaysOnTheMemoryTierStillACopyOfTheBucket() throws Exception {
      putInBucket("/d/x.bin", version(16, 3000));
      putInBucket("/y.bin", version(17, 3000));
      ObjMapper store = node(6200);
      assertThat(tierServing(store, "/d/x.bin")).isEqualTo("mem");
      assertThat(tierServing(store, "/y.bin")).isEqualTo("mem");
      // A file where the disk tier needs the folder "d": /d/x.bin cannot be written there.
      Files.write(dir.resolve("disk").resolve("d"), new byte[] {1});
      read(store, "/y.bin"); // warmer than /d/x.bin: /d/x.bin is the one to leave

      MigrationRound round = store.runLifecycle();

      assertThat(round.failures()).isEqualTo(1);
      assertThat(store.stat("/d/x.bin")).map(ObjectInfo::tier).hasValue("mem");
      assertThat(read(store, "/d/x.bin")).isEqualTo(version(16, 3000));
      assertThat(lastRecordOf("/d/x.bin")).as("the disk's intent is ended").satisfiesAnyOf(
          r -> assertThat(r).isEmpty(), r -> assertThat(r).startsWith("F\t"));
      assertThat(dir.resolve("disk").resolve("d")).isRegularFile();
      // Still a copy of the bucket's object.
      assertEndsWhenDeletedFromTheBucket(store, "/d/x.bin");
    }
  }
}
