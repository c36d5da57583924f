package io.objmapper.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.ObjMapper;
import io.objmapper.spi.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The library jars name their modules, so that module-path users can require them. The jars
 * exist when the whole build runs ({@code mvn verify}); a run against the modules' class
 * directories (a targeted {@code -pl ... -am test}) has no manifest to read and skips, saying so.
 */
class ModuleNamesTest {
  private static String moduleNameOf(Class<?> type) throws Exception {
    Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    Assumptions.assumeTrue(Files.isRegularFile(location),
        () -> type.getName() + " comes from the directory " + location + ", not a jar: run the whole build");
    try (JarFile jar = new JarFile(location.toFile())) {
      return jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
    }
  }

  @Test
  void coreIsIoObjmapperCore() throws Exception {
    assertThat(moduleNameOf(ObjMapper.class)).isEqualTo("io.objmapper.core");
  }

  @Test
  void spiIsIoObjmapperSpi() throws Exception {
    assertThat(moduleNameOf(Tier.class)).isEqualTo("io.objmapper.spi");
  }
}
