package io.objmapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** How a stream whose length was announced answers a body of another length. */
class LengthCheckedStreamTest {
  private static InputStream body(int n) {
    return new ByteArrayInputStream(new byte[n]);
  }

  @Test
  void exactlyTheAnnouncedLengthReadsThrough() throws IOException {
    assertThat(new LengthCheckedStream(body(10), 10, true, "x").readAllBytes()).hasSize(10);
    assertThat(new LengthCheckedStream(body(0), 0, true, "x").readAllBytes()).isEmpty();
  }

  @Test
  void aBodyEndingShortOfAnAnnouncedLengthFailsAtItsEnd() {
    assertThatThrownBy(() -> new LengthCheckedStream(body(9), 10, true, "object /a on tier r").readAllBytes())
        .isInstanceOf(IOException.class).hasMessage("object /a on tier r ended after 9 bytes of the 10 its tier announced");
  }

  @Test
  void aBodyLongerThanItsLengthFailsAsSoonAsItIsPast() throws IOException {
    assertThatThrownBy(() -> new LengthCheckedStream(body(11), 10, true, "object /a on tier r").readAllBytes())
        .isInstanceOf(IOException.class).hasMessage("object /a on tier r is longer than the 10 bytes its tier announced");
    // At most (a length from a separate stat): shorter is fine, longer is not.
    assertThat(new LengthCheckedStream(body(3), 10, false, "x").readAllBytes()).hasSize(3);
    InputStream in = new LengthCheckedStream(body(1_000_000), 10, false, "object /b on tier r");
    byte[] buf = new byte[8];
    assertThat(in.read(buf)).isEqualTo(8);
    assertThatThrownBy(() -> in.read(buf)).hasMessage("object /b on tier r is longer than the 10 bytes its tier stated");
  }

  @Test
  void singleByteReadsAreCountedToo() throws IOException {
    InputStream in = new LengthCheckedStream(body(2), 1, true, "x");
    assertThat(in.read()).isZero();
    assertThatThrownBy(in::read).isInstanceOf(IOException.class);
    InputStream shorter = new LengthCheckedStream(body(1), 2, true, "x");
    assertThat(shorter.read()).isZero();
    assertThatThrownBy(shorter::read).hasMessageContaining("ended after 1 bytes of the 2");
  }
}
