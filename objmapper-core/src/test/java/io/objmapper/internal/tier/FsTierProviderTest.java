package io.objmapper.internal.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsTierProviderTest {
  private final FsTierProvider provider = new FsTierProvider();

  @TempDir
  Path dir;

  @Test
  void nvmeSsdAndHddAreAliasesOfFs() throws IOException {
    assertThat(provider.aliases()).containsExactlyInAnyOrder("nvme", "ssd", "hdd");

    try (Tier hdd = provider.create(config("hdd").perfFactor(80.0).build())) {
      assertThat(hdd.localFiles().isPresent()).isTrue();
      assertThat(hdd.config().type()).isEqualTo("hdd");
      assertThat(hdd.config().perfFactor()).isEqualTo(80.0);
    }
  }

  @Test
  void anFsTierIsPersistentByDefault() throws IOException {
    try (Tier tier = provider.create(config("fs").build())) {
      assertThat(tier.config().flags())
          .containsExactlyInAnyOrder(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE);
    }
  }

  @Test
  void anFsTierMayBeDeclaredEphemeral() throws IOException {
    try (Tier tier = provider.create(config("fs").flags(TierFlag.EPHEMERAL, TierFlag.READABLE).build())) {
      assertThat(tier.config().flags()).containsExactlyInAnyOrder(TierFlag.EPHEMERAL, TierFlag.READABLE);
    }
  }

  @Test
  void anFsTierNeedsARoot() {
    assertThatThrownBy(() -> provider.create(TierConfig.builder().type("nvme").name("NVMe Hot Tier").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nvme tier \"NVMe Hot Tier\" needs a root (mount_path)");
  }

  @Test
  void aMissingRootIsAnErrorThatNamesTheOptionToCreateIt() {
    Path missing = dir.resolve("not/there");

    assertThatThrownBy(() -> provider.create(TierConfig.builder().type("fs").root(missing).build()))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("create_root=true");
    assertThat(dir.resolve("not")).doesNotExist();
  }

  @Test
  void createRootCreatesAMissingRoot() throws IOException {
    Path missing = dir.resolve("not/there");

    try (Tier tier = provider.create(TierConfig.builder().type("fs").root(missing)
        .option("create_root", "true").build())) {
      tier.write("/a", new byte[] {1, 2, 3});
    }

    assertThat(missing.resolve("a")).hasBinaryContent(new byte[] {1, 2, 3});
  }

  @Test
  void aRootThatIsAFileIsRejected() throws IOException {
    Path file = Files.write(dir.resolve("file"), new byte[1]);

    assertThatThrownBy(() -> provider.create(TierConfig.builder().type("fs").root(file).build()))
        .isInstanceOf(NotDirectoryException.class);
  }

  @Test
  void unknownOptionsAreRejected() {
    assertThatThrownBy(() -> provider.create(config("fs").option("creat_root", "true").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option \"creat_root\"")
        .hasMessageContaining("known options: create_root");
  }

  @Test
  void createRootMustBeTrueOrFalse() {
    assertThatThrownBy(() -> provider.create(config("fs").option("create_root", "yes").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be true or false, not \"yes\"");
  }

  @Test
  void anotherProvidersTypeIsRejected() {
    assertThatThrownBy(() -> provider.create(config("memory").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"memory\"");
  }

  @Test
  void objectsSurviveReopeningTheTier() throws IOException {
    ObjectStat written;
    try (Tier tier = provider.create(config("fs").build())) {
      written = tier.write("/kept/object", new byte[] {4, 5, 6, 7});
    }

    try (Tier reopened = provider.create(config("fs").build())) {
      assertThat(reopened.stat("/kept/object")).isEqualTo(written);
      assertThat(reopened.openStream("/kept/object").readAllBytes()).containsExactly(4, 5, 6, 7);
      assertThat(reopened.objectCount()).isEqualTo(1);
      assertThat(reopened.usedBytes()).isEqualTo(4);
    }
  }

  @Test
  void theScanSkipsAConfiguredIndexFileOrDirectoryBelowTheRoot() throws IOException {
    Files.write(dir.resolve("index.bin"), new byte[100]);
    Files.createDirectories(dir.resolve("indexes/segments"));
    Files.write(dir.resolve("indexes/segments/0"), new byte[100]);
    Files.write(dir.resolve("object"), new byte[7]);

    try (Tier byFile = provider.create(config("fs").persistIndex(true)
            .indexPath(dir.resolve("index.bin")).build());
        Tier byDir = provider.create(TierConfig.builder().type("fs").root(dir).persistIndex(true)
            .indexPath(dir.resolve("indexes")).build())) {
      assertThat(names(byFile)).containsExactly("/indexes/segments/0", "/object");
      assertThat(names(byDir)).containsExactly("/index.bin", "/object");
      assertThat(byDir.objectCount()).isEqualTo(2);
    }
  }

  @Test
  void aFileWhoseNameIsNotAValidObjectNameIsNotScanned() throws IOException {
    Files.write(dir.resolve("back\\slash"), new byte[3]);
    Files.write(dir.resolve("good"), new byte[5]);

    try (Tier tier = provider.create(config("fs").build())) {
      assertThat(names(tier)).containsExactly("/good");
      assertThat(tier.usedBytes()).isEqualTo(5);
    }
  }

  @Test
  void noSymbolicLinkIsAnObjectNorDescended() throws IOException {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.write(outside.resolve("target"), new byte[9]);
    Path root = Files.createDirectories(dir.resolve("root"));
    Files.createSymbolicLink(root.resolve("file-link"), outside.resolve("target"));
    Files.createSymbolicLink(root.resolve("dir-link"), outside);

    try (Tier tier = provider.create(TierConfig.builder().type("fs").root(root).build())) {
      // A link could lead anywhere (/etc/shadow): the tier serves only its own regular files.
      assertThat(names(tier)).isEmpty();
      assertThat(tier.stat("/file-link")).isNull();
      assertThat(tier.stat("/dir-link/target")).isNull();
      assertThat(tier.objectCount()).isZero();
    }
  }

  @Test
  void aRootThatIsASymbolicLinkIsFollowed() throws IOException {
    Path real = Files.createDirectories(dir.resolve("mounts/nvme0"));
    Files.createDirectories(real.resolve("d"));
    Files.write(real.resolve("d/object"), new byte[4]);
    Files.write(real.resolve("index"), new byte[8]);
    Path link = Files.createSymbolicLink(dir.resolve("nvme"), real);

    try (Tier tier = provider.create(TierConfig.builder().type("nvme").root(link)
        .persistIndex(true).indexPath(link.resolve("index")).build())) {
      assertThat(names(tier)).containsExactly("/d/object");
      assertThat(tier.objectCount()).isEqualTo(1);
      assertThat(tier.localFiles().get().path("/d/object")).hasSameBinaryContentAs(real.resolve("d/object"));
    }
  }

  @Test
  void aScanReportsProgressEveryThousandObjects() throws IOException {
    int objects = 2 * io.objmapper.spi.dir.DirectoryTier.PROGRESS_INTERVAL + 5;
    for (int i = 0; i < objects; i++) {
      Files.write(dir.resolve("o" + i), new byte[2]);
    }
    List<Long> reported = new ArrayList<>();

    try (Tier tier = provider.create(config("fs").build())) {
      long visited = tier.scan((name, stat) -> {}, (n, bytes) -> {
        assertThat(bytes).isEqualTo(2 * n);
        reported.add(n);
      });

      assertThat(visited).isEqualTo(objects);
    }
    assertThat(reported).containsExactly((long) io.objmapper.spi.dir.DirectoryTier.PROGRESS_INTERVAL,
        2L * io.objmapper.spi.dir.DirectoryTier.PROGRESS_INTERVAL, (long) objects);
  }

  @Test
  void anOverwriteCreatesANewFileSoTheStatChanges() throws IOException {
    try (Tier tier = provider.create(config("fs").build())) {
      ObjectStat first = tier.write("/a", new byte[] {1});
      try (var keepFirstAlive = tier.localFiles().get().openRead("/a").getChannel()) {
        ObjectStat second = tier.write("/a", new byte[] {2});

        assertThat(second.fileKey()).isNotNull().isNotEqualTo(first.fileKey());
        assertThat(second).isNotEqualTo(first);
        assertThat(keepFirstAlive.size()).isEqualTo(1);
      }
    }
  }

  private TierConfig.Builder config(String type) {
    return TierConfig.builder().type(type).root(dir);
  }

  private static List<String> names(Tier tier) throws IOException {
    Map<String, Long> seen = new TreeMap<>();
    tier.scan((name, stat) -> seen.put(name, stat.size()), Tier.ScanProgress.NONE);
    return new ArrayList<>(seen.keySet());
  }
}
