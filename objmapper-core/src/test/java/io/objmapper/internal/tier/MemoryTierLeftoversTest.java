package io.objmapper.internal.tier;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryTierLeftoversTest {
  @TempDir
  Path base;

  private Path leftover(long pid, String suffix) throws IOException {
    Path dir = Files.createDirectories(base.resolve("objmapper-" + pid + "-" + suffix).resolve("photos"));
    Files.write(dir.resolve("cat.jpg"), new byte[] {1, 2, 3});
    return dir.getParent();
  }

  @Test
  void onlyFoldersOfDeadProcessesAreRemoved() throws IOException {
    Path dead = leftover(4_000_001, "1a2b");
    Path alsoDead = leftover(4_000_002, "ff");
    Path live = leftover(4_000_003, "c0ffee");
    Path mine = leftover(ProcessHandle.current().pid(), "abc");
    Path notOurs = Files.createDirectories(base.resolve("objmapper-data"));
    Path otherPattern = Files.createDirectories(base.resolve("objmapper-4000001-notHex"));
    Set<Long> alive = Set.of(4_000_003L);

    int removed = MemoryTierLeftovers.removeDead(base, alive::contains);

    assertThat(removed).isEqualTo(2);
    assertThat(dead).doesNotExist();
    assertThat(alsoDead).doesNotExist();
    assertThat(live.resolve("photos/cat.jpg")).exists();
    assertThat(mine.resolve("photos/cat.jpg")).exists();
    assertThat(notOurs).exists();
    assertThat(otherPattern).exists();
  }

  @Test
  void aSymbolicLinkNamedLikeALeftoverIsNotFollowed() throws IOException {
    Path target = Files.createDirectories(base.resolve("precious"));
    Files.write(target.resolve("keep.txt"), new byte[] {1});
    Files.createSymbolicLink(base.resolve("objmapper-4000001-ab"), target);

    MemoryTierLeftovers.removeDead(base, pid -> false);

    assertThat(target.resolve("keep.txt")).exists();
  }

  @Test
  void anotherUsersFolderNamedLikeALeftoverIsLeftAlone() throws IOException {
    Path foreign = leftover(4_000_001, "ab");
    Assumptions.assumeTrue(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0,
        "only root can give a folder to another user");
    Files.setAttribute(foreign, "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);

    assertThat(MemoryTierLeftovers.removeDead(base, pid -> false)).isZero();

    assertThat(foreign.resolve("photos/cat.jpg")).exists();
  }

  @Test
  void aLinkInsideALeftoverIsRemovedNotWhatItPointsTo() throws IOException {
    Path target = Files.createDirectories(base.resolve("precious"));
    Files.write(target.resolve("keep.txt"), new byte[] {1});
    Path dead = leftover(4_000_001, "cd");
    Files.createSymbolicLink(dead.resolve("photos/link"), target);
    Files.createSymbolicLink(dead.resolve("file-link"), target.resolve("keep.txt"));

    assertThat(MemoryTierLeftovers.removeDead(base, pid -> false)).isEqualTo(1);

    assertThat(dead).doesNotExist();
    assertThat(target.resolve("keep.txt")).exists();
  }

  @Test
  void aNewMemoryTierRemovesTheFolderOfAProcessThatIsGoneAndKeepsALiveOnes() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    assertThat(gone.waitFor()).isZero();
    Path dead = leftover(gone.pid(), "dead"); // a pid is not reused this soon
    Path live = leftover(ProcessHandle.current().parent().orElseThrow().pid(), "beef");
    TierConfig config = TierConfig.builder().name("mem").type("memory").option("base_dir", base.toString())
        .flags(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE).build();

    try (Tier tier = new MemoryTierProvider().create(config)) {
      assertThat(dead).doesNotExist();
      assertThat(live.resolve("photos/cat.jpg")).exists();
      try (Stream<Path> own = Files.list(base)) {
        assertThat(own.map(p -> p.getFileName().toString()))
            .contains("objmapper-" + ProcessHandle.current().pid() + "-" + tier.config().root().orElseThrow()
                .getFileName().toString().substring(("objmapper-" + ProcessHandle.current().pid() + "-").length()));
      }
    }
  }
}
