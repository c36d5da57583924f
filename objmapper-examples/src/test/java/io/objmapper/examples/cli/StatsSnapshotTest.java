package io.objmapper.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.objmapper.ObjMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stats snapshot in a tier's root, where anyone who can write the tier can put a link, a
 * FIFO or a huge file in its place: never written through, never blocking a write, a read or
 * the server's stop. The timeouts are hang guards only.
 */
class StatsSnapshotTest {
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  @TempDir Path dir;
  @TempDir Path outside;

  private Path snapshot() {
    return dir.resolve("data").resolve("disk").resolve(StatsSnapshot.FILE_NAME);
  }

  private static void mkfifo(Path p) throws Exception {
    Process proc = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    assertThat(proc.waitFor()).isZero();
  }

  @Test
  void aLinkInItsPlaceIsReplacedNotWrittenThrough() throws Exception {
    Path secret = Files.writeString(outside.resolve("secret"), "outside", StandardCharsets.UTF_8);
    try (ObjMapper store = StoreOptions.open(null, dir.resolve("data"), true, false)) {
      Files.createSymbolicLink(snapshot(), secret);
      assertTimeoutPreemptively(HANG_GUARD, () -> StatsSnapshot.start(store, Optional.of(snapshot())).close());
    }

    assertThat(Files.readString(secret)).isEqualTo("outside");
    assertThat(snapshot()).isRegularFile();
    assertThat(Files.isSymbolicLink(snapshot())).isFalse();
    assertThat(Files.readString(snapshot())).contains("\"live\":false");
  }

  @Test
  void aFifoInItsPlaceIsReadAsNoSnapshotAtOnceAndReplacedByTheNextWrite() throws Exception {
    try (ObjMapper store = StoreOptions.open(null, dir.resolve("data"), true, false)) {
      mkfifo(snapshot());
      assertThat(assertTimeoutPreemptively(HANG_GUARD, () -> StatsSnapshot.readLive(snapshot()))).isEmpty();

      StatsSnapshot s = assertTimeoutPreemptively(HANG_GUARD, () -> StatsSnapshot.start(store, Optional.of(snapshot())));
      try {
        Optional<ObjectNode> live = StatsSnapshot.readLive(snapshot());
        assertThat(live).isPresent();
        assertThat(live.get().get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
      } finally {
        assertTimeoutPreemptively(HANG_GUARD, s::close);
      }
    }
  }

  @Test
  void aLinkToALiveLookingSnapshotOrAnOversizedFileIsNoSnapshot() throws Exception {
    Files.createDirectories(snapshot().getParent());
    String live = "{\"tiers\":[],\"live\":true,\"pid\":" + ProcessHandle.current().pid() + ",\"as_of\":\"2000-01-01T00:00:00Z\"}\n";
    Path elsewhere = Files.writeString(outside.resolve("snap.json"), live, StandardCharsets.UTF_8);
    Files.createSymbolicLink(snapshot(), elsewhere);
    assertThat(StatsSnapshot.readLive(snapshot())).isEmpty();

    Files.delete(snapshot());
    Files.writeString(snapshot(), live + " ".repeat(2 << 20), StandardCharsets.UTF_8);
    assertThat(StatsSnapshot.readLive(snapshot())).isEmpty();

    Files.writeString(snapshot(), live, StandardCharsets.UTF_8);
    assertThat(StatsSnapshot.readLive(snapshot())).as("the same text in a plain file is one").isPresent();
  }
}
