package io.objmapper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A configuration file that cannot be used is answered with the API's ConfigurationException. */
class ConfigurationExceptionTest {
  @TempDir Path dir;

  private static ConfigurationException openFailure(Path config) {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> ObjMapper.open(config));
    assertThat(e).as("ConfigurationException from ObjMapper.open(%s)", config).isNotNull();
    assertThat(e.getClass()).isEqualTo(ConfigurationException.class); // the public type, not an internal subclass
    assertThat(e).isInstanceOf(IllegalArgumentException.class); // as documented before the type existed
    return e;
  }

  @Test
  void aMissingFileNamesTheFile() {
    Path missing = dir.resolve("nope.conf");
    ConfigurationException e = openFailure(missing);
    assertThat(e.path()).isEmpty();
    assertThat(e.reason()).isEqualTo("no such file");
    assertThat(e.source()).contains(missing.toString());
    assertThat(e.line()).isZero();
    assertThat(e.getMessage()).isEqualTo("no such file (" + missing + ")");
    assertThat(e.getCause()).isInstanceOf(java.nio.file.NoSuchFileException.class);
  }

  @Test
  void aBadValueNamesItsJsonPathLineAndColumn() throws Exception {
    String text = Files.readString(ConfigFileTest.seedConfig(), UTF_8)
        .replace("\"max_open_fds\": 10000", "\"max_open_fds\": -5");
    Path config = Files.writeString(dir.resolve("bad.conf"), text);
    ConfigurationException e = openFailure(config);
    assertThat(e.path()).isEqualTo("index.max_open_fds");
    assertThat(e.reason()).isEqualTo("index.max_open_fds: must be > 0, was -5");
    assertThat(e.source()).contains(config.toString());
    assertThat(e.line()).isEqualTo(17);
    assertThat(e.column()).isEqualTo(9);
    assertThat(e.getMessage()).isEqualTo(
        "index.max_open_fds: must be > 0, was -5 (" + config + ", line 17, column 9)");
  }

  @Test
  void invalidJsonNamesTheLineAndColumn() throws Exception {
    Path config = Files.writeString(dir.resolve("broken.conf"), "{\n  \"backends\": [\n}\n");
    ConfigurationException e = openFailure(config);
    assertThat(e.reason()).startsWith("invalid JSON");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.column()).isPositive();
  }

  @Test
  void theBuildersConfigFileThrowsItBeforeAnythingIsOpened() throws Exception {
    Path config = Files.writeString(dir.resolve("unknown.conf"), """
        {"backends": [{"name": "a", "type": "fs", "mount_path": "/srv/a", "capacity_gb": 1, "flagz": []}]}
        """);
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> ObjMapper.builder().configFile(config));
    assertThat(e.path()).isEqualTo("backends[0].flagz");
    assertThat(e.line()).isEqualTo(1);
  }

  @Test
  void tiersThatCollideUnderTheDataDirectoryAreAConfigurationError() throws Exception {
    Path config = Files.writeString(dir.resolve("same.conf"), """
        {"backends": [{"name": "a", "type": "fs", "mount_path": "/srv/a/disk", "capacity_gb": 1},
                      {"name": "b", "type": "fs", "mount_path": "/srv/b/disk", "capacity_gb": 1}]}
        """);
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> ObjMapper.open(config, dir.resolve("data")));
    assertThat(e.getClass()).isEqualTo(ConfigurationException.class);
    assertThat(e.path()).startsWith("backends[1]");
    assertThat(dir.resolve("data")).doesNotExist();
  }
}
