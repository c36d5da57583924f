package io.objmapper.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed file's backend paths can be moved under a directory, as tests and --data need. */
class DataDirectoryOverrideTest {
  @TempDir
  Path dir;

  private final ObjMapperConfig seed = ObjMapperConfig.load(TestConfigs.seedFile());

  @Test
  void everyMountPathMovesUnderTheDirectoryKeepingItsLastElement() {
    ObjMapperConfig moved = seed.withDataDirectory(dir);
    assertThat(moved.backends()).extracting(BackendConfig::mountPath)
        .containsExactly(dir.resolve("memory"), dir.resolve("nvme"), dir.resolve("hdd"));
  }

  @Test
  void everyIndexPathMovesWithItsBackend() {
    ObjMapperConfig moved = seed.withDataDirectory(dir);
    assertThat(moved.backends()).extracting(BackendConfig::indexPath).containsExactly(
        dir.resolve("memory/.objmapper_index"),
        dir.resolve("nvme/.objmapper_index"),
        dir.resolve("hdd/.objmapper_index"));
  }

  @Test
  void noPathOfAMovedBackendIsLeftOutsideTheDirectory() {
    for (BackendConfig b : seed.withDataDirectory(dir).backends()) {
      assertThat(b.mountPath()).startsWithRaw(dir);
      assertThat(b.indexPath()).startsWithRaw(dir);
    }
  }

  @Test
  void everythingButThePathsIsKept() {
    ObjMapperConfig moved = seed.withDataDirectory(dir);
    assertThat(moved.withBackendRoots(b -> Path.of("/mnt/objmapper", b.mountPath()
        .getFileName().toString()))).isEqualTo(seed);
  }

  @Test
  void relativeDirectoryIsMadeAbsolute() {
    ObjMapperConfig moved = seed.withDataDirectory(Path.of("relative-data"));
    assertThat(moved.backends().get(0).mountPath())
        .isEqualTo(Path.of("relative-data").toAbsolutePath().resolve("memory"));
  }

  @Test
  void indexFileOutsideTheMountPathMovesIntoTheNewMountPath() {
    BackendConfig b = new BackendConfig("n", "nvme", Path.of("/mnt/nvme"), 1, 1.0,
        BackendConfig.DEFAULT_FLAGS, true, Path.of("/var/lib/objmapper/nvme.index"));
    BackendConfig moved = b.relocatedTo(dir.resolve("nvme"));
    assertThat(moved.indexPath()).isEqualTo(dir.resolve("nvme/nvme.index"));
  }

  @Test
  void backendRootsCanBeChosenPerBackend() {
    ObjMapperConfig moved = seed.withBackendRoots(b -> dir.resolve(b.type() + "-tier"));
    assertThat(moved.backends().get(1).mountPath()).isEqualTo(dir.resolve("nvme-tier"));
    assertThat(moved.backends().get(1).indexPath())
        .isEqualTo(dir.resolve("nvme-tier/.objmapper_index"));
  }

  @Test
  void backendsWhoseMountPathsEndAlikeCollideAndAreRefused() {
    ObjMapperConfig config = ObjMapperConfig.of(List.of(
        BackendConfig.of("a", "memory", Path.of("/srv/one/data"), 1),
        BackendConfig.of("b", "nvme", Path.of("/srv/two/data"), 1)));
    assertThatThrownBy(() -> config.withDataDirectory(dir))
        .isInstanceOf(ConfigException.class)
        .hasMessage("backends[1].mount_path: \"" + dir.resolve("data")
            + "\" is also the mount_path of backends[0]");
  }

  @Test
  void relativeRootFromTheFunctionIsRefusedNamingTheBackend() {
    assertThatThrownBy(() -> seed.withBackendRoots(b -> Path.of("tier")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("backends[0].mount_path: must be an absolute path, was \"tier\"");
  }
}
