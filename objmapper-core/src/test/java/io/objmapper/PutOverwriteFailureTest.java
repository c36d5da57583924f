package io.objmapper;

import static io.objmapper.TestStores.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierProviders;
import io.objmapper.testing.ForwardingTier;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A put that overwrites an object removes its older copies from the other tiers. One tier
 * refusing to delete its copy fails the put with a storage error, but the other tiers' older
 * copies still go, and the store serves the new version (never an older copy).
 */
class PutOverwriteFailureTest {
  @TempDir Path dir;

  /** Tier "a" refuses to delete anything. */
  private static final class RefusingDelete extends ForwardingTier {
    RefusingDelete(Tier tier) {
      super(tier);
    }

    @Override
    public boolean delete(String name) throws IOException {
      if (config().name().equals("a")) {
        throw new AccessDeniedException(name);
      }
      return delegate.delete(name);
    }
  }

  @Test
  void aTierThatCannotDeleteItsOlderCopyFailsThePutButNotTheOtherTiersRemovals() throws Exception {
    Files.createDirectories(dir.resolve("a"));
    Files.createDirectories(dir.resolve("b"));
    Files.write(dir.resolve("a/x"), version(1, 50)); // older copies, found by the store's first scan
    Files.write(dir.resolve("b/x"), version(1, 50));
    try (ObjMapper store = ObjMapper.builder().providers(TierProviders.of(ForwardingTier.wrappingFs(RefusingDelete::new)))
        .tier(TestStores.disk("a", dir.resolve("a"), 3.0))
        .tier(TestStores.disk("b", dir.resolve("b"), 2.0))
        .tier(TestStores.disk("c", dir.resolve("c"), 1.0))
        .build()) {
      assertThatThrownBy(() -> store.put("/x", version(2, 80))).isInstanceOf(StorageException.class)
          .hasMessageContaining("cannot delete /x from a");
      assertThat(dir.resolve("b/x")).as("the older copy on b").doesNotExist();
      assertThat(dir.resolve("c/x")).as("the new version").exists();
      try (ObjectLease lease = store.open("/x")) {
        assertThat(lease.readAllBytes()).isEqualTo(version(2, 80));
        assertThat(lease.tier()).isEqualTo("c");
      }
    }
  }
}
