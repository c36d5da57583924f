package io.objmapper;

import static io.objmapper.TestStores.filesBelow;
import static io.objmapper.TestStores.migratable;
import static io.objmapper.TestStores.mkdirs;
import static io.objmapper.TestStores.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot objects move up, cold ones down, full tiers empty to their target, all under the rules; on a fake clock. */
class LifecycleTest {
  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);
  @TempDir Path dir;
  private final AtomicLong clock = new AtomicLong(1_000 * HOUR);

  private TierConfig fs(String name, double perf, long capacity, TierFlag... extra) {
    TierConfig.Builder b = TierConfig.builder().name(name).type("fs").root(mkdirs(dir.resolve(name)))
        .perfFactor(perf).flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE);
    if (capacity != TierConfig.UNLIMITED) {
      b.capacityBytes(capacity);
    }
    TierConfig c = b.build();
    java.util.Set<TierFlag> flags = java.util.EnumSet.copyOf(c.flags());
    flags.addAll(List.of(extra));
    return c.withFlags(flags);
  }

  private TierConfig memory(String name, double perf, long capacity) {
    TierConfig.Builder b = TierConfig.builder().name(name).type("memory").root(mkdirs(dir.resolve(name)))
        .perfFactor(perf).flags(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
            TierFlag.MIGRATION_DST);
    if (capacity != TierConfig.UNLIMITED) {
      b.capacityBytes(capacity);
    }
    return b.build();
  }

  private ObjMapper.Builder builder(TierConfig... tiers) {
    ObjMapper.Builder b = ObjMapper.builder().nanoClock(clock::get).lifecycle(TestStores.manualLifecycle());
    for (TierConfig t : tiers) {
      b.tier(t);
    }
    return b;
  }

  /** A fast (100 bytes) and a slow (unlimited) fs tier that both give and take migrations. */
  private ObjMapper twoDisks() throws IOException {
    return builder(migratable(fs("fast", 1, 100)), migratable(fs("slow", 3, TierConfig.UNLIMITED))).build();
  }

  private static void read(ObjMapper store, String name, int times) {
    for (int i = 0; i < times; i++) {
      store.open(name).close();
    }
  }

  private static String tierOf(ObjMapper store, String name) {
    try (ObjectLease lease = store.open(name)) {
      return lease.tier();
    }
  }

  /** Object files below {@code root} (the tier's own files left out) and their bytes. */
  private static long bytesOnDisk(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".objmapper"))
          .mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static void assertCountsMatchDisk(ObjMapper store, Path dir) throws IOException {
    for (ObjMapperStats.TierStats t : store.stats().tiers()) {
      Path root = dir.resolve(t.name());
      if (Files.isDirectory(root)) {
        assertThat(t.bytes()).as("bytes reported for %s", t.name()).isEqualTo(bytesOnDisk(root));
      }
    }
  }

  // ---- promotion, demotion, eviction ------------------------------------------------------

  @Test
  void aHotObjectOnTheSlowTierIsPromotedAndThenServedFromTheFastTier() throws Exception {
    try (ObjMapper store = twoDisks()) {
      store.put("/fill", version(1, 90)); // the fast tier is full below its watermark
      store.put("/h", version(2, 20));
      assertThat(store.stat("/h")).map(ObjectInfo::tier).hasValue("slow");
      store.delete("/fill");
      read(store, "/h", 5);
      MigrationRound round = store.runLifecycle();
      assertThat(round.promoted()).isEqualTo(1);
      assertThat(round.bytesMoved()).isEqualTo(20);
      try (ObjectLease lease = store.open("/h")) {
        assertThat(lease.tier()).isEqualTo("fast");
        assertThat(lease.tierId()).isZero();
        assertThat(lease.readAllBytes()).isEqualTo(version(2, 20));
      }
      assertThat(filesBelow(dir.resolve("slow")).filter(f -> !f.startsWith(".objmapper")).toList()).isEmpty();
      assertThat(store.stats().lifecycle().promotions()).isEqualTo(1);
      assertCountsMatchDisk(store, dir);
    }
  }

  @Test
  void anObjectLeftUnreadForHalfLivesIsDemoted() throws Exception {
    try (ObjMapper store = twoDisks()) {
      store.put("/c", version(1, 10));
      assertThat(store.stat("/c")).map(ObjectInfo::tier).hasValue("fast");
      assertThat(store.runLifecycle().moved()).as("a fresh write counts as a use").isZero();
      clock.addAndGet(3 * HOUR);
      MigrationRound round = store.runLifecycle();
      assertThat(round.demoted()).isEqualTo(1);
      assertThat(tierOf(store, "/c")).isEqualTo("slow");
    }
  }

  @Test
  void afterARestartObjectsNotYetReadAreNotDemotedUntilAHalfLifeHasPassed() throws Exception {
    try (ObjMapper store = twoDisks()) {
      store.put("/hot", version(1, 10));
      read(store, "/hot", 50);
    }
    // Heat lives in memory: the new store knows nothing of /hot's past.
    try (ObjMapper store = twoDisks()) {
      assertThat(store.placement("/hot")).hasValueSatisfying(p -> {
        assertThat(p.accesses()).isZero();
        assertThat(p.reason()).startsWith("not used since the store opened");
      });
      assertThat(store.stat("/hot")).isPresent();
      assertThat(store.runLifecycle().moved()).isZero();
      clock.addAndGet(30 * MINUTE);
      assertThat(store.runLifecycle().moved()).isZero();
      assertThat(store.stat("/hot")).map(ObjectInfo::tier).hasValue("fast");
      clock.addAndGet(31 * MINUTE); // a half-life without a read: now it is known to be cold
      assertThat(store.runLifecycle().demoted()).isEqualTo(1);
    }
  }

  @Test
  void aTierPastItsHighWatermarkSendsItsColdestObjectsDownToItsTarget() throws Exception {
    try (ObjMapper store = twoDisks()) {
      for (int i = 0; i < 10; i++) {
        store.put("/o" + i, version(i, 10)); // 100 of 100 bytes
        clock.addAndGet(MINUTE);
      }
      for (int i = 0; i < 10; i++) {
        read(store, "/o" + i, i + 1); // /o0 coldest
      }
      MigrationRound round = store.runLifecycle();
      assertThat(round.evicted()).isEqualTo(2);
      assertThat(tierOf(store, "/o0")).isEqualTo("slow");
      assertThat(tierOf(store, "/o1")).isEqualTo("slow");
      assertThat(tierOf(store, "/o2")).isEqualTo("fast");
      assertThat(store.stats().tiers().get(0).bytes()).isEqualTo(80);
      assertCountsMatchDisk(store, dir);
    }
  }

  @Test
  void theLastTierOfACacheOnlyStoreDeletesItsColdestObjectsWhenFull() throws Exception {
    try (ObjMapper store = builder(memory("m0", 1, 100), memory("m1", 2, 100)).build()) {
      for (int i = 0; i < 20; i++) {
        store.put("/o" + i, version(i, 10), ObjectFlag.EPHEMERAL);
      }
      for (int i = 0; i < 20; i++) {
        read(store, "/o" + i, i + 1);
      }
      MigrationRound round = store.runLifecycle();
      assertThat(round.evicted()).isEqualTo(2);
      assertThat(store.exists("/o10")).isFalse(); // the coldest on m1
      assertThat(store.exists("/o11")).isFalse();
      assertThat(store.exists("/o12")).isTrue();
      assertThat(store.stats().tiers()).extracting(ObjMapperStats.TierStats::bytes).containsExactly(100L, 80L);
      assertCountsMatchDisk(store, dir);
    }
  }

  @Test
  void pinnedObjectsAreNeitherEvictedNorDemoted() throws Exception {
    try (ObjMapper store = twoDisks()) {
      store.put("/p", version(1, 100), ObjectFlag.PINNED);
      clock.addAndGet(10 * HOUR);
      assertThat(store.runLifecycle().moved()).isZero();
      assertThat(tierOf(store, "/p")).isEqualTo("fast");
      assertThat(store.placement("/p")).hasValueSatisfying(p -> assertThat(p.reason()).startsWith("pinned"));
    }
  }

  @Test
  void aRoundMovesAtMostTheBatchSize() throws Exception {
    try (ObjMapper store = builder(migratable(fs("fast", 1, TierConfig.UNLIMITED)),
        migratable(fs("slow", 3, TierConfig.UNLIMITED)))
        .lifecycle(TestStores.manualLifecycle().toBuilder().migrationBatchSize(3).build()).build()) {
      for (int i = 0; i < 10; i++) {
        store.put("/o" + i, version(i, 4));
      }
      clock.addAndGet(5 * HOUR);
      assertThat(store.runLifecycle().demoted()).isEqualTo(3);
      assertThat(store.runLifecycle().demoted()).isEqualTo(3);
    }
  }

  @Test
  void aBusyStoreMovesFewerObjectsPerRound() throws Exception {
    LifecyclePolicy policy = TestStores.manualLifecycle().toBuilder().migrationBatchSize(10)
        .busyRequestsPerSecond(100).build();
    try (ObjMapper store = builder(migratable(fs("fast", 1, TierConfig.UNLIMITED)),
        migratable(fs("slow", 3, TierConfig.UNLIMITED))).lifecycle(policy).build()) {
      for (int i = 0; i < 10; i++) {
        store.put("/o" + i, version(i, 4));
      }
      clock.addAndGet(5 * HOUR);
      MigrationRound quiet = store.runLifecycle(); // also starts the rate's interval
      assertThat(quiet.allowed()).isEqualTo(10);
      assertThat(quiet.threads()).as("a quiet store moves on two threads").isEqualTo(2);
      assertThat(quiet.demoted()).isEqualTo(10);
      store.put("/x", version(1, 1));
      clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
      read(store, "/x", 400); // 400 requests/s: four times the busy rate
      MigrationRound round = store.runLifecycle();
      assertThat(round.allowed()).isEqualTo(2);
      assertThat(round.threads()).as("a busy store moves on one").isEqualTo(1);
      assertThat(store.stats().lifecycle().busyRounds()).isEqualTo(1);
    }
  }

  // ---- the rules --------------------------------------------------------------------------

  @Test
  void movesNeedMigrationSrcOnTheSourceAndMigrationDstOnTheTarget() throws Exception {
    try (ObjMapper store = builder(fs("fast", 1, TierConfig.UNLIMITED, TierFlag.MIGRATION_SRC, TierFlag.MIGRATION_DST),
        fs("slow", 3, TierConfig.UNLIMITED, TierFlag.MIGRATION_DST)).build()) {
      store.put("/a", version(1, 4));
      assertThat(store.move("/a", "slow").tier()).isEqualTo("slow");
      assertThatThrownBy(() -> store.move("/a", "fast")).isInstanceOf(TierRuleException.class)
          .hasMessageContaining("migration_src");
      assertThat(tierOf(store, "/a")).isEqualTo("slow");
    }
    try (ObjMapper store = builder(fs("fast2", 1, TierConfig.UNLIMITED, TierFlag.MIGRATION_SRC),
        fs("slow2", 3, TierConfig.UNLIMITED, TierFlag.MIGRATION_SRC)).build()) {
      store.put("/b", version(1, 4));
      assertThatThrownBy(() -> store.move("/b", "slow2")).isInstanceOf(TierRuleException.class)
          .hasMessageContaining("migration_dst");
      assertThat(tierOf(store, "/b")).isEqualTo("fast2");
    }
  }

  @Test
  void anObjectOnAReadOnlyTierCannotBeMovedOffIt() throws Exception {
    Path ro = mkdirs(dir.resolve("ro"));
    Files.write(ro.resolve("r"), version(1, 8));
    TierConfig readOnly = TierConfig.builder().name("ro").type("fs").root(ro).perfFactor(3)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.MIGRATION_SRC).build();
    try (ObjMapper store = builder(migratable(fs("fast", 1, TierConfig.UNLIMITED)), readOnly).build()) {
      assertThatThrownBy(() -> store.move("/r", "fast")).isInstanceOf(TierRuleException.class)
          .hasMessageContaining("not writable");
      assertThat(tierOf(store, "/r")).isEqualTo("ro");
      assertThat(Files.exists(dir.resolve("fast").resolve("r"))).isFalse();
    }
  }

  @Test
  void anEphemeralObjectIsNeverMovedOntoAPersistentTier() throws Exception {
    try (ObjMapper store = builder(memory("mem", 1, TierConfig.UNLIMITED),
        migratable(fs("disk", 3, TierConfig.UNLIMITED))).build()) {
      store.put("/e", version(1, 4), ObjectFlag.EPHEMERAL);
      assertThatThrownBy(() -> store.move("/e", "disk")).isInstanceOf(TierRuleException.class)
          .hasMessageContaining("EPHEMERAL");
      clock.addAndGet(10 * HOUR);
      assertThat(store.runLifecycle().moved()).isZero();
      assertThat(tierOf(store, "/e")).isEqualTo("mem");
      assertThat(filesBelow(dir.resolve("disk")).filter(f -> !f.startsWith(".objmapper")).toList()).isEmpty();
    }
  }

  @Test
  void aMoveToATierWithoutRoomFailsWithCapacityExceptionAndChangesNothing() throws Exception {
    try (ObjMapper store = twoDisks()) {
      store.put("/a", version(1, 90));
      store.put("/big", version(2, 50));
      assertThatThrownBy(() -> store.move("/big", "fast")).isInstanceOf(CapacityException.class);
      assertThat(tierOf(store, "/big")).isEqualTo("slow");
      assertCountsMatchDisk(store, dir);
    }
  }

  // ---- durability across tiers ------------------------------------------------------------

  private ObjMapper memoryOverDisk() throws IOException {
    return builder(memory("mem", 1, 1_000), migratable(fs("disk", 3, TierConfig.UNLIMITED))).build();
  }

  @Test
  void aPersistentObjectPromotedOntoMemoryKeepsItsDiskCopyAndIsServedFromDiskAfterARestart() throws Exception {
    try (ObjMapper store = memoryOverDisk()) {
      store.put("/p", version(3, 64));
      assertThat(store.stat("/p")).map(ObjectInfo::tier).hasValue("disk");
      read(store, "/p", 5);
      assertThat(store.runLifecycle().promoted()).isEqualTo(1);
      assertThat(tierOf(store, "/p")).isEqualTo("mem");
      assertThat(dir.resolve("disk").resolve("p")).exists();
      assertThat(store.placement("/p")).hasValueSatisfying(p -> {
        assertThat(p.tier()).isEqualTo("mem");
        assertThat(p.homeTier()).isEqualTo("disk");
        assertThat(p.reason()).contains("cached copy");
      });
      assertThat(store.list("/")).extracting(ObjectInfo::name).containsExactly("/p");
    }
    try (ObjMapper store = memoryOverDisk()) {
      try (ObjectLease lease = store.open("/p")) {
        assertThat(lease.tier()).isEqualTo("disk");
        assertThat(lease.readAllBytes()).isEqualTo(version(3, 64));
      }
      assertThat(store.stats().tiers().get(0).objects()).as("the stale cached copy is dropped").isZero();
    }
  }

  @Test
  void aColdCachedCopyIsDroppedWithoutWritingBack() throws Exception {
    try (ObjMapper store = memoryOverDisk()) {
      store.put("/p", version(1, 64));
      read(store, "/p", 5);
      store.runLifecycle();
      Path home = dir.resolve("disk").resolve("p");
      long homeModified = Files.getLastModifiedTime(home).toMillis();
      clock.addAndGet(10 * HOUR);
      MigrationRound round = store.runLifecycle();
      assertThat(round.demoted()).isEqualTo(1);
      assertThat(round.bytesMoved()).isZero();
      assertThat(tierOf(store, "/p")).isEqualTo("disk");
      assertThat(Files.getLastModifiedTime(home).toMillis()).isEqualTo(homeModified);
      assertThat(store.stats().tiers().get(0).bytes()).isZero();
    }
  }

  @Test
  void aCachedCopyThatChangedIsWrittenBackWhenDropped() throws Exception {
    try (ObjMapper store = memoryOverDisk()) {
      store.put("/p", version(1, 64));
      store.move("/p", "mem");
      Path cached = dir.resolve("mem").resolve("p");
      Files.write(cached, version(2, 70)); // changed through a descriptor, as the C write mode allows
      store.move("/p", "disk");
      try (ObjectLease lease = store.open("/p")) {
        assertThat(lease.tier()).isEqualTo("disk");
        assertThat(lease.readAllBytes()).isEqualTo(version(2, 70));
      }
      assertThat(cached).doesNotExist();
    }
  }

  @Test
  void anOverwriteOrDeleteOfACachedObjectLeavesNoOldCopyAnywhere() throws Exception {
    try (ObjMapper store = memoryOverDisk()) {
      store.put("/p", version(1, 64));
      store.move("/p", "mem");
      store.put("/p", version(2, 32));
      assertThat(store.open("/p").readAllBytes()).isEqualTo(version(2, 32));
      assertThat(dir.resolve("mem").resolve("p")).doesNotExist();
      store.move("/p", "mem");
      assertThat(store.delete("/p")).isTrue();
      assertThat(dir.resolve("mem").resolve("p")).doesNotExist();
      assertThat(dir.resolve("disk").resolve("p")).doesNotExist();
      assertCountsMatchDisk(store, dir);
    }
  }

  // ---- capacity accounting ----------------------------------------------------------------

  @Test
  void aPutThatFitsNowhereFailsWithCapacityExceptionAndLeavesNothingBehind() throws Exception {
    try (ObjMapper store = builder(fs("a", 1, 100), fs("b", 3, 50)).build()) {
      store.put("/x", version(1, 80));
      assertThatThrownBy(() -> store.put("/y", version(2, 60))).isInstanceOf(CapacityException.class)
          .satisfies(e -> assertThat(((ObjMapperException) e).code())
              .isEqualTo(ErrorCode.STORAGE_ERROR));
      assertThat(store.exists("/y")).isFalse();
      assertThat(filesBelow(dir).filter(f -> !f.contains(".objmapper")).toList())
          .containsExactly("a" + java.io.File.separator + "x");
      assertCountsMatchDisk(store, dir);
    }
  }

  @Test
  void countsStayRightAcrossPutsOverwritesDeletesMovesAndARestart() throws Exception {
    try (ObjMapper store = twoDisks()) {
      store.put("/a", version(1, 30));
      store.put("/b", version(2, 40));
      store.put("/a", version(3, 10)); // overwrite, smaller
      store.put("/c", version(4, 70)); // does not fit on fast: slow
      store.move("/b", "slow");
      store.delete("/c");
      assertCountsMatchDisk(store, dir);
      assertThat(store.stats().tiers()).extracting(ObjMapperStats.TierStats::objects).containsExactly(1L, 1L);
    }
    try (ObjMapper store = twoDisks()) {
      assertCountsMatchDisk(store, dir);
      assertThat(store.stats().tiers()).extracting(ObjMapperStats.TierStats::bytes).containsExactly(10L, 40L);
    }
  }

  @Test
  void concurrentPutsNeverOverfillATier() throws Exception {
    try (ObjMapper store = builder(fs("small", 1, 1_000), fs("big", 3, TierConfig.UNLIMITED)).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<ObjectInfo>> puts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          int n = i;
          puts.add(pool.submit(() -> store.put("/o" + n, version(n, 30))));
        }
        for (Future<ObjectInfo> f : puts) {
          f.get();
        }
      } finally {
        pool.shutdown();
        assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
      }
      assertThat(store.stats().tiers().get(0).bytes()).isLessThanOrEqualTo(1_000).isGreaterThan(900);
      assertThat(bytesOnDisk(dir.resolve("small"))).isLessThanOrEqualTo(1_000);
      assertCountsMatchDisk(store, dir);
    }
  }

  // ---- visibility -------------------------------------------------------------------------

  @Test
  void placementTellsTheTierTheScoreAndWhy() throws Exception {
    try (ObjMapper store = twoDisks()) {
      store.put("/fill", version(1, 96));
      store.put("/h", version(1, 10));
      read(store, "/h", 4);
      Placement p = store.placement("/h").orElseThrow();
      assertThat(p.tier()).isEqualTo("slow");
      assertThat(p.tierId()).isEqualTo(1);
      assertThat(p.homeTier()).isEqualTo("slow");
      assertThat(p.accesses()).isEqualTo(5); // the put and four reads
      assertThat(p.heat()).isEqualTo(5.0);
      assertThat(p.score()).isGreaterThan(0.96);
      assertThat(p.reason()).startsWith("hot").contains("moves up to fast");
      clock.addAndGet(10 * HOUR);
      assertThat(store.placement("/h").orElseThrow().reason()).startsWith("cold");
      assertThat(store.placement("/none")).isEmpty();
      assertThatThrownBy(() -> store.placement("no-slash"))
          .isInstanceOf(io.objmapper.spi.InvalidObjectNameException.class);
    }
  }

  @Test
  void backgroundRoundsRunAtTheConfiguredInterval() throws Exception {
    LifecyclePolicy every10ms = LifecyclePolicy.builder().intervalMillis(10).build();
    try (ObjMapper store = ObjMapper.builder().tier(migratable(fs("fast", 1, TierConfig.UNLIMITED)))
        .tier(migratable(fs("slow", 3, TierConfig.UNLIMITED))).lifecycle(every10ms).build()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (store.stats().lifecycle().rounds() < 3 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(store.stats().lifecycle().rounds()).isGreaterThanOrEqualTo(3);
    }
  }
}
