package io.objmapper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Index files under the tier root, and a second store on the same index. */
class StoreReviewFixesTest {
  @TempDir Path dir;

  private ObjMapper open(Path root) throws Exception {
    return ObjMapper.builder()
        .tier(TierConfig.builder().name("disk").type("fs").root(root)
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE)
            .persistIndex(true).indexPath(root.resolve("idx")).build())
        .build();
  }

  @Test
  void anIndexFileInsideTheTierRootIsNeverAnObject() throws Exception {
    Path root = Files.createDirectories(dir.resolve("disk"));
    try (ObjMapper store = open(root)) {
      store.put("/a", "a".getBytes(UTF_8));
      assertThat(store.list("/")).extracting(ObjectInfo::name).containsExactly("/a");
      assertThatThrownBy(() -> store.open("/idx.lock")).isInstanceOf(InvalidObjectNameException.class);
      assertThatThrownBy(() -> store.delete("/idx")).isInstanceOf(InvalidObjectNameException.class);
    }
    try (ObjMapper store = open(root)) {
      assertThat(store.stats().tiers().get(0).objects()).isEqualTo(1);
    }
  }

  @Test
  void onlyTheIndexFileAndItsCompanionsInItsOwnFolderAreRefused() throws Exception {
    Path root = Files.createDirectories(dir.resolve("disk"));
    try (ObjMapper store = ObjMapper.builder()
        .tier(TierConfig.builder().name("disk").type("fs").root(root)
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE)
            .persistIndex(true).indexPath(root.resolve("sub/idx")).build())
        .build()) {
      assertThatThrownBy(() -> store.open("/sub/idx")).isInstanceOf(InvalidObjectNameException.class);
      assertThatThrownBy(() -> store.put("/sub/idx.map.1", new byte[1])).isInstanceOf(InvalidObjectNameException.class);
      // the same name in another folder, a longer name, and a folder named like a companion are objects
      store.put("/idx", "a".getBytes(UTF_8));
      store.put("/sub/idxx", "b".getBytes(UTF_8));
      store.put("/sub/idx.d/x", "c".getBytes(UTF_8));
      assertThat(store.list("/")).extracting(ObjectInfo::name).containsExactlyInAnyOrder("/idx", "/sub/idxx", "/sub/idx.d/x");
    }
  }

  @Test
  void aSecondStoreOnAnIndexInUseFailsToBuild() throws Exception {
    Path root = Files.createDirectories(dir.resolve("disk"));
    try (ObjMapper first = open(root)) {
      first.put("/a", "a".getBytes(UTF_8)); // waits for the index to be open (and locked)
      assertThatThrownBy(() -> open(root)).isInstanceOf(StoreInUseException.class).hasMessageContaining("in use");
      assertThat(first.exists("/a")).isTrue();
    }
  }
}
