package io.objmapper.internal.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fixtures shared by the configuration tests. */
final class TestConfigs {
  /** One valid backend, for documents that test other things. */
  static final String BACKEND = """
      {"name": "mem", "type": "memory", "mount_path": "/srv/objmapper/mem", "capacity_gb": 1}""";

  private TestConfigs() {}

  /** {@code src-test-data/config/objmapper.conf}, the seed's example, found through surefire. */
  static Path seedFile() {
    String dir = System.getProperty("objmapper.testdata");
    assertThat(dir).as("system property objmapper.testdata (set by surefire)").isNotBlank();
    Path file = Path.of(dir, "config", "objmapper.conf");
    assertThat(file).isRegularFile();
    return file;
  }

  /** The seed file's text. */
  static String seedText() {
    try {
      return Files.readString(seedFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The seed text with {@code from} replaced by {@code to}, which must occur exactly once. */
  static String seedWith(String from, String to) {
    String text = seedText();
    int at = text.indexOf(from);
    assertThat(at).as("occurrences of %s in the seed", from).isNotNegative();
    assertThat(text.indexOf(from, at + 1)).as("second occurrence of %s", from).isNegative();
    return text.substring(0, at) + to + text.substring(at + from.length());
  }

  /** A document with {@link #BACKEND} and {@code sections} (members of the top-level object). */
  static String withBackendAnd(String sections) {
    return "{\n  \"backends\": [" + BACKEND + "],\n" + sections + "\n}\n";
  }

  /** A document whose only backend is {@code backend} (an object's members). */
  static String withBackend(String backend) {
    return "{\"backends\": [{" + backend + "}]}";
  }
}
