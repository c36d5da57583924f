package io.objmapper.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.objmapper.LifecyclePolicy;
import io.objmapper.ObjMapper;
import io.objmapper.ObjMapperStats;
import io.objmapper.ObjectNotFoundException;
import io.objmapper.Placement;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Micrometer binder reads the store's stats into a registry. */
class ObjMapperMetricsTest {
  @TempDir Path dir;
  private ObjMapper store;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  /** The lifecycle stores' clock: heat decays only when a test moves it. */
  private final AtomicLong clock = new AtomicLong();

  @BeforeEach
  void open() throws Exception {
    store = ObjMapper.builder()
        .tier(TierConfig.builder().name("mem").type("memory").option("base_dir", dir.toString())
            .flags(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE).build())
        .tier(TierConfig.builder().name("disk").type("fs").root(Files.createDirectories(dir.resolve("disk")))
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).perfFactor(3.0).build())
        .maxOpenFds(1)
        .build();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private double counter(String name) {
    return registry.get(name).functionCounter().count();
  }

  private double gauge(String name, String tier) {
    return registry.get(name).tag("tier", tier).gauge().value();
  }

  @Test
  void descriptorCacheCountersFollowTheStats() {
    new ObjMapperMetrics(store).bindTo(registry);
    store.put("/a", new byte[3]);
    store.put("/b", new byte[4]);
    for (int i = 0; i < 3; i++) {
      store.open("/a").close();
    }
    store.open("/b").close();
    var s = store.stats();
    assertThat(counter("objmapper.fdcache.hits")).isEqualTo(s.fdCacheHits()).isEqualTo(2);
    assertThat(counter("objmapper.fdcache.misses")).isEqualTo(s.fdCacheMisses()).isEqualTo(2);
    assertThat(counter("objmapper.fdcache.opens")).isEqualTo(s.opens());
    assertThat(counter("objmapper.fdcache.evictions")).isEqualTo(s.evictions()).isPositive();
    assertThat(counter("objmapper.fdcache.stale")).isZero();
    assertThat(registry.get("objmapper.fdcache.open").gauge().value()).isEqualTo(s.openDescriptors());
  }

  @Test
  void lookupAndIndexCountersFollowTheStats() {
    new ObjMapperMetrics(store).bindTo(registry);
    store.put("/a", new byte[1]);
    store.open("/a").close();
    try {
      store.open("/missing");
    } catch (ObjectNotFoundException expected) {
      // counted below
    }
    var s = store.stats();
    assertThat(counter("objmapper.lookups")).isEqualTo(s.lookups()).isEqualTo(2);
    assertThat(counter("objmapper.lookups.notfound")).isEqualTo(1);
    assertThat(counter("objmapper.index.hits")).isEqualTo(s.indexHits());
    assertThat(counter("objmapper.index.misses")).isEqualTo(s.indexMisses());
  }

  @Test
  void everyTierHasObjectAndByteGaugesTaggedWithItsName() {
    new ObjMapperMetrics(store).bindTo(registry);
    store.put("/disk1", new byte[10]);
    store.put("/disk2", new byte[20]);
    store.put("/mem", new byte[5], io.objmapper.ObjectFlag.EPHEMERAL);
    assertThat(gauge("objmapper.tier.objects", "disk")).isEqualTo(2);
    assertThat(gauge("objmapper.tier.bytes", "disk")).isEqualTo(30);
    assertThat(gauge("objmapper.tier.objects", "mem")).isEqualTo(1);
    assertThat(gauge("objmapper.tier.bytes", "mem")).isEqualTo(5);
  }

  @Test
  void extraTagsAreOnEveryMeter() {
    new ObjMapperMetrics(store, Tags.of("store", "main")).bindTo(registry);
    assertThat(registry.getMeters()).isNotEmpty()
        .allSatisfy(m -> assertThat(m.getId().getTag("store")).isEqualTo("main"));
  }

  @Test
  void metersReadNotANumberOnceTheStoreIsClosed() {
    new ObjMapperMetrics(store).bindTo(registry);
    store.close();
    assertThat(gauge("objmapper.tier.objects", "disk")).isNaN();
    assertThat(registry.get("objmapper.fdcache.open").gauge().value()).isNaN();
    assertThat(counter("objmapper.lifecycle.rounds")).isNaN();
  }

  /** Two fs tiers that give and take migrations; rounds run only when the test asks. */
  private ObjMapper fastAndSlow(long fastCapacity) throws Exception {
    return ObjMapper.builder()
        .nanoClock(clock::get)
        .tier(TierConfig.builder().name("fast").type("fs").root(Files.createDirectories(dir.resolve("fast")))
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
                TierFlag.MIGRATION_DST)
            .perfFactor(1.0).capacityBytes(fastCapacity).build())
        .tier(TierConfig.builder().name("slow").type("fs").root(Files.createDirectories(dir.resolve("slow")))
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
                TierFlag.MIGRATION_DST)
            .perfFactor(3.0).build())
        .lifecycle(LifecyclePolicy.defaults().toBuilder().intervalMillis(0).build())
        .build();
  }

  private void assertLifecycleCountersEqual(ObjMapperStats.Lifecycle l) {
    assertThat(counter("objmapper.lifecycle.rounds")).isEqualTo(l.rounds());
    assertThat(counter("objmapper.lifecycle.promotions")).isEqualTo(l.promotions());
    assertThat(counter("objmapper.lifecycle.demotions")).isEqualTo(l.demotions());
    assertThat(counter("objmapper.lifecycle.evictions")).isEqualTo(l.evictions());
    assertThat(counter("objmapper.lifecycle.manual.moves")).isEqualTo(l.manualMoves());
    assertThat(counter("objmapper.lifecycle.moved")).isEqualTo(l.bytesMoved());
    assertThat(counter("objmapper.lifecycle.failures")).isEqualTo(l.failures());
    assertThat(counter("objmapper.lifecycle.busy.rounds")).isEqualTo(l.busyRounds());
  }

  @Test
  void lifecycleCountersCountManualMovesAndRounds() throws Exception {
    try (ObjMapper s = fastAndSlow(TierConfig.UNLIMITED)) {
      new ObjMapperMetrics(s).bindTo(registry);
      assertThat(counter("objmapper.lifecycle.rounds")).isZero();
      s.put("/hot", new byte[100]);
      s.put("/cold", new byte[40]);
      s.move("/hot", "slow");
      assertThat(counter("objmapper.lifecycle.manual.moves")).isEqualTo(1);
      assertThat(counter("objmapper.lifecycle.moved")).isEqualTo(100);
      clock.addAndGet(TimeUnit.HOURS.toNanos(2)); // two half-lives: the puts' heat is down to a quarter
      for (int i = 0; i < 5; i++) {
        s.open("/hot").close();
      }
      s.runLifecycle();
      assertThat(s.placement("/hot")).map(Placement::tier).hasValue("fast");
      assertThat(s.placement("/cold")).map(Placement::tier).hasValue("slow");
      assertThat(counter("objmapper.lifecycle.rounds")).isEqualTo(1);
      assertThat(counter("objmapper.lifecycle.promotions")).isEqualTo(1);
      assertThat(counter("objmapper.lifecycle.demotions")).isEqualTo(1);
      assertThat(counter("objmapper.lifecycle.moved")).isEqualTo(100 + 100 + 40);
      assertThat(counter("objmapper.lifecycle.evictions")).isZero();
      assertThat(counter("objmapper.lifecycle.failures")).isZero();
      assertLifecycleCountersEqual(s.stats().lifecycle());
    }
  }

  @Test
  void evictionsFromAFullTierAreCounted() throws Exception {
    try (ObjMapper s = fastAndSlow(1000)) {
      new ObjMapperMetrics(s).bindTo(registry);
      s.put("/a", new byte[500]);
      clock.addAndGet(TimeUnit.MINUTES.toNanos(10)); // /a is the colder one
      s.put("/b", new byte[460]);
      assertThat(gauge("objmapper.tier.bytes", "fast")).isEqualTo(960);
      s.runLifecycle();
      assertThat(counter("objmapper.lifecycle.evictions")).isEqualTo(1);
      assertThat(counter("objmapper.lifecycle.moved")).isEqualTo(500); // /a, the coldest, until 460 <= 85 %
      assertThat(s.placement("/a")).map(Placement::tier).hasValue("slow");
      assertThat(gauge("objmapper.tier.bytes", "fast")).isLessThanOrEqualTo(850);
      assertLifecycleCountersEqual(s.stats().lifecycle());
    }
  }

  @Test
  void boundedTiersHaveACapacityGauge() throws Exception {
    try (ObjMapper s = fastAndSlow(1000)) {
      new ObjMapperMetrics(s).bindTo(registry);
      s.put("/a", new byte[300]);
      assertThat(gauge("objmapper.tier.capacity", "fast")).isEqualTo(1000);
      assertThat(gauge("objmapper.tier.bytes", "fast")).isEqualTo(300);
      assertThat(gauge("objmapper.tier.objects", "fast")).isEqualTo(1);
      assertThat(registry.find("objmapper.tier.capacity").tag("tier", "slow").gauge()).isNull();
    }
  }
}
