package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.internal.index.OpenState;
import io.objmapper.internal.index.PersistentTierIndex;
import io.objmapper.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A persistent tier's index map file cut short ({@code truncate -s 4096}) while the store is
 * open, in a child JVM ({@link IndexTruncationChild}: touching a page of the mapping that has no
 * bytes behind it can crash the JVM): the store finds it before it touches the map, serves every
 * object from the tier's files, replaces and rebuilds the index, keeps the damaged file aside,
 * and never marks it clean.
 */
@Timeout(300)
class IndexTruncationTest {
  private static final int OBJECTS = 150;

  @TempDir
  Path dir;

  @Test
  void aMapCutShortWhileServingIsFoundBeforeItIsTouchedAndTheIndexIsRebuilt() throws Exception {
    Path root = Files.createDirectories(dir.resolve("disk"));
    Path index = dir.resolve("index").resolve("tier.idx");

    String out = run("serve", root, index);

    assertThat(out).contains("truncated", "served " + OBJECTS, "missing: not found", "listed " + OBJECTS,
        "put after", "closed").doesNotContain("wrong content");
    List<Path> asides = filesStartingWith(index, "tier.idx.damaged-");
    assertThat(asides).as("the truncated map, kept aside").hasSize(1);
    assertThat(asides.get(0)).hasSize(IndexTruncationChild.TRUNCATED_LENGTH);
    Path map = IndexTruncationChild.mapFile(index);
    assertThat(map.getFileName().toString()).isNotEqualTo("tier.idx.map.1");
    assertThat(Files.readString(index.resolveSibling("tier.idx.clean")))
        .as("the clean marker is the new map's").contains("mapFile=" + map.getFileName());
    try (PersistentTierIndex rebuilt = PersistentTierIndex.open(index, 1_000)) {
      assertThat(rebuilt.openState()).isEqualTo(OpenState.CLEAN);
      assertThat(rebuilt.size()).as("every object, and the one put after").isEqualTo(OBJECTS + 1);
      assertThat(rebuilt.get(IndexTruncationChild.name(7))).isNotNull();
    }
  }

  @Test
  void aMapCutShortIsNotMarkedCleanByTheClose() throws Exception {
    Path root = Files.createDirectories(dir.resolve("disk"));
    Path index = dir.resolve("index").resolve("tier.idx");

    String out = run("close", root, index);

    assertThat(out).contains("truncated", "closed");
    assertThat(index.resolveSibling("tier.idx.clean")).doesNotExist();
    List<Path> asides = filesStartingWith(index, "tier.idx.damaged-");
    assertThat(asides).hasSize(1);
    assertThat(asides.get(0)).hasSize(IndexTruncationChild.TRUNCATED_LENGTH);
    try (PersistentTierIndex next = PersistentTierIndex.open(index, 1_000)) {
      assertThat(next.openState()).as("the next open starts empty, to be rebuilt").isEqualTo(OpenState.RESET);
      assertThat(next.size()).isZero();
    }
  }

  /** Runs the child to its end; its stdout. Fails if it does not exit 0 (a crash exits 134 or 135). */
  private String run(String mode, Path root, Path index) throws IOException, InterruptedException {
    return ChildJvm.runToEnd(IndexTruncationChild.class, List.of("-Xmx256m"),
        List.of(mode, root.toString(), index.toString(), Integer.toString(OBJECTS)), dir.resolve(mode + ".err"));
  }

  private static List<Path> filesStartingWith(Path index, String prefix) throws IOException {
    try (Stream<Path> files = Files.list(index.getParent())) {
      return files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    }
  }
}
