package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tier holding a file whose name the JVM's file name encoding cannot decode (a UTF-8 name
 * under the C locale, where Java 17 decodes names as ASCII) is still scanned: that file is no
 * object, the others are.
 */
class ScanLocaleTest {
  @TempDir Path dir;

  @Test
  void aNameTheFileNameEncodingCannotDecodeIsSkippedAndTheScanGoesOn() throws Exception {
    Path root = Files.createDirectories(dir.resolve("disk"));
    Files.writeString(root.resolve("plain.txt"), "p");
    Process touch = new ProcessBuilder("sh", "-c", "touch \"$(printf 'caf\\303\\251.txt')\"").directory(root.toFile())
        .start();
    assertThat(touch.waitFor()).isZero();

    ProcessBuilder pb = new ProcessBuilder(ChildJvm.command(ScanLocaleChild.class, List.of(),
        List.of(root.toString())))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectError(dir.resolve("child.err").toFile());
    pb.environment().put("LC_ALL", "C");
    pb.environment().put("LANG", "C");
    Process child = pb.start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as("stdout:\n%s\nstderr:\n%s", out, ChildJvm.tail(dir.resolve("child.err"), 40))
        .isZero();
    assertThat(out.lines()).containsExactly("object /plain.txt", "listed 1");
  }
}
