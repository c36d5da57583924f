package io.objmapper.examples.embed;

import static io.objmapper.spi.TierFlag.PERSISTENT;
import static io.objmapper.spi.TierFlag.READABLE;
import static io.objmapper.spi.TierFlag.WRITABLE;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.objmapper.ObjMapper;
import io.objmapper.ObjectLease;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierProviders;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * For an <b>operator whose storage is a tier plugin</b>: the store names the tier's type,
 * {@code "sharded"}, and {@link java.util.ServiceLoader} finds the provider on the class path
 * (here {@link io.objmapper.examples.plugin.ShardedDirTierProvider}, listed in this jar's
 * {@code META-INF/services/io.objmapper.spi.TierProvider}). Nothing in the store's code
 * refers to the plugin's classes; a configuration file's {@code "type": "sharded"} does the
 * same.
 *
 * <p>The example lists the installed tier types, puts three objects, reads one back through a
 * lease and shows where the plugin put the files:
 *
 * <pre>
 * tier types: [fs, hdd, memory, nvme, sharded, ssd]
 * /photos/cat.jpg from tier objects: meow
 * files below the root:
 *   41/69/ZG9jcy9yZWFkbWUudHh0
 *   d3/77/cGhvdG9zL2NhdC5qcGc
 *   eb/42/cGhvdG9zL2RvZy5qcGc
 * </pre>
 */
public final class CustomTierExample {
  /**
   * What the example saw.
   *
   * @param types the tier types {@link TierProviders#installed()} knows
   * @param content the object read back through the plugin
   * @param files the stored files, relative to the tier's root, sorted
   */
  public record Result(Set<String> types, String content, List<String> files) {}

  private CustomTierExample() {}

  /** Runs the example in a temporary directory, printing to standard output. */
  public static void main(String[] args) throws IOException {
    Path workDir = Files.createTempDirectory("objmapper-custom-tier-");
    try {
      run(workDir, System.out);
    } finally {
      TempDirs.deleteRecursively(workDir);
    }
  }

  /** Runs the example with the plugin's root below {@code workDir}, printing to {@code out}. */
  public static Result run(Path workDir, PrintStream out) throws IOException {
    Set<String> types = TierProviders.installed().types();
    out.println("tier types: " + types);

    Path root = workDir.resolve("objects");
    TierConfig sharded = TierConfig.builder()
        .name("objects")
        .type("sharded") // found by ServiceLoader, like "fs" and "memory"
        .root(root)
        .option("create_root", "true")
        .flags(PERSISTENT, READABLE, WRITABLE)
        .build();
    try (ObjMapper store = ObjMapper.builder().tier(sharded).build()) {
      store.put("/photos/cat.jpg", "meow".getBytes(UTF_8));
      store.put("/photos/dog.jpg", "woof".getBytes(UTF_8));
      store.put("/docs/readme.txt", "read me".getBytes(UTF_8));

      String content;
      try (ObjectLease lease = store.open("/photos/cat.jpg")) {
        content = new String(lease.readAllBytes(), UTF_8);
        out.printf("%s from tier %s: %s%n", lease.name(), lease.tier(), content);
      }

      List<String> files;
      try (Stream<Path> walk = Files.walk(root)) {
        files = walk.filter(Files::isRegularFile)
            .map(p -> root.relativize(p).toString())
            .sorted()
            .collect(Collectors.toList());
      }
      out.println("files below the root:");
      files.forEach(f -> out.println("  " + f));
      return new Result(types, content, files);
    }
  }
}
