package io.objmapper.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A backend's {@code "options"} object, and the s3 backend that needs no mount_path. */
class BackendOptionsTest {
  private static final String S3 = "\"name\": \"archive\", \"type\": \"s3\", \"capacity_gb\": 1000,"
      + " \"perf_factor\": 500.0, \"flags\": [\"persistent\", \"readable\", \"writable\","
      + " \"migration_src\", \"migration_dst\"]";

  @Test
  void optionsAreReadAsStringsInFileOrder() {
    BackendConfig b = ObjMapperConfig.parse(TestConfigs.withBackend(S3
        + ", \"options\": {\"bucket\": \"objm\", \"prefix\": \"p/\", \"endpoint\": \"http://127.0.0.1:9000\","
        + " \"region\": \"us-east-1\", \"path_style\": \"true\", \"revalidate_ms\": \"5000\","
        + " \"request_timeout_ms\": \"3000\"}")).backends().get(0);

    assertThat(b.options()).containsExactly(Map.entry("bucket", "objm"), Map.entry("prefix", "p/"),
        Map.entry("endpoint", "http://127.0.0.1:9000"), Map.entry("region", "us-east-1"),
        Map.entry("path_style", "true"), Map.entry("revalidate_ms", "5000"),
        Map.entry("request_timeout_ms", "3000"));
    assertThat(b.mountPath()).isNull();
  }

  @Test
  void aBackendWithoutOptionsHasNone() {
    BackendConfig b = ObjMapperConfig.parse(TestConfigs.withBackend(
        "\"name\": \"a\", \"type\": \"memory\", \"mount_path\": \"/srv/a\", \"capacity_gb\": 1")).backends().get(0);

    assertThat(b.options()).isEmpty();
  }

  @Test
  void anS3BackendWithAPersistedIndexNeedsAnIndexPath() {
    assertThatThrownBy(() -> ObjMapperConfig.parse(TestConfigs.withBackend(S3
        + ", \"persist_index\": true, \"options\": {\"bucket\": \"objm\"}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backends[0].index_path")
        .hasMessageContaining("mount_path");
  }

  @Test
  void anS3BackendKeepsItsIndexPath() {
    BackendConfig b = ObjMapperConfig.parse(TestConfigs.withBackend(S3
        + ", \"persist_index\": true, \"index_path\": \"/var/lib/objmapper/archive.objmapper_index\","
        + " \"options\": {\"bucket\": \"objm\"}")).backends().get(0);

    assertThat(b.indexPath()).isEqualTo(Path.of("/var/lib/objmapper/archive.objmapper_index"));
  }

  @Test
  void aDataDirectoryTakesTheIndexFileOfABackendWithoutMountPath() {
    ObjMapperConfig config = ObjMapperConfig.parse(TestConfigs.withBackend(S3
        + ", \"persist_index\": true, \"index_path\": \"/var/lib/objmapper/archive.objmapper_index\","
        + " \"options\": {\"bucket\": \"objm\"}"));

    BackendConfig moved = config.withDataDirectory(Path.of("/tmp/data")).backends().get(0);

    assertThat(moved.mountPath()).isNull();
    assertThat(moved.indexPath()).isEqualTo(Path.of("/tmp/data/archive.objmapper_index"));
    assertThat(moved.options()).containsEntry("bucket", "objm");
  }

  @Test
  void otherTypesStillNeedAMountPath() {
    assertThatThrownBy(() -> ObjMapperConfig.parse(TestConfigs.withBackend(
        "\"name\": \"a\", \"type\": \"nvme\", \"capacity_gb\": 1, \"options\": {\"x\": \"y\"}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backends[0].mount_path: missing (required)");
  }

  @Test
  void anOptionThatIsNotAStringOrNumberIsRefused() {
    assertThatThrownBy(() -> ObjMapperConfig.parse(TestConfigs.withBackend(S3
        + ", \"options\": {\"bucket\": {\"name\": \"objm\"}}")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("options");
  }
}
