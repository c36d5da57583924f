package io.objmapper.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.objmapper.ObjMapper;
import io.objmapper.ObjectNotFoundException;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Micrometer binder reads the store's stats into a registry. */
class ObjMapperMetricsTest {
  @TempDir Path dir;
  private ObjMapper store;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

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
  }
}
