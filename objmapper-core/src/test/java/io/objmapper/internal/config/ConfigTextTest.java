package io.objmapper.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What text the loader accepts, and how a file is named in its messages. */
class ConfigTextTest {
  @TempDir
  Path dir;

  @Test
  void blockAndLineCommentsAreAcceptedAnywhereBetweenTokens() {
    ObjMapperConfig config = ObjMapperConfig.parse("""
        // objmapper test configuration
        /* before the object */ {
          "backends": [ /* one tier */
            {"name": "mem", // the name
             "type": "memory", "mount_path": "/srv/m", "capacity_gb": /* small */ 2}
          ] // end of backends
        } /* after the object */
        // last line""");
    assertThat(config.backends()).singleElement()
        .extracting(BackendConfig::capacityBytes).isEqualTo(2_000_000_000L);
  }

  @Test
  void fractionalCapacityIsConvertedToExactDecimalBytes() {
    ObjMapperConfig config = ObjMapperConfig.parse(TestConfigs.withBackend(
        "\"name\": \"a\", \"type\": \"memory\", \"mount_path\": \"/srv/a\", \"capacity_gb\": 0.01"));
    BackendConfig backend = config.backends().get(0);
    assertThat(backend.capacityBytes()).isEqualTo(10_000_000L);
    assertThat(backend.capacityGb()).isEqualByComparingTo(new BigDecimal("0.01"));
  }

  @Test
  void capacityInExponentNotationIsConvertedExactly() {
    ObjMapperConfig config = ObjMapperConfig.parse(TestConfigs.withBackend(
        "\"name\": \"a\", \"type\": \"memory\", \"mount_path\": \"/srv/a\", \"capacity_gb\": 1.5e-3"));
    assertThat(config.backends().get(0).capacityBytes()).isEqualTo(1_500_000L);
  }

  @Test
  void capacityThatDoesNotFitInALongIsRefused() {
    assertThatThrownBy(() -> ObjMapperConfig.parse(TestConfigs.withBackend(
        "\"name\": \"a\", \"type\": \"memory\", \"mount_path\": \"/srv/a\", \"capacity_gb\": 1e10")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("backends[0].capacity_gb: must be <= 9223372036.854775807, was");
  }

  @Test
  void fileWithAByteOrderMarkLoads() throws IOException {
    Path file = dir.resolve("bom.conf");
    Files.write(file, ("\uFEFF" + TestConfigs.withBackendAnd("  \"index\": {}"))
        .getBytes(StandardCharsets.UTF_8));
    assertThat(ObjMapperConfig.load(file).backends()).hasSize(1);
  }

  @Test
  void problemInAFileNamesTheFileLineAndColumn() throws IOException {
    Path file = dir.resolve("objmapper.conf");
    Files.writeString(file, TestConfigs.seedWith("\"version\": 2", "\"version\": 3"));
    assertThatThrownBy(() -> ObjMapperConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage("protocol.version: must be 1 or 2, was 3 (" + file + ", line 10, column 9)")
        .satisfies(e -> assertThat(((ConfigException) e).source()).contains(file.toString()));
  }

  @Test
  void missingFileIsAConfigExceptionNamingTheFile() {
    Path file = dir.resolve("absent.conf");
    assertThatThrownBy(() -> ObjMapperConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage("no such file (" + file + ")");
  }

  @Test
  void directoryGivenAsTheFileIsAConfigException() {
    assertThatThrownBy(() -> ObjMapperConfig.load(dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("cannot read: ")
        .hasMessageEndingWith("(" + dir + ")");
  }

  @Test
  void textThatIsNotUtf8IsAConfigException() throws IOException {
    Path file = dir.resolve("latin1.conf");
    Files.write(file, TestConfigs.withBackend("\"name\": \"caf\u00e9\", \"type\": \"memory\","
        + " \"mount_path\": \"/srv/a\", \"capacity_gb\": 1").getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> ObjMapperConfig.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessage("not UTF-8 text (" + file + ")");
  }
}
