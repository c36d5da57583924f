package io.objmapper.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/** The golden frame file format of {@code src-test-data/protocol/README.md}. */
class GoldenFrameFormatTest {
  private static final String HEADERS = "@direction server->client\n@version 2\n@message CLOSE_ACK\n";

  @Test
  void hexBytesRepeatsAndStringsMakeTheFrameInOrder() {
    GoldenFrame f = GoldenFrame.parse("t", HEADERS + "04 00*2  # a note\n\"AB\" ff  # more\n");

    assertThat(f.frame()).isEqualTo(Codec.hex("04 00 00 41 42 ff"));
    assertThat(f.after()).isEmpty();
  }

  @Test
  void headersAreRead() {
    GoldenFrame f = GoldenFrame.parse("t", "@direction client->server\n@version 1\n@message REQUEST\n"
        + "@source somewhere\n31\n");

    assertThat(f.direction()).isEqualTo(GoldenFrame.Direction.CLIENT_TO_SERVER);
    assertThat(f.version()).isEqualTo(1);
    assertThat(f.message()).isEqualTo("REQUEST");
    assertThat(f.source()).isEqualTo("somewhere");
  }

  @Test
  void aHashInsideAStringIsAByteNotAComment() {
    GoldenFrame f = GoldenFrame.parse("t", HEADERS + "\"a#b\"  # note with \"quotes\"\n");

    assertThat(f.frame()).isEqualTo(Codec.hex("61 23 62"));
  }

  @Test
  void bytesAfterTheAfterFrameLineAreKeptApart() {
    GoldenFrame f = GoldenFrame.parse("t", HEADERS + "02\n@after-frame\n58  # X\n");

    assertThat(f.frame()).isEqualTo(Codec.hex("02"));
    assertThat(f.after()).isEqualTo(Codec.hex("58"));
    assertThat(f.wire()).isEqualTo(Codec.hex("02 58"));
  }

  @Test
  void aFileWithoutItsHeadersIsRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> GoldenFrame.parse("t", "@version 2\n04\n"))
        .withMessageContaining("required");
  }

  @Test
  void aTokenThatIsNotAHexByteIsRejectedWithItsLine() {
    assertThatIllegalArgumentException().isThrownBy(() -> GoldenFrame.parse("t", HEADERS + "04\n0x05\n"))
        .withMessageContaining("t.frame:5");
  }

  @Test
  void aHeaderGivenTwiceIsRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> GoldenFrame.parse("t", HEADERS + "@version 1\n04\n"))
        .withMessageContaining("twice");
  }
}
