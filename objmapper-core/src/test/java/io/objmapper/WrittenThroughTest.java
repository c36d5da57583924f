package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.internal.serving.StoreAccess;
import java.io.IOException;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bytes a client writes through a writable descriptor (the C-compatible write mode) are counted on their tier. */
class WrittenThroughTest {
  @TempDir Path dir;

  private ObjMapper store() throws IOException {
    return ObjMapper.builder().tier(TestStores.disk("disk", dir.resolve("disk"), 1.0)).build();
  }

  private static ObjMapperStats.TierStats disk(ObjMapper store) {
    return store.stats().tiers().get(0);
  }

  private static void write(ObjMapper store, String name, int bytes) throws IOException {
    try (FileOutputStream f = append(((StoreAccess) store).openWritable(name))) {
      f.write(new byte[bytes]);
    }
  }

  /** A stream appending through the writable descriptor (its own offset, moved to the end). */
  private static FileOutputStream append(StoreAccess.WritableFile w) throws IOException {
    FileOutputStream out = new FileOutputStream(w.stream().getFD());
    out.getChannel().position(w.size());
    return out;
  }

  @Test
  void theNextStatsSnapshotCountsThem() throws IOException {
    try (ObjMapper store = store()) {
      store.put("/kept", new byte[10]);
      write(store, "/w", 100); // created empty, then 100 bytes through the descriptor
      assertThat(disk(store).objects()).isEqualTo(2);
      assertThat(disk(store).bytes()).isEqualTo(110);
      write(store, "/w", 50);
      write(store, "/kept", 5);
      assertThat(disk(store).bytes()).isEqualTo(165);
    }
  }

  @Test
  void aPutOrDeleteOfTheNameCountsThemFirst() throws IOException {
    try (ObjMapper store = store()) {
      write(store, "/w", 100);
      store.put("/w", new byte[7]); // replaces 100 bytes the tier had not seen
      assertThat(disk(store).bytes()).isEqualTo(7);
      write(store, "/x", 30);
      assertThat(store.delete("/x")).isTrue();
      assertThat(disk(store).objects()).isEqualTo(1);
      assertThat(disk(store).bytes()).isEqualTo(7);
    }
  }

  @Test
  void theNextOpenScansSoBytesWrittenAfterTheLastSnapshotAreCounted() throws IOException {
    StoreAccess.WritableFile late;
    try (ObjMapper store = store()) {
      write(store, "/w", 100);
      late = ((StoreAccess) store).openWritable("/w");
      assertThat(disk(store).bytes()).isEqualTo(100);
    }
    try (FileInputStream held = late.stream(); FileOutputStream out = append(late)) {
      out.write(new byte[23]); // the client writes on after the store closed
    }
    try (ObjMapper store = store()) {
      assertThat(disk(store).bytes()).isEqualTo(123);
      assertThat(disk(store).objects()).isEqualTo(1);
    }
  }
}
