package io.objmapper.examples.cli;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code import} killed with SIGKILL in the middle: after the store opens again every object
 * it indexes is complete (the bytes of its source file), and no temporary file is left.
 */
class ImportCrashProcessTest {
  private static final int FILES = 6_000;
  private static final int SIZE = 1024;
  /** Kill once this many objects are published: past the first batch, far from the last. */
  private static final int KILL_AFTER = 2_500;

  @TempDir Path dir;

  @Test
  void everyIndexedObjectIsCompleteAfterAKillMidImport() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src/a"));
    for (int i = 0; i < FILES; i++) {
      byte[] b = new byte[SIZE];
      Arrays.fill(b, (byte) i);
      b[0] = (byte) (i >> 8);
      Files.write(src.resolve("f" + i), b);
    }
    Path data = Files.createDirectories(dir.resolve("data"));
    Process p = importer(data, dir.resolve("src"));
    try (WatchService w = data.getFileSystem().newWatchService()) {
      Path disk = awaitEntry(w, data, "disk", p);
      Path a = awaitEntry(w, disk, "a", p);
      awaitPublished(w, a, KILL_AFTER, p);
    } finally {
      p.destroyForcibly(); // SIGKILL
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    LauncherStoreCommandsTest.Result ls = LauncherStoreCommandsTest.launch("ls", "--data", data.toString());
    assertThat(ls.code()).as(ls.err()).isZero();
    List<String> lines = ls.out().lines().toList();
    assertThat(lines.size()).as("objects indexed after the kill").isGreaterThanOrEqualTo(KILL_AFTER - 1).isLessThan(FILES);
    for (String line : lines) {
      String[] f = line.split("\t");
      assertThat(f[1]).as(line).isEqualTo(String.valueOf(SIZE));
      Path stored = data.resolve(f[2]).resolve(f[0].substring(1));
      assertThat(Files.readAllBytes(stored)).as(line).isEqualTo(Files.readAllBytes(dir.resolve("src").resolve(f[0].substring(1))));
    }
    try (Stream<Path> s = Files.walk(data.resolve("disk"))) {
      assertThat(s.map(x -> x.getFileName().toString()).filter(n -> n.startsWith(".objmapper-tmp-"))).isEmpty();
    }
  }

  private static Process importer(Path data, Path src) throws IOException {
    List<String> cmd = LauncherProcess.command();
    cmd.addAll(List.of("import", "--data", data.toString(), src.toString()));
    return new ProcessBuilder(cmd).redirectInput(LauncherProcess.NO_INPUT)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** Waits for {@code parent/name} to exist (the child creates it). */
  private static Path awaitEntry(WatchService w, Path parent, String name, Process p) throws Exception {
    WatchKey key = parent.register(w, ENTRY_CREATE);
    Path target = parent.resolve(name);
    try {
      while (!Files.isDirectory(target)) {
        WatchKey k = next(w, p);
        k.pollEvents();
        k.reset();
      }
      return target;
    } finally {
      key.cancel();
    }
  }

  /** Waits until {@code dir} holds {@code n} objects (files other than temporary ones). */
  private static void awaitPublished(WatchService w, Path dir, int n, Process p) throws Exception {
    WatchKey key = dir.register(w, ENTRY_CREATE);
    try {
      int seen = objects(dir);
      while (seen < n) {
        WatchKey k = next(w, p);
        for (WatchEvent<?> e : k.pollEvents()) {
          if (e.kind() == OVERFLOW) {
            seen = objects(dir);
          } else if (!e.context().toString().startsWith(".objmapper")) {
            seen++;
          }
        }
        k.reset();
      }
    } finally {
      key.cancel();
    }
  }

  private static WatchKey next(WatchService w, Process p) throws Exception {
    WatchKey k = null;
    while (k == null) {
      assertThat(p.isAlive()).as("import still running").isTrue();
      try {
        k = w.poll(1, TimeUnit.SECONDS);
      } catch (ClosedWatchServiceException e) {
        throw new AssertionError(e);
      }
    }
    return k;
  }

  private static int objects(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return (int) s.filter(x -> !x.getFileName().toString().startsWith(".objmapper")).count();
    }
  }
}
