package io.objmapper.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TierFlagTest {
  @Test
  void everyFlagParsesFromItsConfigSpelling() {
    for (TierFlag flag : TierFlag.values()) {
      assertThat(TierFlag.parse(flag.configName())).isSameAs(flag);
    }
    assertThat(TierFlag.MIGRATION_SRC.configName()).isEqualTo("migration_src");
  }

  @Test
  void parsingIgnoresCase() {
    assertThat(TierFlag.parse("Persistent")).isSameAs(TierFlag.PERSISTENT);
  }

  @Test
  void anUnknownFlagIsNamedAlongWithTheKnownOnes() {
    assertThatThrownBy(() -> TierFlag.parse("persist"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown tier flag \"persist\"; known flags: persistent, ephemeral, readable, "
            + "writable, migration_src, migration_dst");
    assertThatThrownBy(() -> TierFlag.parse(null)).hasMessageStartingWith("unknown tier flag null;");
  }

  @Test
  void parseAllCollectsEveryFlagOnce() {
    assertThat(TierFlag.parseAll(List.of("readable", "writable", "readable")))
        .containsExactlyInAnyOrder(TierFlag.READABLE, TierFlag.WRITABLE);
    assertThatThrownBy(() -> TierFlag.parseAll(List.of("readable", "fast")))
        .hasMessageContaining("\"fast\"");
  }
}
