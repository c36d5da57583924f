package io.objmapper.examples.plugin;

import static io.objmapper.spi.TierFlag.READABLE;
import static io.objmapper.spi.TierFlag.WRITABLE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierProvider;
import io.objmapper.spi.contract.TierContractTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the SPI's contract kit on the sharded tier.
 *
 * <p>Five tests of the kit place or look for files at {@code root/<name>}, the layout of the
 * built-in fs tier, which the SPI does not require of a local tier. They are overridden here
 * with the same behaviour checked in the sharded layout, where a name's file is at {@code
 * root/ShardedLayout.relativePath(name)}; every other test of the kit runs unchanged.
 */
class ShardedDirTierContractTest extends TierContractTest {
  @TempDir
  Path dir;

  @Override
  protected TierProvider provider() {
    return new ShardedDirTierProvider();
  }

  /** Kit version: expects directory {@code root/x/y/z}; here the shard directories appear. */
  @Override
  @Test
  public void nestedNamesCreateDirectories() throws IOException {
    Path root = emptyRoot("nested");
    try (Tier tier = newTier(root, EnumSet.of(READABLE, WRITABLE))) {
      tier.write("/x/y/z/object", "nested".getBytes(UTF_8));

      assertThat(read(tier, "/x/y/z/object")).isEqualTo("nested");
      assertThat(scanSizes(tier)).containsOnlyKeys("/x/y/z/object");
      Path shards = root.resolve(ShardedLayout.relativePath("/x/y/z/object")).getParent();
      assertThat(shards).isDirectory();
      assertThat(root.relativize(shards).getNameCount()).isEqualTo(ShardedLayout.SHARD_LEVELS);
    }
  }

  /** Kit version: preloads {@code root/one} and {@code root/d/two}; here their layout files. */
  @Override
  @Test
  public void countsAtOpenComeFromWhatIsAlreadyStored() throws IOException {
    Path root = emptyRoot("preloaded");
    placeBehindTheTiersBack(root, "/one", "seven b");
    placeBehindTheTiersBack(root, "/d/two", "nine byte");

    try (Tier opened = newTier(root, EnumSet.of(READABLE, WRITABLE))) {
      assertThat(opened.objectCount()).isEqualTo(2);
      assertThat(opened.usedBytes()).isEqualTo(16);
      assertThat(read(opened, "/d/two")).isEqualTo("nine byte");
    }
  }

  /** Kit version: writes {@code root/behind-its-back}; here the file at its layout position. */
  @Override
  @Test
  public void changesBehindTheTiersBackAreSeenOnTheNextScan() throws IOException {
    Path root = emptyRoot("behind");
    try (Tier tier = newTier(root, EnumSet.of(READABLE, WRITABLE))) {
      tier.write("/through-the-tier", "four".getBytes(UTF_8));
      placeBehindTheTiersBack(root, "/behind-its-back", "six by");

      assertThat(scanSizes(tier)).containsOnlyKeys("/through-the-tier", "/behind-its-back");
      assertThat(tier.objectCount()).isEqualTo(2);
      assertThat(tier.usedBytes()).isEqualTo(10);
    }
  }

  /**
   * Kit version: makes {@code /dir} a directory by writing {@code /dir/object}, which in this
   * layout is a file of its own; here a directory is put where {@code /dir}'s file goes.
   */
  @Override
  @Test
  public void aWriteThatCannotReplaceADirectoryFailsAndLeavesNoTemporaryFile()
      throws IOException {
    Path root = emptyRoot("dir-in-the-way");
    try (Tier tier = newTier(root, EnumSet.of(READABLE, WRITABLE))) {
      tier.write("/kept", "kept".getBytes(UTF_8));
      Path inTheWay = root.resolve(ShardedLayout.relativePath("/dir"));
      Files.createDirectories(inTheWay.resolve("child"));

      assertThatThrownBy(() -> tier.write("/dir", "new".getBytes(UTF_8)))
          .isInstanceOf(IOException.class);

      assertThat(inTheWay).isDirectory();
      assertThat(tier.stat("/dir")).isNull();
      assertThat(read(tier, "/kept")).isEqualTo("kept");
      assertThat(tier.objectCount()).isEqualTo(1);
      assertThat(tier.usedBytes()).isEqualTo(4);
      assertThat(filesBelow(root))
          .noneMatch(p -> p.getFileName().toString().startsWith(ObjectNames.RESERVED_PREFIX));
    }
  }

  /** Kit version: expects {@code root/a/b}; here the file two shard levels below the root. */
  @Override
  @Test
  public void aLocalObjectLivesInAFileBelowTheRoot() throws IOException {
    Path root = emptyRoot("below-the-root");
    try (Tier tier = newTier(root, EnumSet.of(READABLE, WRITABLE))) {
      tier.write("/a/b", "ten bytes!".getBytes(UTF_8));

      Path file = tier.localFiles().get().path("/a/b");

      assertThat(file.toRealPath())
          .isEqualTo(root.toRealPath().resolve(ShardedLayout.relativePath("/a/b")));
      assertThat(Files.readString(file)).isEqualTo("ten bytes!");
      assertThat(tier.localFiles().get().path("/not/written")).doesNotExist();
    }
  }

  private Path emptyRoot(String name) throws IOException {
    return Files.createDirectory(dir.resolve(name));
  }

  private static void placeBehindTheTiersBack(Path root, String name, String content)
      throws IOException {
    Path file = root.resolve(ShardedLayout.relativePath(name));
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  private static String read(Tier tier, String name) throws IOException {
    try (InputStream in = tier.openStream(name)) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }

  private static Map<String, Long> scanSizes(Tier tier) throws IOException {
    Map<String, Long> sizes = new TreeMap<>();
    tier.scan((name, stat) -> sizes.put(name, stat.size()), Tier.ScanProgress.NONE);
    return sizes;
  }

  private static List<Path> filesBelow(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).collect(Collectors.toList());
    }
  }
}
