package io.objmapper.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the encoder refuses to write, and how it shapes what it does write. */
class ProtocolEncoderTest {
  private final ByteBuffer out = ByteBuffer.allocate(8192);

  @Test
  void errorMessageTooLongForTheMetadataLimitIsCutOnACharacterBoundary() throws Exception {
    String message = "\u20ac".repeat(2000); // 3 UTF-8 bytes each

    ProtocolEncoder.error(out, Protocol.VERSION_2, 5, Status.INTERNAL_ERROR, message);

    Response r = (Response) ProtocolDecoder.decodeServerMessage(out.flip(), Protocol.VERSION_2);
    assertThat(r.metadata().error()).isEqualTo("\u20ac".repeat(340)); // 1020 of the 1021 bytes left
    assertThat(r.metadata().encodedLength()).isLessThanOrEqualTo(Protocol.MAX_METADATA_LENGTH);
  }

  @Test
  void tierNamesTravelInTheTiersTlvAndAnUnknownTlvIsSkipped() throws Exception {
    Metadata m = Metadata.builder().size(3).backend(1).tierNames(java.util.List.of("memory", "disk")).build();
    ProtocolEncoder.response(out, Protocol.VERSION_2, 7, Status.OK, 0, m);
    byte[] wire = java.util.Arrays.copyOf(out.array(), out.position());
    assertThat(java.util.HexFormat.ofDelimiter(" ").formatHex(wire, wire.length - 14, wire.length))
        .isEqualTo("80 00 0b 6d 65 6d 6f 72 79 0a 64 69 73 6b"); // type 0x80, length 11, "memory\ndisk"

    Response r = (Response) ProtocolDecoder.decodeServerMessage(out.flip(), Protocol.VERSION_2);
    assertThat(r.metadata().tierNames()).containsExactly("memory", "disk");
    assertThat(r.metadata()).isEqualTo(m);
    assertThat(Metadata.builder().size(3).build().tierNames()).isEmpty();
    assertThatIllegalArgumentException().isThrownBy(() -> Metadata.builder().tierNames(java.util.List.of("a\nb")));
    assertThatIllegalArgumentException().isThrownBy(() -> Metadata.builder().tierNames(java.util.List.of("")));
  }

  @Test
  void errorWithStatusOkIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ProtocolEncoder.error(out, Protocol.VERSION_2, 1, Status.OK, "fine"));
  }

  @Test
  void metadataLongerThan1024BytesIsRefusedRatherThanSentToAPeerThatRejectsIt() {
    Metadata big = Metadata.builder().etag("e".repeat(Protocol.MAX_METADATA_LENGTH)).build();

    assertThatIllegalArgumentException()
        .isThrownBy(() -> ProtocolEncoder.response(out, Protocol.VERSION_2, 1, Status.OK, 0, big));
  }

  @Test
  void nothingIsWrittenForARefusedResponse() {
    Metadata big = Metadata.builder().etag("e".repeat(Protocol.MAX_METADATA_LENGTH)).build();

    assertThatIllegalArgumentException()
        .isThrownBy(() -> ProtocolEncoder.response(out, Protocol.VERSION_1, 0, Status.OK, 0, big));
    assertThat(out.position()).isZero();
  }

  @Test
  void nothingIsWrittenForAResponseHeaderWithANegativeContentLength() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ProtocolEncoder.responseV2Header(out, 1, Status.OK, -1, 0));
    assertThat(out.position()).isZero();
  }

  @Test
  void metadataOfExactly1024BytesIsWritten() throws Exception {
    int text = Protocol.MAX_METADATA_LENGTH - Protocol.TLV_HEADER_LENGTH;
    Metadata m = Metadata.builder().etag("e".repeat(text)).build();

    ProtocolEncoder.response(out, Protocol.VERSION_2, 1, Status.OK, 0, m);

    assertThat(ProtocolDecoder.decodeServerMessage(out.flip(), Protocol.VERSION_2))
        .isEqualTo(new Response(1, 0, 0, m));
  }

  @Test
  void requestWithAnEmptyUriIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ProtocolEncoder.requestV2(out, 1, 0, Mode.FDPASS, new byte[0]));
  }

  @Test
  void requestIdBeyondU32IsRefused() {
    byte[] uri = "/a".getBytes(StandardCharsets.US_ASCII);

    assertThatIllegalArgumentException()
        .isThrownBy(() -> ProtocolEncoder.requestV2(out, 0x1_0000_0000L, 0, Mode.FDPASS, uri));
  }

  @Test
  void segmentedResponseWithAnInvalidTableIsRefused() {
    List<Segment> noFin = List.of(Segment.inline(4, false));

    assertThatIllegalArgumentException()
        .isThrownBy(() -> ProtocolEncoder.segmented(out, 1, Status.OK, Metadata.EMPTY, noFin));
  }

  @Test
  void nothingIsWrittenForARefusedSegmentedResponse() {
    List<Segment> noFin = List.of(Segment.inline(4, false));

    assertThatIllegalArgumentException()
        .isThrownBy(() -> ProtocolEncoder.segmented(out, 1, Status.OK, Metadata.EMPTY, noFin));
    assertThat(out.position()).isZero();
  }

  @Test
  void payloadVariantIdOf33BytesIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new PayloadVariant("i".repeat(33), 0, 0, 0, 0, 0, false));
  }

  @Test
  void payloadVariantIdHoldingANulIsRefusedBecauseTheWireWouldCutItThere() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new PayloadVariant("gz\0ip", 0, 0, 0, 0, 0, false));
  }

  @Test
  void payloadVariantIdWithAnUnpairedSurrogateIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new PayloadVariant("id\ud800", 0, 0, 0, 0, 0, false));
  }

  @Test
  void payloadWithNineVariantsIsRefused() {
    PayloadVariant v = new PayloadVariant("v", 0, 0, 0, 0, 0, false);

    assertThatIllegalArgumentException()
        .isThrownBy(() -> new PayloadDescriptor(1, 0, 0, List.of(v, v, v, v, v, v, v, v, v)));
  }

  @Test
  void payloadTlvIsAlways592BytesWhateverTheVariantCount() {
    PayloadDescriptor none = new PayloadDescriptor(1, 0, 0, List.of());

    ProtocolEncoder.payloadTlv(out, none);

    assertThat(out.position()).isEqualTo(Protocol.TLV_HEADER_LENGTH + PayloadDescriptor.LENGTH);
  }

  @Test
  void metadataEncodedLengthIsWhatTheEncoderWrites() {
    Metadata m = ((Response) GoldenExpectations.VALUES.get("v2-response-every-tlv")).metadata();

    ProtocolEncoder.metadata(out, m);

    assertThat(out.position()).isEqualTo(m.encodedLength()).isEqualTo(685);
  }

  @Test
  void helloAckTakesTheServersPipelineWhenTheClientSaysUnlimited() {
    HelloAck ack = HelloAck.negotiate(new Hello(Capabilities.PIPELINING, 0), Capabilities.SUPPORTED, 256, 4);

    assertThat(ack).isEqualTo(new HelloAck(Capabilities.PIPELINING, 256, 4));
  }

  @Test
  void helloAckNeverOffersACapabilityTheServerLacks() {
    Hello hello = new Hello(0xFFFF, 10);

    HelloAck ack = HelloAck.negotiate(hello, Capabilities.SUPPORTED, 1000, 300);

    assertThat(ack.capabilities()).isEqualTo(Capabilities.SUPPORTED);
    assertThat(ack.has(Capabilities.COMPRESSION)).isFalse();
    assertThat(ack.pipelineDepth()).isEqualTo(10);
    assertThat(ack.parallelism()).isEqualTo(0xFF);
  }
}
