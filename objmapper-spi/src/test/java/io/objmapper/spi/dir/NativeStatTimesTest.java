package io.objmapper.spi.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stat read through a descriptor ({@code fstat}) and one read by path (the JDK's {@code
 * BasicFileAttributes}) must describe a version alike, or the store takes an unchanged file for
 * a changed one: the modification time in milliseconds is rounded as the JDK rounds it, toward
 * zero, before 1970 too.
 */
class NativeStatTimesTest {
  @TempDir
  Path dir;

  /**
   * Sets {@code file}'s modification time to {@code epoch} seconds (a decimal, may be negative)
   * with {@code touch}: the JDK's {@code setLastModifiedTime} turns a time before 1970 into 0.
   */
  private static void touch(Path file, String epoch) throws Exception {
    Process p = new ProcessBuilder("touch", "-m", "-d", "@" + epoch, file.toString()).inheritIO().start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("touch ended").isTrue();
    assertThat(p.exitValue()).as("touch -d @%s", epoch).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1764800000.123456789", "1764800000", "0", "-0.000000001", "-0.0005", "-0.0015",
      "-0.000999999", "-0.001", "-1", "-1.5", "-86400.000000001"})
  void anFstatTimeIsWhatAStatOfThePathSays(String epoch) throws Exception {
    assumeTrue(Native.AVAILABLE, "no native calls on this platform");
    Path f = Files.write(dir.resolve("f"), new byte[] {1});
    touch(f, epoch);
    long byPath = Files.readAttributes(f, BasicFileAttributes.class).lastModifiedTime().toMillis();
    int fd = Native.openat(Native.AT_FDCWD, Native.cString(f.toString()), Native.O_RDONLY | Native.O_CLOEXEC, 0);
    assertThat(fd).isNotNegative();
    try {
      Native.Stat s = new Native.Stat();
      assertThat(Native.fstat(fd, s)).isZero();
      assertThat(s.mtimeMillis).as("mtime of @%s", epoch).isEqualTo(byPath);
    } finally {
      Native.close(fd);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"-0.0005", "-1.999999999"})
  void anObjectWithATimeBefore1970OpensAsTheVersionItsStatSays(String epoch) throws Exception {
    Path root = Files.createDirectories(dir.resolve("tier"));
    TierConfig c = TierConfig.builder().name("t").type("plain").root(root)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).build();
    try (DirectoryTier t = DirectoryTier.start(new DirectoryTierSafetyTest.PlainTier(c, root))) {
      Files.write(root.resolve("old.bin"), new byte[] {7, 8});
      touch(root.resolve("old.bin"), epoch);
      ObjectStat s = t.stat("/old.bin");
      try (FileInputStream in = t.openRead("/old.bin", s)) {
        assertThat(in.readAllBytes()).containsExactly(7, 8);
      }
    }
  }
}
