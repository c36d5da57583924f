package io.objmapper;

import static io.objmapper.TestStores.disk;
import static io.objmapper.TestStores.filesBelow;
import static io.objmapper.TestStores.migratable;
import static io.objmapper.TestStores.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.internal.tier.FsTierProvider;
import io.objmapper.internal.tier.MemoryTierProvider;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProvider;
import io.objmapper.spi.TierProviders;
import io.objmapper.spi.contract.InMemoryRemoteTier;
import java.io.FilterInputStream;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A remote tier whose GET announces a length (as the s3 tier's answer does with its
 * Content-Length) and then gives a body of another length: the staging fails with a
 * StorageException (STORAGE_ERROR on the wire) and leaves no copy, no temporary file and no
 * index entry on any local tier; once the tier answers whole again, the object is served.
 */
class StagedLengthTest {
  private static final String TYPE = "announcing-remote";
  /** How many bytes more than its body each tier's stream announces, by the tier's "key" option. */
  private static final Map<String, AtomicLong> MISCOUNT = new ConcurrentHashMap<>();

  @TempDir Path dir;

  /** The kit's in-memory remote tier, whose streams announce their version's stat with {@code MISCOUNT} added. */
  private static final class AnnouncingProvider implements TierProvider {
    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public Tier create(TierConfig config) {
      InMemoryRemoteTier real = new InMemoryRemoteTier(config);
      AtomicLong miscount = MISCOUNT.get(config.options().get("key"));
      return (Tier) Proxy.newProxyInstance(Tier.class.getClassLoader(), new Class<?>[] {Tier.class},
          (proxy, method, args) -> {
            try {
              Object r = method.invoke(real, args);
              if (method.getName().equals("openStream") && miscount != null) {
                ObjectStat s = real.stat((String) args[0]);
                ObjectStat announced = new ObjectStat(s.size() + miscount.get(), s.mtimeMillis(), s.fileKey());
                return new Announcing((InputStream) r, announced);
              }
              return r;
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }
  }

  private static final class Announcing extends FilterInputStream implements Supplier<ObjectStat> {
    private final ObjectStat stat;

    Announcing(InputStream in, ObjectStat stat) {
      super(in);
      this.stat = stat;
    }

    @Override
    public ObjectStat get() {
      return stat;
    }
  }

  /** Files below {@code root} but the tier's own (its index, the files it makes ahead): objects and leftovers. */
  private static java.util.List<String> objectsAndLeftovers(Path root) throws Exception {
    return filesBelow(root).filter(f -> !f.startsWith(".objmapper_") && !f.startsWith(".objmapper-tmp-spare-")
        && !f.contains("/.objmapper-tmp-spare-")).toList();
  }

  private ObjMapper store(String key, long memCapacity) throws Exception {
    TierConfig.Builder mem = TierConfig.builder().name("mem").type("memory")
        .option("base_dir", TestStores.mkdirs(dir.resolve("mem-base")).toString())
        .flags(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE).perfFactor(1.0);
    ObjMapper.Builder b = ObjMapper.builder()
        .providers(TierProviders.of(new FsTierProvider(), new MemoryTierProvider(), new AnnouncingProvider()))
        .lifecycle(TestStores.manualLifecycle());
    if (memCapacity > 0) {
      b.tier(migratable(mem.capacityBytes(memCapacity).build()));
    }
    return b.tier(migratable(disk("disk", dir.resolve("disk"), 3.0)))
        .tier(migratable(TierConfig.builder().name("remote").type(TYPE).option("key", key)
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).perfFactor(500.0).build()))
        .build();
  }

  @ParameterizedTest(name = "announced {0} bytes off, memory tier of {1} bytes")
  @ValueSource(strings = {"-1,0", "1,0", "-1,1048576", "1,1048576", "-4096,1048576", "100000,0"})
  void aBodyOfAnotherLengthThanAnnouncedIsNotStaged(String spec) throws Exception {
    long miscount = Long.parseLong(spec.split(",")[0]);
    long memCapacity = Long.parseLong(spec.split(",")[1]);
    String key = UUID.randomUUID().toString();
    AtomicLong announcedOff = new AtomicLong();
    MISCOUNT.put(key, announcedOff);
    try (ObjMapper store = store(key, memCapacity)) {
      store.put("/o", version(3, 8192));
      assertThat(store.move("/o", "remote").tier()).isEqualTo("remote");
      announcedOff.set(miscount);

      assertThatThrownBy(() -> store.open("/o")).isInstanceOf(StorageException.class)
          .hasMessageContaining("/o").hasMessageContaining(miscount < 0 ? "is longer than the" : "ended after 8192 bytes");
      assertThat(objectsAndLeftovers(dir.resolve("disk"))).as("nothing left on disk, no temporary file").isEmpty();
      assertThat(objectsAndLeftovers(dir.resolve("mem-base"))).as("nothing left in memory").isEmpty();
      assertThat(store.stat("/o").orElseThrow().tier()).as("still the remote tier's only").isEqualTo("remote");

      announcedOff.set(0); // the tier answers whole again
      try (ObjectLease lease = store.open("/o")) {
        assertThat(lease.readAllBytes()).isEqualTo(version(3, 8192));
        assertThat(lease.tier()).isEqualTo(memCapacity > 0 ? "mem" : "disk");
      }
    } finally {
      MISCOUNT.remove(key);
    }
  }

  @ParameterizedTest(name = "announced {0} bytes off")
  @ValueSource(longs = {-1, 1})
  void aMoveOffTheRemoteTierOfABodyOfAnotherLengthFailsAndLeavesTheObjectWhereItWas(long miscount) throws Exception {
    String key = UUID.randomUUID().toString();
    AtomicLong announcedOff = new AtomicLong();
    MISCOUNT.put(key, announcedOff);
    try (ObjMapper store = store(key, 0)) {
      store.put("/m", version(4, 5000));
      store.move("/m", "remote");
      announcedOff.set(miscount);

      assertThatThrownBy(() -> store.move("/m", "disk")).isInstanceOf(StorageException.class)
          .hasMessageContaining(miscount < 0 ? "is longer than the" : "ended after 5000 bytes");
      assertThat(objectsAndLeftovers(dir.resolve("disk"))).isEmpty();
      assertThat(store.stat("/m").orElseThrow().tier()).isEqualTo("remote");

      announcedOff.set(0);
      assertThat(store.move("/m", "disk").tier()).isEqualTo("disk");
      try (ObjectLease lease = store.open("/m")) {
        assertThat(lease.readAllBytes()).isEqualTo(version(4, 5000));
      }
    } finally {
      MISCOUNT.remove(key);
    }
  }

  @Test
  void aCopyOfAStreamThatAnnouncesNoLengthGoesToAPersistentTierNotToMemory() throws Exception {
    // No MISCOUNT entry for this key: the tier's streams announce nothing, their length
    // comes from a separate stat, which cannot bound what the copy takes of memory.
    try (ObjMapper store = store(UUID.randomUUID().toString(), 1 << 20)) {
      store.put("/u", version(6, 3000));
      store.move("/u", "remote");
      try (ObjectLease lease = store.open("/u")) {
        assertThat(lease.tier()).isEqualTo("disk");
        assertThat(lease.readAllBytes()).isEqualTo(version(6, 3000));
      }
    }
  }

  @Test
  void withOnlyAMemoryTierWithoutCapacityACopyOfAStreamThatAnnouncesNoLengthStagesThere() throws Exception {
    try (ObjMapper store = ObjMapper.builder()
        .providers(TierProviders.of(new FsTierProvider(), new MemoryTierProvider(), new AnnouncingProvider()))
        .lifecycle(TestStores.manualLifecycle())
        .tier(migratable(TestStores.memory(TestStores.mkdirs(dir.resolve("mem-only")))))
        .tier(migratable(TierConfig.builder().name("remote").type(TYPE).option("key", UUID.randomUUID().toString())
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).perfFactor(500.0).build()))
        .build()) {
      store.put("/v", version(7, 100));
      store.move("/v", "remote");
      try (ObjectLease lease = store.open("/v")) {
        assertThat(lease.tier()).isEqualTo("mem");
        assertThat(lease.readAllBytes()).isEqualTo(version(7, 100));
      }
    }
  }
}
