package io.objmapper;

import static io.objmapper.TestStores.disk;
import static io.objmapper.TestStores.migratable;
import static io.objmapper.TestStores.version;
import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.internal.tier.FsTierProvider;
import io.objmapper.internal.tier.MemoryTierProvider;
import io.objmapper.spi.TierProviders;
import io.objmapper.spi.contract.InMemoryRemoteTierProvider;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Objects on a remote tier (the SPI kit's in-memory one) are staged on a local tier to be opened. */
class RemoteTierTest {
  @TempDir Path dir;

  /** The built-ins and the kit's remote tier (the kit's test-jar registers no provider). */
  private static ObjMapper.Builder withRemote() {
    return ObjMapper.builder().providers(TierProviders.of(new FsTierProvider(), new MemoryTierProvider(),
        new InMemoryRemoteTierProvider()));
  }

  private static TierConfig remote() {
    return TierConfig.builder().name("remote").type(InMemoryRemoteTierProvider.TYPE)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).perfFactor(500.0).build();
  }

  @Test
  void objectMovedToARemoteTierIsStagedOnALocalTierWhenOpened() throws Exception {
    try (ObjMapper store = withRemote().tier(migratable(disk("disk", dir.resolve("disk"), 3.0))).tier(migratable(remote())).build()) {
      store.put("/r", version(5, 64));
      assertThat(store.move("/r", "remote").tier()).isEqualTo("remote");
      try (ObjectLease lease = store.open("/r")) {
        assertThat(lease.tier()).isEqualTo("disk");
        assertThat(lease.readAllBytes()).isEqualTo(version(5, 64));
      }
    }
  }

  @Test
  void objectOnARemoteTierCanBeMovedBackToALocalTier() throws Exception {
    try (ObjMapper store = withRemote().tier(migratable(disk("disk", dir.resolve("disk"), 3.0))).tier(migratable(remote())).build()) {
      store.put("/r", version(7, 32));
      store.move("/r", "remote");
      assertThat(store.move("/r", "disk").tier()).isEqualTo("disk");
      assertThat(store.stats().tiers().get(1).objects()).isZero();
      try (ObjectLease lease = store.open("/r")) {
        assertThat(lease.readAllBytes()).isEqualTo(version(7, 32));
      }
    }
  }

  @Test
  void stagedCopyKeepsTheObjectsFlags() throws Exception {
    try (ObjMapper store = withRemote().tier(migratable(disk("disk", dir.resolve("disk"), 3.0))).tier(migratable(remote())).build()) {
      store.put("/p", version(1, 8), ObjectFlag.PINNED);
      store.move("/p", "remote");
      store.open("/p").close();
      assertThat(store.stat("/p")).map(ObjectInfo::tier).hasValue("disk");
      assertThat(store.stat("/p")).map(ObjectInfo::pinned).hasValue(true);
    }
  }

  @Test
  void objectSpilledToARemoteTierIsStagedWhenOpened() throws Exception {
    TierConfig smallDisk = TierConfig.builder().name("disk").type("fs").root(TestStores.mkdirs(dir.resolve("disk")))
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).perfFactor(3.0).capacityBytes(10).build();
    try (ObjMapper store = withRemote().tier(smallDisk).tier(remote()).build()) {
      assertThat(store.put("/big", version(6, 100)).tier()).isEqualTo("remote");
      try (ObjectLease lease = store.open("/big")) {
        assertThat(lease.readAllBytes()).isEqualTo(version(6, 100));
      }
    }
  }
}
