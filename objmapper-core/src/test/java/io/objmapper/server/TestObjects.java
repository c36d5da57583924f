package io.objmapper.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** The objects the server tests serve, written under a fresh root. */
final class TestObjects {
  static final String HELLO = "hello world";
  static final int BIG_SIZE = 300_000;

  private TestObjects() {}

  /** {@code /hello.txt}, {@code /a/b/c.txt}, {@code /empty}, {@code /big.bin}, {@code /slow1..3}. */
  static Path create(Path dir) throws IOException {
    Path root = Files.createDirectories(dir.resolve("objects"));
    Files.writeString(root.resolve("hello.txt"), HELLO);
    Files.createDirectories(root.resolve("a/b"));
    Files.writeString(root.resolve("a/b/c.txt"), "nested");
    Files.write(root.resolve("empty"), new byte[0]);
    Files.write(root.resolve("big.bin"), big());
    for (int i = 1; i <= 3; i++) {
      Files.writeString(root.resolve("slow" + i), "slow object " + i);
    }
    return root;
  }

  static byte[] big() {
    byte[] b = new byte[BIG_SIZE];
    new Random(7).nextBytes(b);
    return b;
  }

  static long mtimeSeconds(Path file) throws IOException {
    return Files.getLastModifiedTime(file).toMillis() / 1000;
  }
}
