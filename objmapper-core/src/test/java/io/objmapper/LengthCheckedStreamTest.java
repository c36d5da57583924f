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
    assertThat(new LengthCheckedStream(body(10), 10, "x").readAllBytes()).hasSize(10);
    assertThat(new LengthCheckedStream(body(0), 0, "x").readAllBytes()).isEmpty();
  }

  @Test
  void aBodyEndingShortOfAnAnnouncedLengthFailsAtItsEnd() {
    assertThatThrownBy(() -> new LengthCheckedStream(body(9), 10, "object /a on tier r").readAllBytes())
        .isInstanceOf(IOException.class).hasMessage("object /a on tier r ended after 9 bytes of the 10 its tier announced");
  }

  @Test
  void aBodyLongerThanItsLengthFailsAsSoonAsItIsPast() throws IOException {
    assertThatThrownBy(() -> new LengthCheckedStream(body(11), 10, "object /a on tier r").readAllBytes())
        .isInstanceOf(IOException.class).hasMessage("object /a on tier r is longer than the 10 bytes its tier announced");
    // Failed as soon as it is past: a long body is not read to its end first.
    InputStream in = new LengthCheckedStream(body(1_000_000), 10, "object /b on tier r");
    byte[] buf = new byte[8];
    assertThat(in.read(buf)).isEqualTo(8);
    assertThatThrownBy(() -> in.read(buf)).hasMessage("object /b on tier r is longer than the 10 bytes its tier announced");
  }

  @Test
  void singleByteReadsAreCountedToo() throws IOException {
    InputStream in = new LengthCheckedStream(body(2), 1, "x");
    assertThat(in.read()).isZero();
    assertThatThrownBy(in::read).isInstanceOf(IOException.class);
    InputStream shorter = new LengthCheckedStream(body(1), 2, "x");
    assertThat(shorter.read()).isZero();
    assertThatThrownBy(shorter::read).hasMessageContaining("ended after 1 bytes of the 2");
  }
}
