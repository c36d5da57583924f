package io.objmapper.examples.embed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The examples' own clean-up: each {@code main} removes the directory it worked in. */
final class TempDirs {
  private TempDirs() {}

  /** Removes {@code dir} and everything below it, without following symbolic links. */
  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> deepestFirst;
    try (Stream<Path> walk = Files.walk(dir)) {
      deepestFirst = walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
    }
    for (Path p : deepestFirst) {
      Files.deleteIfExists(p);
    }
  }
}
