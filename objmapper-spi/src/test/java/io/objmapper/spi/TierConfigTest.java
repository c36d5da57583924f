package io.objmapper.spi;

import static io.objmapper.spi.TierFlag.EPHEMERAL;
import static io.objmapper.spi.TierFlag.MIGRATION_DST;
import static io.objmapper.spi.TierFlag.MIGRATION_SRC;
import static io.objmapper.spi.TierFlag.PERSISTENT;
import static io.objmapper.spi.TierFlag.READABLE;
import static io.objmapper.spi.TierFlag.WRITABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TierConfigTest {
  private static final Path ROOT = Path.of("tier-root");

  @Test
  void onlyTheTypeIsRequiredAndTheRestHasDefaults() {
    TierConfig config = TierConfig.builder().type("fs").build();

    assertThat(config.name()).isEqualTo("fs");
    assertThat(config.id()).isZero();
    assertThat(config.root()).isEmpty();
    assertThat(config.capacityBytes()).isEqualTo(TierConfig.UNLIMITED);
    assertThat(config.perfFactor()).isEqualTo(1.0);
    assertThat(config.flags()).containsExactlyInAnyOrder(READABLE, WRITABLE);
    assertThat(config.persistIndex()).isFalse();
    assertThat(config.indexPath()).isEmpty();
    assertThat(config.options()).isEmpty();
  }

  @Test
  void aSeedBackendEntryIsExpressible() {
    TierConfig nvme = TierConfig.builder()
        .name("NVMe Hot Tier")
        .type("nvme")
        .id(1)
        .root(Path.of("/mnt/objmapper/nvme"))
        .capacityBytes(1024L << 30)
        .perfFactor(3.0)
        .flags(TierFlag.parseAll(
            List.of("persistent", "readable", "writable", "migration_src", "migration_dst")))
        .persistIndex(true)
        .indexPath(Path.of("/mnt/objmapper/nvme/.objmapper_index"))
        .build();

    assertThat(nvme.name()).isEqualTo("NVMe Hot Tier");
    assertThat(nvme.type()).isEqualTo("nvme");
    assertThat(nvme.id()).isEqualTo(1);
    assertThat(nvme.root()).contains(Path.of("/mnt/objmapper/nvme"));
    assertThat(nvme.capacityBytes()).isEqualTo(1024L << 30);
    assertThat(nvme.perfFactor()).isEqualTo(3.0);
    assertThat(nvme.flags())
        .containsExactlyInAnyOrder(PERSISTENT, READABLE, WRITABLE, MIGRATION_SRC, MIGRATION_DST);
    assertThat(nvme.has(MIGRATION_SRC)).isTrue();
    assertThat(nvme.has(EPHEMERAL)).isFalse();
    assertThat(nvme.indexPath()).contains(Path.of("/mnt/objmapper/nvme/.objmapper_index"));
    assertThat(nvme.toString()).contains("NVMe Hot Tier", "migration_src", ".objmapper_index");
  }

  @Test
  void theTypeIsKeptInLowercase() {
    assertThat(TierConfig.builder().type("NVMe").build().type()).isEqualTo("nvme");
  }

  @Test
  void everySetterMayBeCalledOnlyOnce() {
    List<Consumer<TierConfig.Builder>> setters = Arrays.asList(
        b -> b.name("a"),
        b -> b.type("fs"),
        b -> b.id(1),
        b -> b.root(ROOT),
        b -> b.capacityBytes(10),
        b -> b.perfFactor(2.0),
        b -> b.flags(READABLE),
        b -> b.persistIndex(true),
        b -> b.indexPath(ROOT.resolve("index")),
        b -> b.option("k", "v"));
    for (Consumer<TierConfig.Builder> setter : setters) {
      TierConfig.Builder builder = TierConfig.builder();
      setter.accept(builder);

      assertThatThrownBy(() -> setter.accept(builder))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("was already set to");
    }
  }

  @Test
  void badArgumentsAreRejectedAtOnceWithTerseMessages() {
    TierConfig.Builder b = TierConfig.builder();

    assertThatThrownBy(() -> b.capacityBytes(-1)).hasMessage("capacityBytes < 0");
    assertThatThrownBy(() -> b.perfFactor(0)).hasMessage("perfFactor <= 0");
    assertThatThrownBy(() -> b.perfFactor(-2)).hasMessage("perfFactor <= 0");
    assertThatThrownBy(() -> b.perfFactor(Double.NaN)).hasMessage("perfFactor is not finite");
    assertThatThrownBy(() -> b.perfFactor(Double.POSITIVE_INFINITY)).hasMessage("perfFactor is not finite");
    assertThatThrownBy(() -> b.id(-1)).hasMessage("id < 0");
    assertThatThrownBy(() -> b.name(" ")).hasMessage("name is blank");
    assertThatThrownBy(() -> b.type("has space")).hasMessage("bad type \"has space\"");
    assertThatThrownBy(() -> b.type("-leading")).hasMessage("bad type \"-leading\"");
    assertThatThrownBy(() -> b.option(" ", "v")).hasMessage("option key is blank");
    assertThatThrownBy(() -> b.flags(READABLE, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.root(null)).isInstanceOf(NullPointerException.class);

    assertThat(b.type("fs").capacityBytes(0).perfFactor(0.5).id(0).build().capacityBytes()).isZero();
  }

  @Test
  void buildingWithoutATypeFails() {
    assertThatThrownBy(() -> TierConfig.builder().name("x").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("type is not set");
  }

  @Test
  void persistentAndEphemeralExcludeEachOther() {
    assertThatThrownBy(() -> TierConfig.builder().type("fs").flags(PERSISTENT, EPHEMERAL).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("flags persistent and ephemeral exclude each other");
  }

  @Test
  void anIndexPathNeedsPersistIndex() {
    assertThatThrownBy(() -> TierConfig.builder().type("fs").indexPath(ROOT).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("indexPath is set but persistIndex is false");
  }

  @Test
  void anEphemeralTierCannotPersistItsIndex() {
    assertThatThrownBy(() -> TierConfig.builder().type("memory").root(ROOT).flags(EPHEMERAL)
            .persistIndex(true).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("persistIndex on an ephemeral tier");
  }

  @Test
  void aPersistedIndexDefaultsToAHiddenFileBelowTheRoot() {
    TierConfig config = TierConfig.builder().type("fs").root(ROOT).persistIndex(true).build();

    assertThat(config.indexPath()).contains(ROOT.resolve(".objmapper_index"));
    assertThat(ObjectNames.isReserved("/" + TierConfig.DEFAULT_INDEX_FILE_NAME)).isTrue();
  }

  @Test
  void aPersistedIndexNeedsAPathOrARoot() {
    assertThatThrownBy(() -> TierConfig.builder().type("fs").persistIndex(true).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("persistIndex needs an indexPath or a root");
  }

  @Test
  void optionsKeepTheirOrderAndCannotBeChanged() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("zeta", "1");
    options.put("alpha", "2");

    TierConfig config = TierConfig.builder().type("fs").options(options).option("mid", "3").build();
    options.put("late", "4");

    assertThat(config.options().keySet()).containsExactly("zeta", "alpha", "mid");
    assertThat(config.option("alpha")).contains("2");
    assertThat(config.option("late")).isEmpty();
    assertThatThrownBy(() -> config.options().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> config.flags().add(PERSISTENT)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void configsWithTheSameSettingsAreEqual() {
    TierConfig a = TierConfig.builder().type("fs").name("n").root(ROOT).option("k", "v").build();
    TierConfig b = TierConfig.builder().option("k", "v").root(ROOT).name("n").type("FS").build();

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(TierConfig.builder().type("fs").name("n").root(ROOT).build());
  }

  @Test
  void aBuilderBuildsTheSameConfigTwice() {
    TierConfig.Builder builder = TierConfig.builder().type("fs").root(ROOT).persistIndex(true);

    assertThat(builder.build()).isEqualTo(builder.build());
  }

  @Test
  void withFlagsReplacesOnlyTheFlagsAndChecksThemAgain() {
    TierConfig config = TierConfig.builder().type("memory").name("m").id(2).option("k", "v").build();

    TierConfig ephemeral = config.withFlags(List.of(EPHEMERAL, READABLE));

    assertThat(ephemeral.flags()).containsExactlyInAnyOrder(EPHEMERAL, READABLE);
    assertThat(ephemeral.name()).isEqualTo("m");
    assertThat(ephemeral.id()).isEqualTo(2);
    assertThat(ephemeral.options()).isEqualTo(config.options());
    assertThatThrownBy(() -> config.withFlags(List.of(EPHEMERAL, PERSISTENT)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aTierMayHaveNoFlagsAtAll() {
    TierConfig none = TierConfig.builder().type("fs").flags().build();

    assertThat(none.flags()).isEmpty();
    assertThat(none.withRoot(ROOT).flags()).isEmpty();
    assertThat(none.withFlags(List.of()).flags()).isEmpty();
  }

  @Test
  void withRootReplacesOnlyTheRoot() {
    TierConfig config = TierConfig.builder().type("memory").perfFactor(1.5).build();

    TierConfig rooted = config.withRoot(ROOT);

    assertThat(rooted.root()).contains(ROOT);
    assertThat(rooted.perfFactor()).isEqualTo(1.5);
    assertThat(config.root()).isEmpty();
  }
}
