package io.objmapper.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpiExceptionsTest {
  @Test
  void accessCheckPassesWhenTheFlagIsPresent() {
    TierConfig config = TierConfig.builder().type("fs").flags(TierFlag.READABLE).build();

    assertThatCode(() -> TierAccessException.check(config, TierFlag.READABLE)).doesNotThrowAnyException();
  }

  @Test
  void accessCheckNamesTheTierAndTheMissingFlag() {
    TierConfig config =
        TierConfig.builder().type("hdd").name("HDD Cold Tier").flags(TierFlag.READABLE).build();

    assertThatThrownBy(() -> TierAccessException.check(config, TierFlag.WRITABLE))
        .isInstanceOfSatisfying(TierAccessException.class, e -> {
          assertThat(e.tierName()).isEqualTo("HDD Cold Tier");
          assertThat(e.missingFlag()).isEqualTo(TierFlag.WRITABLE);
        })
        .hasMessage("tier \"HDD Cold Tier\" is not writable");
  }

  @Test
  void anUnknownTypeMessageListsTheKnownTypes() {
    UnknownTierTypeException e = new UnknownTierTypeException("nvmee", List.of("fs", "memory", "nvme"));

    assertThat(e).hasMessage("unknown tier type \"nvmee\"; known types: fs, memory, nvme");
    assertThat(e.knownTypes()).containsExactly("fs", "memory", "nvme");
  }

  @Test
  void anObjectStatCannotHaveANegativeSize() {
    assertThatThrownBy(() -> new ObjectStat(-1, 0, null)).hasMessage("size < 0");
    assertThat(new ObjectStat(3, 4, "k")).isEqualTo(new ObjectStat(3, 4, "k"))
        .isNotEqualTo(new ObjectStat(3, 4, "other"));
  }
}
