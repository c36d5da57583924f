package io.objmapper.internal.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProvider;
import io.objmapper.spi.TierProviders;
import io.objmapper.spi.UnknownTierTypeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in tiers are found through ServiceLoader, as any plugin is. */
class BuiltInTierProvidersTest {
  private static final String SERVICES = "META-INF/services/" + TierProvider.class.getName();

  @Test
  void theBuiltInsAreFoundByServiceLoader() {
    TierProviders providers = TierProviders.installed();

    assertThat(providers.get("fs")).isInstanceOf(FsTierProvider.class);
    assertThat(providers.get("memory")).isInstanceOf(MemoryTierProvider.class);
    assertThat(providers.get("nvme")).isSameAs(providers.get("fs"));
    assertThat(providers.get("ssd")).isSameAs(providers.get("fs"));
    assertThat(providers.get("hdd")).isSameAs(providers.get("fs"));
  }

  @Test
  void anUnknownTypeIsRejectedWithTheBuiltInsListed() {
    assertThatThrownBy(() -> TierProviders.installed().get("tape"))
        .isInstanceOf(UnknownTierTypeException.class)
        .hasMessageContaining("\"tape\"")
        .hasMessageContaining("fs")
        .hasMessageContaining("memory")
        .hasMessageContaining("nvme");
  }

  @Test
  void theContractKitBringsNoProvidersOntoAPluginsClassPath() throws IOException {
    List<String> registered = registeredProviders();

    assertThat(registered).as("the spi test-jar ships the kit, not the spi module's test providers")
        .doesNotContain("io.objmapper.spi.BrokenTierProvider");
    assertThat(TierProviders.load(getClass().getClassLoader()).types()).contains("fs", "memory")
        .doesNotContain("test-remote");
  }

  @Test
  void theSeedsBackendsOpen(@TempDir Path dir) throws IOException {
    Path memory = Files.createDirectory(dir.resolve("memory"));
    Path nvme = Files.createDirectory(dir.resolve("nvme"));
    Path hdd = Files.createDirectory(dir.resolve("hdd"));
    List<TierConfig> backends = List.of(
        TierConfig.builder().name("Memory Cache").type("memory").id(0).root(memory)
            .capacityBytes(16L << 30).perfFactor(1.0)
            .flags(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE).persistIndex(false).build(),
        TierConfig.builder().name("NVMe Hot Tier").type("nvme").id(1).root(nvme)
            .capacityBytes(1024L << 30).perfFactor(3.0)
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
                TierFlag.MIGRATION_DST)
            .persistIndex(true).indexPath(nvme.resolve(".objmapper_index")).build(),
        TierConfig.builder().name("HDD Cold Tier").type("hdd").id(2).root(hdd)
            .capacityBytes(10240L << 30).perfFactor(80.0)
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_DST)
            .persistIndex(true).indexPath(hdd.resolve(".objmapper_index")).build());

    List<Tier> opened = new ArrayList<>();
    try {
      for (TierConfig config : backends) {
        opened.add(TierProviders.installed().open(config));
      }
      for (Tier tier : opened) {
        tier.write("/hello", "hi".getBytes(StandardCharsets.UTF_8));

        assertThat(tier.localFiles().isPresent()).isTrue();
        assertThat(tier.config().root()).isEqualTo(backends.get(tier.config().id()).root());
        assertThat(tier.openStream("/hello").readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo("hi");
      }
    } finally {
      for (Tier tier : opened) {
        tier.close();
      }
    }
    assertThat(memory.resolve("hello")).exists();
  }

  private List<String> registeredProviders() throws IOException {
    List<String> names = new ArrayList<>();
    for (URL url : Collections.list(getClass().getClassLoader().getResources(SERVICES))) {
      try (InputStream in = url.openStream()) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          String name = line.replaceAll("#.*", "").trim();
          if (!name.isEmpty()) {
            names.add(name);
          }
        }
      }
    }
    return names;
  }
}
