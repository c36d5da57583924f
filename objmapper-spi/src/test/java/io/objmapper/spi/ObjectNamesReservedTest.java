package io.objmapper.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The names a tier keeps for its own files. */
class ObjectNamesReservedTest {
  @Test
  void aSegmentStartingWithTheReservedPrefixIsReserved() {
    assertThat(ObjectNames.isReserved("/.objmapper_index")).isTrue();
    assertThat(ObjectNames.isReserved("/a/.objmapper-tmp-1f/b")).isTrue();
    assertThat(ObjectNames.isReserved("/a/.objmapper")).isTrue();
  }

  @Test
  void thePrefixElsewhereInASegmentIsNotReserved() {
    assertThat(ObjectNames.isReserved("/a.objmapper")).isFalse();
    assertThat(ObjectNames.isReserved("/objmapper/x")).isFalse();
    assertThat(ObjectNames.isReserved("/.objmappe")).isFalse();
    assertThat(ObjectNames.isReserved(null)).isFalse();
  }

  @Test
  void validateStorableRejectsReservedNames() {
    assertThatThrownBy(() -> ObjectNames.validateStorable("/d/.objmapper-tmp-1"))
        .isInstanceOfSatisfying(InvalidObjectNameException.class,
            e -> assertThat(e.name()).isEqualTo("/d/.objmapper-tmp-1"))
        .hasMessageContaining("reserved");
  }

  @Test
  void validateStorableRejectsWhatValidateRejects() {
    assertThatThrownBy(() -> ObjectNames.validateStorable("/a/../b"))
        .isInstanceOf(InvalidObjectNameException.class)
        .hasMessageContaining("'..'");
  }

  @Test
  void validateStorableReturnsAGoodName() {
    assertThat(ObjectNames.validateStorable("/photos/.hidden/cat.jpg")).isEqualTo("/photos/.hidden/cat.jpg");
  }
}
