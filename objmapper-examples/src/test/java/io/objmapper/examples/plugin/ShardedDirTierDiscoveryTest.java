package io.objmapper.examples.plugin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierProviders;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin is found the way a store finds it: by {@link java.util.ServiceLoader}. */
class ShardedDirTierDiscoveryTest {
  @TempDir
  Path dir;

  @Test
  void installedProvidersFindTypeSharded() {
    TierProviders installed = TierProviders.installed();

    assertThat(installed.types()).contains("sharded", "fs", "memory");
    assertThat(installed.get("sharded")).isInstanceOf(ShardedDirTierProvider.class);
    assertThat(installed.find("SHARDED")).containsInstanceOf(ShardedDirTierProvider.class);
  }

  @Test
  void aFreshServiceLoaderFindsTheProviderToo() {
    TierProviders loaded = TierProviders.load(ShardedDirTierProvider.class.getClassLoader());

    assertThat(loaded.find("sharded")).containsInstanceOf(ShardedDirTierProvider.class);
  }

  @Test
  void aConfigOfTypeShardedOpensAShardedTier() throws IOException {
    TierConfig config = TierConfig.builder().name("found").type("sharded").root(dir).build();

    try (Tier tier = TierProviders.installed().open(config)) {
      tier.write("/hello", "hello".getBytes(UTF_8));

      assertThat(tier.localFiles().get().path("/hello"))
          .isEqualTo(dir.toRealPath().resolve(ShardedLayout.relativePath("/hello")));
      try (InputStream in = tier.openStream("/hello")) {
        assertThat(in.readAllBytes()).asString(UTF_8).isEqualTo("hello");
      }
    }
  }
}
