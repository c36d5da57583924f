package io.objmapper.examples.bench;

import io.objmapper.ObjMapper;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary stores for the benchmarks: one persistent fs tier under a fresh directory. */
final class BenchStores {
  private BenchStores() {}

  /**
   * A builder with one fs tier named {@code disk} rooted at {@code root} (persistent,
   * readable, writable), its index sized for {@code expectedObjects}.
   */
  static ObjMapper.Builder fsStore(Path root, long expectedObjects) {
    return ObjMapper.builder()
        .tier(TierConfig.builder().name("disk").type("fs").root(root)
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE)
            .build())
        .expectedObjects(expectedObjects);
  }

  /** The file that holds object {@code name} on an fs tier rooted at {@code root}. */
  static Path fileOf(Path root, String name) {
    Path file = root.resolve(name.substring(1));
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("object " + name + " is not the file " + file);
    }
    return file;
  }

  /** Deletes {@code dir} and everything under it; a missing directory is fine. */
  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
