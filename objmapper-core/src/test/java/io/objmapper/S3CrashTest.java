package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.objmapper.internal.lifecycle.MigrationStep;
import io.objmapper.internal.tier.FsTierProvider;
import io.objmapper.internal.tier.s3.S3TierProvider;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProvider;
import io.objmapper.spi.TierProviders;
import io.objmapper.testing.ChildJvm;
import io.objmapper.testing.ForwardingTier;
import io.objmapper.testing.S3TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real {@code kill -9} of a child JVM while a store with a disk tier and an s3 tier (on
 * S3Proxy, started by this test in this JVM, outliving the child) stages an object from the
 * bucket or moves one onto it; then a restart of the store in this JVM and an inventory of
 * the disk and the bucket: every object is held exactly once, whole (a staged copy on the disk
 * counts as a cache copy, not a holder: it is known as one after the restart, with its home on
 * the bucket), no temporary file and no partial object is left, indexed or served, and the
 * tiers' counts are what the disk and the bucket hold.
 *
 * <p>As in {@link MigrationCrashTest}, every case runs at once in one child JVM, each with its
 * own directory and its own key prefix in one bucket, and one SIGKILL ends them all.
 */
@Timeout(180)
class S3CrashTest {
  static final String DISK = "disk";
  static final String ARCHIVE = "archive";
  /** Objects every case puts on the disk tier first. */
  static final List<String> NAMES = List.of("/a", "/b", "/d/n/c", "/empty");
  /** The object a move case moves onto the bucket: larger than one upload part (9 MiB). */
  static final String MOVED = "/b";
  /** The object a staging case stages from the bucket (put there by the child through the store). */
  static final String STAGED = "/s";
  /** The object a move case moves onto a bucket holding an older version of it. */
  static final String OVER_OLD = "/o";
  private static final String KILL_POINT = "killing-point ";
  private static final String ENDED = "ended ";

  @TempDir static Path root;
  private static S3TestServer s3;
  private static String bucket;
  private static final Map<String, String> outcomes = new ConcurrentHashMap<>();

  /** What the child does before it blocks. */
  enum Scenario {
    /** Moves {@link #MOVED} from the disk onto the bucket by hand; killed at a step of the move. */
    MOVE,
    /** Moves {@link #MOVED} onto the bucket; killed half-way through its multipart upload. */
    UPLOAD,
    /** Opens {@link #STAGED}, which only the bucket holds; killed half-way through the staging. */
    STAGE,
    /** Stages {@link #STAGED} whole, then is killed. */
    STAGED_WHOLE,
    /** A lifecycle round drops the cold staged copy of {@link #STAGED}; killed at a step. */
    EVICT,
    /**
     * Moves {@link #OVER_OLD} onto the bucket, which holds an older version another writer put
     * there (unknown to the store); killed at a step of the move.
     */
    OVER_OLD,
    /**
     * A store whose only persistent tier is the bucket puts {@link #MOVED} through a stream;
     * killed half-way through its multipart upload.
     */
    PUT
  }

  static Stream<Arguments> cutShortMoves() {
    List<Arguments> cuts = new ArrayList<>();
    for (MigrationStep s : MigrationStep.values()) {
      cuts.add(Arguments.of(Scenario.MOVE, s));
    }
    cuts.add(Arguments.of(Scenario.UPLOAD, MigrationStep.JOURNALED));
    return cuts.stream();
  }

  static Stream<Arguments> cutShortEvictions() {
    return Stream.of(Arguments.of(Scenario.EVICT, MigrationStep.SOURCE_UNINDEXED),
        Arguments.of(Scenario.EVICT, MigrationStep.SOURCE_REMOVED));
  }

  private static String caseId(Scenario scenario, MigrationStep step) {
    return scenario + "-" + step;
  }

  @BeforeAll
  static void killOneChildHoldingEveryCaseAtItsKillingPoint() throws Exception {
    s3 = S3TestServer.onDisk(root.resolve("s3"));
    bucket = s3.newBucket();
    List<String> cases = new ArrayList<>();
    Stream.concat(cutShortMoves(), cutShortEvictions())
        .forEach(a -> cases.add(caseId((Scenario) a.get()[0], (MigrationStep) a.get()[1])));
    cases.add(caseId(Scenario.STAGE, MigrationStep.COPIED));
    cases.add(caseId(Scenario.STAGED_WHOLE, MigrationStep.DONE));
    cases.add(caseId(Scenario.PUT, MigrationStep.COPIED));
    cases.add(caseId(Scenario.OVER_OLD, MigrationStep.JOURNALED));
    Path childErr = root.resolve("child.err");
    List<String> args = new ArrayList<>(List.of(root.toString(), s3.endpoint().toString(), bucket));
    args.addAll(cases);
    Process child = ChildJvm.start(Child.class, List.of("-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        "-Daws.accessKeyId=" + S3TestServer.ACCESS_KEY, "-Daws.secretAccessKey=" + S3TestServer.SECRET_KEY), args,
        childErr);
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread pump = ChildJvm.pumpLines(child, lines, "s3-crash-child-stdout");
      while (outcomes.size() < cases.size()) {
        String line = lines.poll(150, TimeUnit.SECONDS);
        if (line == null || line.equals(ChildJvm.EOF)) {
          fail("the child ended or hung before every case reached its killing point (" + outcomes + "); its stderr ("
              + childErr + "):\n" + ChildJvm.tail(childErr, 40));
        }
        if (line.startsWith(KILL_POINT) || line.startsWith(ENDED)) {
          outcomes.put(line.split(" ", 3)[1], line);
        }
      }
      child.destroyForcibly(); // SIGKILL
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      pump.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (s3 != null) {
      s3.close();
    }
  }

  @ParameterizedTest(name = "a move onto the bucket killed after step {1} ({0})")
  @MethodSource("cutShortMoves")
  void aMoveOntoTheBucketKilledAtAnyStepLeavesEveryObjectOnceAndWholeAfterARestart(Scenario scenario,
      MigrationStep step) throws Exception {
    String id = caseId(scenario, step);
    Path dir = killedAt(id);
    if (scenario == Scenario.UPLOAD) {
      try (S3Client client = s3.client()) {
        assertThat(client.listMultipartUploads(b -> b.bucket(bucket).prefix(id + "/")).uploads())
            .as("the upload the kill cut short, begun (else this test proves nothing)").isNotEmpty();
      }
    }
    try (ObjMapper store = store(dir, id).build()) {
      assertInventory(dir, id, store, expected(), "after the restart");
      // The store goes on moving both ways.
      for (String name : NAMES) {
        String other = store.stat(name).orElseThrow().tier().equals(DISK) ? ARCHIVE : DISK;
        assertThat(store.move(name, other).tier()).isEqualTo(other);
      }
      assertInventory(dir, id, store, expected(), "after every object moved once more");
    }
  }

  @Test
  void aStagingKilledHalfWayLeavesNoTemporaryFileNorPartialObjectAfterARestart() throws Exception {
    String id = caseId(Scenario.STAGE, MigrationStep.COPIED);
    Path dir = killedAt(id);
    assertThat(DiskInventory.tempFiles(dir.resolve(DISK)))
        .as("the half-done staging's temporary file, before the restart (else this test proves nothing)")
        .isNotEmpty();
    try (ObjMapper store = store(dir, id).build()) {
      assertThat(DiskInventory.tempFiles(dir.resolve(DISK))).as("temporary files after the restart").isEmpty();
      assertThat(DiskInventory.objects(dir.resolve(DISK))).as("objects on the disk").doesNotContainKey(STAGED);
      // (The bucket's object is listed once the background LIST has found it.)
      assertThat(store.list("/")).as("what the store lists: no partial copy on the disk")
          .noneMatch(i -> i.name().equals(STAGED) && i.tier().equals(DISK));
      assertThat(store.stat(STAGED)).as("stat: the bucket's object").map(ObjectInfo::tier).hasValue(ARCHIVE);
      try (ObjectLease lease = store.open(STAGED)) {
        assertThat(lease.readAllBytes()).as("served again from the bucket").isEqualTo(stagedContent(1));
      }
      assertThat(store.placement(STAGED).orElseThrow().homeTier()).isEqualTo(ARCHIVE);
      Map<String, byte[]> expected = expected();
      expected.put(STAGED, stagedContent(1));
      assertInventory(dir, id, store, expected, "after the object was staged again");
    }
  }

  @Test
  void aCopyStagedBeforeAKillIsACacheCopyAfterTheRestartAndItsEvictionDeletesOnlyTheCopy() throws Exception {
    String id = caseId(Scenario.STAGED_WHOLE, MigrationStep.DONE);
    Path dir = killedAt(id);
    assertThat(DiskInventory.objects(dir.resolve(DISK))).as("the staged copy, before the restart").containsKey(STAGED);
    Map<String, byte[]> expected = expected();
    expected.put(STAGED, stagedContent(1));
    try (ObjMapper store = store(dir, id).build()) {
      Placement p = store.placement(STAGED).orElseThrow();
      assertThat(p.tier()).isEqualTo(DISK);
      assertThat(p.homeTier()).as("the staged copy's home after the restart").isEqualTo(ARCHIVE);
      try (ObjectLease lease = store.open(STAGED)) {
        assertThat(lease.tier()).isEqualTo(DISK);
        assertThat(lease.readAllBytes()).isEqualTo(stagedContent(1));
      }
      assertInventory(dir, id, store, expected, "after the restart");

      assertThat(store.move(STAGED, ARCHIVE).tier()).as("the copy dropped").isEqualTo(ARCHIVE);
      assertThat(DiskInventory.objects(dir.resolve(DISK))).doesNotContainKey(STAGED);
      assertInventory(dir, id, store, expected, "after the staged copy was dropped");
    }
  }

  @ParameterizedTest(name = "the eviction of a staged copy killed after step {1}")
  @MethodSource("cutShortEvictions")
  void anEvictionOfAStagedCopyKilledAtAnyStepLeavesTheBucketObjectWholeAfterARestart(Scenario scenario,
      MigrationStep step) throws Exception {
    String id = caseId(scenario, step);
    Path dir = killedAt(id);
    Map<String, byte[]> expected = expected();
    expected.put(STAGED, stagedContent(1));
    try (ObjMapper store = store(dir, id).build()) {
      assertThat(store.placement(STAGED).orElseThrow().homeTier()).isEqualTo(ARCHIVE);
      assertInventory(dir, id, store, expected, "after the restart");
    }
  }

  @Test
  void aPutOntoTheBucketKilledHalfWayLeavesTheOldObjectsAndNothingOfTheNewOne() throws Exception {
    String id = caseId(Scenario.PUT, MigrationStep.COPIED);
    killedAt(id);
    try (S3Client client = s3.client()) {
      assertThat(client.listMultipartUploads(b -> b.bucket(bucket).prefix(id + "/")).uploads())
          .as("the upload the kill cut short, begun (else this test proves nothing)").isNotEmpty();
    }
    assertThat(bucketObjects(id)).as("the bucket").containsOnlyKeys("/a");
    assertThat(bucketObjects(id).get("/a")).isEqualTo(content("/a"));
    try (ObjMapper store = putStore(root.resolve(id), id, s3.endpoint().toString(), bucket).build()) {
      assertThat(store.stat(MOVED)).isEmpty();
      assertThat(read(store, "/a")).isEqualTo(content("/a"));
      store.put(MOVED, content(MOVED));
      assertThat(bucketObjects(id).get(MOVED)).isEqualTo(content(MOVED));
    }
  }

  @Test
  void aMoveOntoABucketHoldingAnOlderVersionKilledBeforeTheUploadKeepsTheNewVersion() throws Exception {
    String id = caseId(Scenario.OVER_OLD, MigrationStep.JOURNALED);
    Path dir = killedAt(id);
    assertThat(bucketObjects(id).get(OVER_OLD)).as("the older version in the bucket").isEqualTo(overOld(1));
    try (ObjMapper store = store(dir, id).build()) {
      assertThat(read(store, OVER_OLD)).isEqualTo(overOld(2));
      assertThat(Files.readAllBytes(dir.resolve(DISK).resolve(OVER_OLD.substring(1)))).isEqualTo(overOld(2));
      assertThat(store.move(OVER_OLD, ARCHIVE).tier()).isEqualTo(ARCHIVE);
      assertThat(bucketObjects(id).get(OVER_OLD)).as("the move, made again").isEqualTo(overOld(2));
    }
  }

  /** Version {@code v} of {@link #OVER_OLD}: the same size each time, other bytes. */
  static byte[] overOld(int v) {
    return TestStores.version(v, 50_000);
  }

  private static byte[] read(ObjMapper store, String name) {
    try (ObjectLease lease = store.open(name)) {
      return lease.readAllBytes();
    }
  }

  // ---- the parent's side ------------------------------------------------------------------

  private static Path killedAt(String id) {
    assertThat(outcomes.get(id)).as("what the child's store of case %s said", id).startsWith(KILL_POINT);
    return root.resolve(id);
  }

  private static Map<String, byte[]> expected() {
    Map<String, byte[]> expected = new LinkedHashMap<>();
    for (String name : NAMES) {
      expected.put(name, content(name));
    }
    return expected;
  }

  /** The bucket's objects below the case's prefix: name → bytes. */
  private static Map<String, byte[]> bucketObjects(String id) {
    Map<String, byte[]> found = new TreeMap<>();
    try (S3Client client = s3.client()) {
      for (S3Object o : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(id + "/")).contents()) {
        found.put("/" + o.key().substring(id.length() + 1),
            client.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray());
      }
    }
    return found;
  }

  /**
   * Every expected object is held exactly once (a file on the disk that is not a staged copy,
   * or a key in the bucket), byte for byte; stat, open and list agree; the counts match.
   */
  private static void assertInventory(Path dir, String id, ObjMapper store, Map<String, byte[]> expected,
      String when) throws IOException {
    Map<String, Path> onDisk = DiskInventory.objects(dir.resolve(DISK));
    Map<String, byte[]> inBucket = bucketObjects(id);
    SoftAssertions soft = new SoftAssertions();
    for (Map.Entry<String, byte[]> x : expected.entrySet()) {
      String name = x.getKey();
      byte[] bytes = x.getValue();
      Placement p = store.placement(name).orElse(null);
      soft.assertThat(p).as("%s: placement of %s", when, name).isNotNull();
      boolean cacheCopy = p != null && p.tier().equals(DISK) && p.homeTier().equals(ARCHIVE);
      List<String> holders = new ArrayList<>();
      if (onDisk.containsKey(name) && !cacheCopy) {
        holders.add(DISK);
      }
      if (inBucket.containsKey(name)) {
        holders.add(ARCHIVE);
      }
      soft.assertThat(holders).as("%s: the tiers holding %s", when, name).hasSize(1);
      if (onDisk.containsKey(name)) {
        soft.assertThat(Files.readAllBytes(onDisk.get(name))).as("%s: the disk's file of %s", when, name)
            .isEqualTo(bytes);
      }
      if (inBucket.containsKey(name)) {
        soft.assertThat(inBucket.get(name)).as("%s: the bucket's object %s", when, name).isEqualTo(bytes);
      }
      try (ObjectLease lease = store.open(name)) {
        soft.assertThat(lease.readAllBytes()).as("%s: content of %s", when, name).isEqualTo(bytes);
      } catch (ObjMapperException e) {
        soft.fail(when + ": open " + name + " failed: " + e);
      }
      soft.assertThat(store.stat(name)).as("%s: stat of %s", when, name).isPresent();
    }
    soft.assertThat(DiskInventory.tempFilesButSpares(dir.resolve(DISK))).as("%s: temporary files", when).isEmpty();
    soft.assertThat(inBucket.keySet()).as("%s: the bucket holds nothing else", when).isSubsetOf(expected.keySet());
    soft.assertThat(onDisk.keySet()).as("%s: the disk holds nothing else", when).isSubsetOf(expected.keySet());
    soft.assertAll();
    // The counts (the opens above staged copies onto the disk): the disk's at once, the
    // bucket's once its background LIST has ended.
    onDisk = DiskInventory.objects(dir.resolve(DISK));
    ObjMapperStats.TierStats disk = tierStats(store, DISK);
    assertThat(disk.objects()).as("%s: objects counted on the disk", when).isEqualTo(onDisk.size());
    assertThat(disk.bytes()).as("%s: bytes counted on the disk", when).isEqualTo(DiskInventory.bytes(dir.resolve(DISK)));
    long bucketBytes = inBucket.values().stream().mapToLong(b -> b.length).sum();
    while (tierStats(store, ARCHIVE).objects() != inBucket.size() || tierStats(store, ARCHIVE).bytes() != bucketBytes) {
      Thread.yield(); // the background LIST counts the bucket (bounded by the class's @Timeout)
    }
  }

  private static ObjMapperStats.TierStats tierStats(ObjMapper store, String tier) {
    return store.stats().tiers().stream().filter(t -> t.name().equals(tier)).findFirst().orElseThrow();
  }

  // ---- shared by both sides ---------------------------------------------------------------

  /** The bytes of {@code name}: {@link #MOVED} is 9 MiB and a bit (two upload parts), the rest up to 200 KB. */
  static byte[] content(String name) {
    if (name.equals("/empty")) {
      return new byte[0];
    }
    Random random = new Random(name.hashCode());
    byte[] b = new byte[name.equals(MOVED) ? 9 * 1024 * 1024 + 123 : 1 + random.nextInt(200_000)];
    random.nextBytes(b);
    return b;
  }

  static byte[] stagedContent(int v) {
    return TestStores.version(v, 300_000);
  }

  /** The store of a case: "disk" (fs, persisted index) and "archive" (s3, the case's prefix). */
  static ObjMapper.Builder store(Path dir, String id) {
    return store(dir, id, s3.endpoint().toString(), bucket);
  }

  static ObjMapper.Builder store(Path dir, String id, String endpoint, String bucket) {
    TierConfig disk = TierConfig.builder().name(DISK).type("fs").root(TestStores.mkdirs(dir.resolve(DISK)))
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
            TierFlag.MIGRATION_DST)
        .perfFactor(3.0).persistIndex(true).build();
    TierConfig archive = TierConfig.builder().name(ARCHIVE).type("s3").perfFactor(500.0)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
            TierFlag.MIGRATION_DST)
        .option("bucket", bucket).option("prefix", id + "/").option("endpoint", endpoint)
        .option("region", S3TestServer.REGION).option("path_style", "true")
        .option("request_timeout_ms", "30000").option("revalidate_ms", "5000").build();
    return ObjMapper.builder().tier(disk).tier(archive).lifecycle(TestStores.manualLifecycle())
        .expectedObjects(1_000);
  }

  /** A store whose only persistent tier is the bucket: a volatile memory tier above it. */
  static ObjMapper.Builder putStore(Path dir, String id, String endpoint, String bucket) {
    ObjMapper.Builder b = store(dir, id, endpoint, bucket);
    TierConfig archive = b.tiers.get(1);
    return ObjMapper.builder().tier(TestStores.memory(TestStores.mkdirs(dir.resolve("mem-base")))).tier(archive)
        .lifecycle(TestStores.manualLifecycle());
  }

  /**
   * The child JVM: {@code Child <root> <endpoint> <bucket> <scenario-step>...}; each case in a
   * thread of its own, announcing its killing point and blocking there.
   */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      Path root = Path.of(args[0]);
      List<Thread> threads = new ArrayList<>();
      for (int i = 3; i < args.length; i++) {
        String id = args[i];
        Thread t = new Thread(() -> {
          try {
            runCase(root.resolve(id), id, args[1], args[2]);
            System.out.println(ENDED + id + " without reaching its killing point");
          } catch (Throwable e) {
            System.out.println(ENDED + id + " with " + e.toString().replace('\n', ' '));
            e.printStackTrace();
          }
          System.out.flush();
        }, "case-" + id);
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      MigrationCrashTest.blockUntilKilled();
    }

    private static void runCase(Path dir, String id, String endpoint, String bucket) throws Exception {
      Scenario scenario = Scenario.valueOf(id.substring(0, id.indexOf('-')));
      MigrationStep killAt = MigrationStep.valueOf(id.substring(id.indexOf('-') + 1));
      AtomicBoolean armed = new AtomicBoolean();
      BlockingS3Provider provider = new BlockingS3Provider(id);
      if (scenario == Scenario.PUT) {
        ObjMapper store = putStore(dir, id, endpoint, bucket)
            .providers(TierProviders.of(new io.objmapper.internal.tier.MemoryTierProvider(), provider)).build();
        store.put("/a", content("/a"));
        store.put(MOVED, new PartThenBlock(new java.io.ByteArrayInputStream(content(MOVED)), id,
            "put of " + MOVED + " after its first part"));
        return;
      }
      TestStores.FakeClock clock = new TestStores.FakeClock();
      ObjMapper store = store(dir, id, endpoint, bucket)
          .providers(TierProviders.of(new FsTierProvider(), provider))
          .nanoClock(clock)
          .migrationSteps(step -> {
            if (step == killAt && armed.compareAndSet(true, false)) {
              MigrationCrashTest.announce(id, step.name());
              MigrationCrashTest.blockUntilKilled();
            }
          })
          .build(); // never closed: the process is killed
      for (String name : NAMES) {
        store.put(name, content(name));
      }
      if (scenario != Scenario.MOVE && scenario != Scenario.UPLOAD) {
        store.put(STAGED, stagedContent(1));
        store.move(STAGED, ARCHIVE); // now only the bucket holds it
      }
      switch (scenario) {
        case OVER_OLD -> {
          store.put(OVER_OLD, overOld(2));
          try (S3Client client = S3Client.builder().endpointOverride(java.net.URI.create(endpoint))
              .region(software.amazon.awssdk.regions.Region.of(S3TestServer.REGION)).forcePathStyle(true)
              .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
              .build()) {
            client.putObject(b -> b.bucket(bucket).key(id + OVER_OLD), RequestBody.fromBytes(overOld(1)));
          }
          armed.set(true);
          store.move(OVER_OLD, ARCHIVE);
        }
        case MOVE -> {
          store.move("/a", ARCHIVE);
          armed.set(true);
          store.move(MOVED, ARCHIVE);
        }
        case UPLOAD -> {
          store.move("/a", ARCHIVE);
          provider.armed.set(true);
          store.move(MOVED, ARCHIVE);
        }
        case STAGE -> {
          provider.armed.set(true);
          store.open(STAGED).close();
        }
        case STAGED_WHOLE -> {
          try (ObjectLease lease = store.open(STAGED)) {
            lease.readAllBytes();
          }
          MigrationCrashTest.announce(id, "staged whole");
          MigrationCrashTest.blockUntilKilled();
        }
        case EVICT -> {
          store.open(STAGED).close();
          clock.advanceMillis(TimeUnit.DAYS.toMillis(30)); // every object is cold now
          armed.set(true);
          store.runLifecycle();
        }
      }
    }
  }

  /**
   * The s3 tier whose reads (stagings) and uploads from a file stop half-way once {@link
   * #armed}: a multipart upload then has its first part sent and no more.
   */
  static final class BlockingS3Provider implements TierProvider {
    final AtomicBoolean armed = new AtomicBoolean();
    private final S3TierProvider s3 = new S3TierProvider();
    private final String caseId;

    BlockingS3Provider(String caseId) {
      this.caseId = caseId;
    }

    @Override
    public String type() {
      return "s3";
    }

    @Override
    public Tier create(TierConfig config) throws IOException {
      return new ForwardingTier(s3.create(config)) {
        @Override
        public InputStream openStream(String name) throws IOException {
          InputStream in = delegate.openStream(name);
          return armed.get() ? new MigrationCrashTest.HalfThenBlock(in, caseId, "staging of " + name + " half-way") : in;
        }

        @Override
        public io.objmapper.spi.ObjectStat write(String name, FileChannel source, long position, long count)
            throws IOException {
          if (!armed.get()) {
            return delegate.write(name, source, position, count);
          }
          // Past the first part (8 MiB) the stream blocks: the upload has begun and never ends.
          InputStream in = Channels.newInputStream(source.position(position));
          return delegate.write(name, new PartThenBlock(in, caseId, "upload of " + name + " after its first part"));
        }
      };
    }
  }

  /** Yields 8 MiB and a bit, then announces the kill point and blocks. */
  static final class PartThenBlock extends java.io.FilterInputStream {
    private final String caseId;
    private final String what;
    private long given;

    PartThenBlock(InputStream in, String caseId, String what) {
      super(in);
      this.caseId = caseId;
      this.what = what;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (given >= 8 * 1024 * 1024 + 4096) {
        MigrationCrashTest.announce(caseId, what);
        MigrationCrashTest.blockUntilKilled();
      }
      int n = super.read(b, off, (int) Math.min(len, 8 * 1024 * 1024 + 4096 - given));
      if (n > 0) {
        given += n;
      }
      return n;
    }
  }
}
