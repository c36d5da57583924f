package io.objmapper;

import static io.objmapper.TestStores.disk;
import static io.objmapper.TestStores.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.internal.serving.StoreAccess;
import io.objmapper.internal.tier.FsTierProvider;
import io.objmapper.internal.tier.MemoryTierProvider;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProviders;
import io.objmapper.spi.contract.InMemoryRemoteTierProvider;
import io.objmapper.spi.dir.AtomicWrite;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store side of a put whose bytes a client writes ({@link StoreAccess#stagePut}). */
class StagedPutTest {
  @TempDir Path dir;

  private static List<Path> temporaries(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(AtomicWrite.TEMP_PREFIX)).toList();
    }
  }

  private static void write(StoreAccess.StagedPut p, byte[] content) throws IOException {
    try (RandomAccessFile f = p.openWriter()) {
      f.write(content);
    }
  }

  @Test
  void aPutForATierWithoutLocalFilesIsStagedOnALocalTierAndCopiedThereAtTheCommit() throws Exception {
    Path scratch = Files.createDirectories(dir.resolve("scratch"));
    TierConfig local = TierConfig.builder().name("scratch").type("fs").root(scratch).perfFactor(1.0)
        .flags(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE).build();
    TierConfig remote = TierConfig.builder().name("remote").type(InMemoryRemoteTierProvider.TYPE)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).perfFactor(500.0).build();
    try (ObjMapper store = ObjMapper.builder().providers(TierProviders.of(new FsTierProvider(),
        new MemoryTierProvider(), new InMemoryRemoteTierProvider())).tier(local).tier(remote).build()) {
      StoreAccess.StagedPut p = ((StoreAccess) store).stagePut("/r", 0);
      assertThat(p.tierId()).as("the target: the only persistent writable tier").isEqualTo(1);
      assertThat(temporaries(scratch)).as("staged on the local tier").hasSize(1);
      write(p, version(3, 100));
      ObjectInfo info = p.commit();
      assertThat(info.tier()).isEqualTo("remote");
      assertThat(info.size()).isEqualTo(100);
      assertThat(temporaries(scratch)).isEmpty();
      try (ObjectLease lease = store.open("/r")) {
        assertThat(lease.readAllBytes()).isEqualTo(version(3, 100));
      }
    }
  }

  @Test
  void theStoresCloseAbortsPutsNeverCommittedAndACommitAfterItFails() throws Exception {
    Path root = dir.resolve("disk");
    StoreAccess.StagedPut p;
    try (ObjMapper store = ObjMapper.builder().tier(disk("disk", root, 1.0)).build()) {
      p = ((StoreAccess) store).stagePut("/left", 0);
      write(p, new byte[7]);
      assertThat(temporaries(root)).hasSize(1);
    }
    assertThat(temporaries(root)).as("a clean close leaves no temporary file (the next open would not scan)")
        .isEmpty();
    assertThatThrownBy(p::commit).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anAbortedPutChangesNothingAndCannotBeCommitted() throws Exception {
    Path root = dir.resolve("disk");
    try (ObjMapper store = ObjMapper.builder().tier(disk("disk", root, 1.0)).build()) {
      store.put("/a", version(1, 10));
      StoreAccess.StagedPut p = ((StoreAccess) store).stagePut("/a", 0);
      write(p, version(2, 20));
      p.abort();
      p.abort(); // idempotent
      assertThatThrownBy(p::commit).isInstanceOf(IllegalStateException.class);
      try (ObjectLease lease = store.open("/a")) {
        assertThat(lease.readAllBytes()).isEqualTo(version(1, 10));
      }
      assertThat(temporaries(root)).isEmpty();
      assertThat(store.stats().tiers().get(0).bytes()).isEqualTo(10);
    }
  }
}
