package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.testing.ChildJvm;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random bytes in a persistent tier's index map file, with and without the clean-shutdown
 * marker, then a store opened on it in a child JVM: the JVM survives, every object is served,
 * and the damaged file is kept aside.
 */
@Timeout(300)
class IndexDamageTest {
  private static final int OBJECTS = 200;

  @TempDir
  Path dir;

  @ParameterizedTest(name = "damage in the {0}, clean marker kept: {1}")
  @CsvSource({"middle, false", "middle, true", "header, false", "header, true"})
  void aDamagedIndexMapNeverTakesTheJvmDownAndEveryObjectIsServed(String where, boolean markerKept)
      throws Exception {
    Path root = Files.createDirectories(dir.resolve("disk"));
    Path index = dir.resolve("index").resolve("tier.idx");
    assertThat(run("fill", root, index)).contains("filled " + OBJECTS);
    Path map = mapFile(index);
    long length = Files.size(map);
    byte[] garbage = new byte[where.equals("header") ? 4096 : (int) Math.min(65_536, length / 4)];
    new Random(where.hashCode()).nextBytes(garbage);
    try (RandomAccessFile raf = new RandomAccessFile(map.toFile(), "rw")) {
      raf.seek(where.equals("header") ? 0 : length / 2);
      raf.write(garbage);
    }
    Path marker = index.resolveSibling("tier.idx.clean");
    assertThat(marker).exists();
    if (!markerKept) {
      Files.delete(marker);
    }

    String out = run("serve", root, index);

    assertThat(out).contains("served " + OBJECTS).contains("closed").doesNotContain("wrong content");
    List<Path> asides = filesStartingWith(index, "tier.idx.damaged-");
    assertThat(asides).hasSize(1);
    assertThat(asides.get(0)).hasSize(length);
    assertThat(marker).as("closed cleanly on a new map").exists();
    assertThat(mapFile(index)).isNotEqualTo(map);
  }

  /** Runs the child to its end; its stdout. Fails if it does not exit 0 (a crash exits 134 or 139). */
  private String run(String mode, Path root, Path index) throws IOException, InterruptedException {
    return ChildJvm.runToEnd(IndexDamageChild.class, List.of("-Xmx256m"),
        List.of(mode, root.toString(), index.toString(), Integer.toString(OBJECTS)), dir.resolve(mode + ".err"));
  }

  private static Path mapFile(Path index) throws IOException {
    List<Path> maps = filesStartingWith(index, "tier.idx.map.");
    assertThat(maps).hasSize(1);
    return maps.get(0);
  }

  private static List<Path> filesStartingWith(Path index, String prefix) throws IOException {
    try (Stream<Path> files = Files.list(index.getParent())) {
      return files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    }
  }
}
