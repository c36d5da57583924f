package io.objmapper.examples.plugin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.objmapper.ObjMapper;
import io.objmapper.ObjectInfo;
import io.objmapper.ObjectLease;
import io.objmapper.ObjectNotFoundException;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An {@link ObjMapper} store runs on the plugin as on a built-in tier. */
class ShardedDirTierStoreTest {
  @TempDir
  Path dir;

  @Test
  void aStorePutsOpensAndDeletesThroughThePlugin() throws IOException {
    try (ObjMapper store = open()) {
      ObjectInfo info = store.put("/photos/cat.jpg", "meow".getBytes(UTF_8));
      Path file = dir.toRealPath().resolve(ShardedLayout.relativePath("/photos/cat.jpg"));

      assertThat(info.tier()).isEqualTo("s");
      assertThat(file).hasContent("meow");
      try (ObjectLease lease = store.open("/photos/cat.jpg")) {
        assertThat(lease.tier()).isEqualTo("s");
        assertThat(lease.size()).isEqualTo(4);
        assertThat(lease.descriptor().valid()).isTrue();
        assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("meow");
      }

      assertThat(store.delete("/photos/cat.jpg")).isTrue();

      assertThat(store.exists("/photos/cat.jpg")).isFalse();
      assertThat(file).doesNotExist();
      assertThatThrownBy(() -> store.open("/photos/cat.jpg"))
          .isInstanceOf(ObjectNotFoundException.class);
    }
  }

  @Test
  void aLeaseKeepsReadingTheVersionItOpenedAfterAnOverwrite() throws IOException {
    try (ObjMapper store = open()) {
      store.put("/doc", "first".getBytes(UTF_8));
      try (ObjectLease lease = store.open("/doc")) {
        store.put("/doc", "second version".getBytes(UTF_8));

        assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("first");
      }
      try (ObjectLease lease = store.open("/doc")) {
        assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("second version");
      }
    }
  }

  @Test
  void aReopenedStoreFindsWhatTheSameRootHolds() throws IOException {
    try (ObjMapper store = open()) {
      store.put("/kept/one", "1".getBytes(UTF_8));
      store.put("/kept/two", "22".getBytes(UTF_8));
    }

    try (ObjMapper reopened = open()) {
      assertThat(reopened.list("/kept/")).extracting(ObjectInfo::name, ObjectInfo::size)
          .containsExactly(tuple("/kept/one", 1L), tuple("/kept/two", 2L));
      assertThat(reopened.stats().tiers()).singleElement()
          .satisfies(t -> assertThat(t.objects()).isEqualTo(2))
          .satisfies(t -> assertThat(t.bytes()).isEqualTo(3));
      try (ObjectLease lease = reopened.open("/kept/two")) {
        assertThat(new String(lease.readAllBytes(), UTF_8)).isEqualTo("22");
      }
    }
    // The objects, and the counts a clean close saves for the next open (the tier's own file).
    try (var files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().startsWith(io.objmapper.spi.ObjectNames.RESERVED_PREFIX)))
          .hasSize(2);
    }
  }

  private ObjMapper open() throws IOException {
    return ObjMapper.builder()
        .tier(TierConfig.builder().name("s").type("sharded").root(dir)
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).build())
        .build();
  }
}
