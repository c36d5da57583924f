package io.objmapper.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Malformed and unacceptable input: the status each case answers with, whether the
 * connection survives it, and for those it survives, that the next frame still decodes.
 */
class MalformedInputTest {
  private static final DecodedRequest NEXT_V2 = DecodedRequest.request(77, 0, Mode.FDPASS, "/next");
  private static final DecodedRequest NEXT_V1 = DecodedRequest.v1(Mode.COPY, "/next");
  private static final byte[] SIZE_TLV = Codec.hex("01 0008 0000000000000400");
  private static final long NO_ID = ProtocolException.NO_REQUEST_ID;

  // ---- helpers ------------------------------------------------------------------------------

  private interface Decode {
    void run() throws ProtocolException;
  }

  private static ProtocolException thrownBy(Decode decode) {
    try {
      decode.run();
    } catch (ProtocolException e) {
      return e;
    }
    return fail("no ProtocolException");
  }

  private static ProtocolException requestError(ByteBuffer in, int version, RequestFrame frame) {
    return thrownBy(() -> ProtocolDecoder.decodeRequest(in, version, frame));
  }

  private static ProtocolException serverError(byte[] bytes, int version) {
    return thrownBy(() -> ProtocolDecoder.decodeServerMessage(ByteBuffer.wrap(bytes), version));
  }

  private static void assertFatal(ProtocolException e, Status status) {
    assertThat(e.status()).isEqualTo(status);
    assertThat(e.recoverable()).isFalse();
    assertThat(e.skipBytes()).isZero();
    assertThat(e.requestId()).isEqualTo(NO_ID);
  }

  private static void assertRecoverable(ProtocolException e, Status status, long requestId, int skipBytes) {
    assertThat(e.status()).isEqualTo(status);
    assertThat(e.recoverable()).isTrue();
    assertThat(e.requestId()).isEqualTo(requestId);
    assertThat(e.skipBytes()).isEqualTo(skipBytes);
  }

  /** Skips what the error says and decodes the frame after the bad one. */
  private static void assertNextFrameDecodes(
      ProtocolException e, ByteBuffer in, int version, RequestFrame frame, DecodedRequest next) throws Exception {
    in.position(in.position() + e.skipBytes());
    assertThat(ProtocolDecoder.decodeRequest(in, version, frame)).isTrue();
    assertThat(DecodedRequest.of(frame)).isEqualTo(next);
    assertThat(in.hasRemaining()).isFalse();
  }

  /** A bad frame followed by a good one in the same buffer. */
  private static ByteBuffer thenNext(byte[] bad, int version) {
    return ByteBuffer.wrap(Codec.concat(bad, Codec.encode(version == 1 ? NEXT_V1 : NEXT_V2, version)));
  }

  private static byte[] v2Request(long id, int flags, int mode, byte[] uri) {
    return Codec.concat(v2RequestHeader(id, flags, mode, uri.length), uri);
  }

  private static byte[] v2RequestHeader(long id, int flags, int mode, int uriLength) {
    return ByteBuffer.allocate(9).put((byte) 1).putInt((int) id).put((byte) flags).put((byte) mode)
        .putShort((short) uriLength).array();
  }

  private static byte[] v1Request(int mode, byte[] uri) {
    return Codec.concat(ByteBuffer.allocate(3).put((byte) mode).putShort((short) uri.length).array(), uri);
  }

  private static byte[] uri(String hexOrText) {
    return hexOrText.startsWith("/") ? hexOrText.getBytes(StandardCharsets.US_ASCII) : Codec.hex(hexOrText);
  }

  private static byte[] v2Response(long contentLength, byte[] metadata) {
    return v2Response(contentLength, metadata.length, metadata);
  }

  private static byte[] v2Response(long contentLength, int metadataLength, byte[] metadata) {
    ByteBuffer b = ByteBuffer.allocate(16 + metadata.length).put((byte) 2).putInt(21).put((byte) 0)
        .putLong(contentLength).putShort((short) metadataLength).put(metadata);
    return b.array();
  }

  private static byte[] segmented(int count, byte[]... entries) {
    ByteBuffer b = ByteBuffer.allocate(10 + SIZE_TLV.length + 32 * entries.length).put((byte) 5).putInt(31)
        .put((byte) 0).putShort((short) count).putShort((short) SIZE_TLV.length).put(SIZE_TLV);
    for (byte[] e : entries) {
      b.put(e);
    }
    return b.array();
  }

  private static byte[] segmented(byte[]... entries) {
    return segmented(entries.length, entries);
  }

  private static byte[] entry(int type, int flags, long copy, long logical, long offset, long storage) {
    return ByteBuffer.allocate(32).put((byte) type).put((byte) flags).putShort((short) 0).putInt((int) copy)
        .putLong(logical).putLong(offset).putLong(storage).array();
  }

  private static byte[] inline(int length, int flags) {
    return entry(Segment.INLINE, flags, length, length, 0, length);
  }

  private static byte[] fd(int flags, long logical) {
    return entry(Segment.FD, flags, 0, logical, 0, logical);
  }

  /** A PAYLOAD TLV holding {@code value} as its (little-endian) value. */
  private static byte[] payloadTlv(byte[] value) {
    return Codec.concat(ByteBuffer.allocate(3).put((byte) 7).putShort((short) value.length).array(), value);
  }

  private static byte[] payloadValue(int variantCount) {
    return ByteBuffer.allocate(PayloadDescriptor.LENGTH).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(1).putInt(variantCount).array();
  }

  // ---- handshake -----------------------------------------------------------------------------

  @Test
  void helloWithBadMagicIsAVersionMismatch() {
    ByteBuffer in = ByteBuffer.wrap(Codec.hex("4f 42 4a 58 02 0013 0064"));

    ProtocolException e = thrownBy(() -> ProtocolDecoder.decodeHello(in));

    assertFatal(e, Status.VERSION_MISMATCH);
  }

  @Test
  void helloWithBadMagicIsRejectedFromItsFirstBytesWithoutWaitingForTheRest() {
    ProtocolException e = thrownBy(() -> ProtocolDecoder.decodeHello(ByteBuffer.wrap(Codec.hex("4f 58"))));

    assertFatal(e, Status.VERSION_MISMATCH);
  }

  @Test
  void helloWithVersionThreeIsAVersionMismatch() {
    ByteBuffer in = ByteBuffer.wrap(Codec.hex("4f 42 4a 4d 03 0013 0064"));

    ProtocolException e = thrownBy(() -> ProtocolDecoder.decodeHello(in));

    assertFatal(e, Status.VERSION_MISMATCH);
  }

  @Test
  void helloAckWithVersionOneIsAVersionMismatch() {
    ProtocolException e = thrownBy(
        () -> ProtocolDecoder.decodeHelloAck(ByteBuffer.wrap(Codec.hex("4f 42 4a 4d 01 0013 0064 08"))));

    assertFatal(e, Status.VERSION_MISMATCH);
  }

  // ---- client frames -------------------------------------------------------------------------

  @Test
  void v1RequestWithInvalidModeByteIsAnUnrecoverableInvalidMode() {
    ByteBuffer in = ByteBuffer.wrap(v1Request('5', uri("/a")));

    ProtocolException e = requestError(in, 1, new RequestFrame());

    assertFatal(e, Status.INVALID_MODE);
  }

  @Test
  void v1RequestWithAnExtensionModeIsAnUnrecoverableInvalidModeAsBefore() {
    for (char mode : new char[] {'5', '6', '7', '8', '9', ':'}) {
      assertFatal(requestError(ByteBuffer.wrap(v1Request(mode, uri("/a"))), 1, new RequestFrame()), Status.INVALID_MODE);
    }
  }

  @Test
  void v2RequestWithUnknownModeAnswersInvalidModeAndStaysUsable() throws Exception {
    ByteBuffer in = thenNext(v2Request(0xDEAD_BEEFL, 0, 'X', uri("/a/b")), 2);
    RequestFrame frame = new RequestFrame();

    ProtocolException e = requestError(in, 2, frame);

    assertRecoverable(e, Status.INVALID_MODE, 0xDEAD_BEEFL, 0);
    assertNextFrameDecodes(e, in, 2, frame, NEXT_V2);
  }

  @Test
  void v2ClientFrameOfUnknownTypeIsAnUnrecoverableProtocolError() {
    ByteBuffer in = ByteBuffer.wrap(Codec.hex("07 00000001 00 31 0002 2f61"));

    assertFatal(requestError(in, 2, new RequestFrame()), Status.PROTOCOL_ERROR);
  }

  @Test
  void v2ClientSendingAServerMessageTypeIsAnUnrecoverableProtocolError() {
    ByteBuffer in = ByteBuffer.wrap(Codec.hex("04 00 00000000"));

    assertFatal(requestError(in, 2, new RequestFrame()), Status.PROTOCOL_ERROR);
  }

  @Test
  void v2RequestWithUriOf4097BytesIsUriTooLongAndStaysUsableOnceTheUriIsSkipped() throws Exception {
    byte[] uri = new byte[4097];
    Arrays.fill(uri, (byte) 'a');
    ByteBuffer in = thenNext(v2Request(12, 0, '1', uri), 2);
    RequestFrame frame = new RequestFrame();

    ProtocolException e = requestError(in, 2, frame);

    assertRecoverable(e, Status.URI_TOO_LONG, 12, 4097);
    assertThat(in.position()).isEqualTo(Protocol.V2_REQUEST_HEADER_LENGTH);
    assertNextFrameDecodes(e, in, 2, frame, NEXT_V2);
  }

  @Test
  void v1RequestWithUriOf4097BytesIsUriTooLongAndStaysUsableOnceTheUriIsSkipped() throws Exception {
    byte[] uri = new byte[4097];
    Arrays.fill(uri, (byte) 'a');
    ByteBuffer in = thenNext(v1Request('1', uri), 1);
    RequestFrame frame = new RequestFrame();

    ProtocolException e = requestError(in, 1, frame);

    assertRecoverable(e, Status.URI_TOO_LONG, NO_ID, 4097);
    assertThat(in.position()).isEqualTo(Protocol.V1_REQUEST_HEADER_LENGTH);
    assertNextFrameDecodes(e, in, 1, frame, NEXT_V1);
  }

  @Test
  void uriTooLongIsReportedFromTheHeaderBeforeTheUriArrives() {
    ByteBuffer in = ByteBuffer.wrap(v2RequestHeader(13, 0, '1', 0xFFFF));

    ProtocolException e = requestError(in, 2, new RequestFrame());

    assertRecoverable(e, Status.URI_TOO_LONG, 13, 0xFFFF);
    assertThat(in.position()).isEqualTo(Protocol.V2_REQUEST_HEADER_LENGTH);
  }

  @Test
  void uriOfExactly4096BytesIsAccepted() throws Exception {
    byte[] uri = new byte[4096];
    Arrays.fill(uri, (byte) 'z');
    uri[0] = '/';
    RequestFrame frame = new RequestFrame();

    assertThat(ProtocolDecoder.decodeRequest(ByteBuffer.wrap(v2Request(14, 0, '2', uri)), 2, frame)).isTrue();
    assertThat(frame.uri()).hasSize(4096);
  }

  @Test
  void v2RequestWithEmptyUriIsAnInvalidRequestAndStaysUsable() throws Exception {
    ByteBuffer in = thenNext(v2Request(15, 0, '1', new byte[0]), 2);
    RequestFrame frame = new RequestFrame();

    ProtocolException e = requestError(in, 2, frame);

    assertRecoverable(e, Status.INVALID_REQUEST, 15, 0);
    assertNextFrameDecodes(e, in, 2, frame, NEXT_V2);
  }

  @Test
  void v1RequestWithEmptyUriIsAnInvalidRequestAndStaysUsable() throws Exception {
    ByteBuffer in = thenNext(v1Request('2', new byte[0]), 1);
    RequestFrame frame = new RequestFrame();

    ProtocolException e = requestError(in, 1, frame);

    assertRecoverable(e, Status.INVALID_REQUEST, NO_ID, 0);
    assertNextFrameDecodes(e, in, 1, frame, NEXT_V1);
  }

  @Test
  void uriWithOverlongEncodingIsAnInvalidRequestAndStaysUsable() throws Exception {
    ByteBuffer in = thenNext(v2Request(16, 0, '1', uri("2f 61 c0 af 62")), 2); // "/a" overlong '/' "b"
    RequestFrame frame = new RequestFrame();

    ProtocolException e = requestError(in, 2, frame);

    assertRecoverable(e, Status.INVALID_REQUEST, 16, 0);
    assertNextFrameDecodes(e, in, 2, frame, NEXT_V2);
  }

  @Test
  void uriWithLoneContinuationByteIsAnInvalidRequestAndStaysUsable() throws Exception {
    ByteBuffer in = thenNext(v2Request(17, 0, '1', uri("2f 61 80 62")), 2);
    RequestFrame frame = new RequestFrame();

    ProtocolException e = requestError(in, 2, frame);

    assertRecoverable(e, Status.INVALID_REQUEST, 17, 0);
    assertNextFrameDecodes(e, in, 2, frame, NEXT_V2);
  }

  @Test
  void uriEndingInATruncatedSequenceIsAnInvalidRequestAndStaysUsable() throws Exception {
    ByteBuffer in = thenNext(v2Request(18, 0, '1', uri("2f 61 e6 97")), 2); // first 2 bytes of U+65E5
    RequestFrame frame = new RequestFrame();

    ProtocolException e = requestError(in, 2, frame);

    assertRecoverable(e, Status.INVALID_REQUEST, 18, 0);
    assertNextFrameDecodes(e, in, 2, frame, NEXT_V2);
  }

  @Test
  void uriWithAnEncodedSurrogateIsAnInvalidRequestAndStaysUsable() throws Exception {
    ByteBuffer in = thenNext(v2Request(19, 0, '1', uri("2f 61 ed a0 80")), 2); // U+D800 as 3 bytes
    RequestFrame frame = new RequestFrame();

    ProtocolException e = requestError(in, 2, frame);

    assertRecoverable(e, Status.INVALID_REQUEST, 19, 0);
    assertNextFrameDecodes(e, in, 2, frame, NEXT_V2);
  }

  @Test
  void uriWithACodePointBeyondU10ffffIsAnInvalidRequestAndStaysUsable() throws Exception {
    ByteBuffer in = thenNext(v2Request(20, 0, '1', uri("2f f4 90 80 80")), 2); // U+110000
    RequestFrame frame = new RequestFrame();

    ProtocolException e = requestError(in, 2, frame);

    assertRecoverable(e, Status.INVALID_REQUEST, 20, 0);
    assertNextFrameDecodes(e, in, 2, frame, NEXT_V2);
  }

  @Test
  void v1UriThatIsNotUtf8IsAnInvalidRequestWithoutARequestIdAndStaysUsable() throws Exception {
    ByteBuffer in = thenNext(v1Request('1', uri("2f ff fe")), 1);
    RequestFrame frame = new RequestFrame();

    ProtocolException e = requestError(in, 1, frame);

    assertRecoverable(e, Status.INVALID_REQUEST, NO_ID, 0);
    assertNextFrameDecodes(e, in, 1, frame, NEXT_V1);
  }

  // ---- server messages -----------------------------------------------------------------------

  @Test
  void responseWithMetadataLongerThan1024BytesIsAProtocolError() {
    byte[] meta = new byte[1025];
    meta[0] = 0x42; // one unknown TLV filling it
    meta[1] = (byte) (1022 >> 8);
    meta[2] = (byte) 1022;

    assertFatal(serverError(v2Response(0, meta), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void metadataEndingInATruncatedTlvHeaderIsAProtocolError() {
    byte[] meta = Codec.concat(SIZE_TLV, Codec.hex("02 00"));

    assertFatal(serverError(v2Response(0, meta), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void tlvValueOverrunningTheMetadataIsAProtocolError() {
    byte[] meta = Codec.concat(Codec.hex("03 000a"), "abcde".getBytes(StandardCharsets.US_ASCII), SIZE_TLV);

    assertFatal(serverError(v2Response(0, 8, meta), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void sizeTlvOfSevenBytesIsAProtocolError() {
    assertFatal(serverError(v2Response(0, Codec.hex("01 0007 00000000000400")), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void sizeTlvBeyond2To63IsAProtocolError() {
    assertFatal(serverError(v2Response(0, Codec.hex("01 0008 8000000000000000")), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void backendTlvOfTwoBytesIsAProtocolError() {
    assertFatal(serverError(v2Response(0, Codec.hex("05 0002 0001")), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void payloadTlvOf591BytesIsAProtocolError() {
    byte[] meta = payloadTlv(Arrays.copyOf(payloadValue(0), PayloadDescriptor.LENGTH - 1));

    assertFatal(serverError(v2Response(0, meta), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void payloadWithNineVariantsIsAProtocolError() {
    assertFatal(serverError(v2Response(0, payloadTlv(payloadValue(9))), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void errorTlvThatIsNotUtf8IsAProtocolError() {
    assertFatal(serverError(v2Response(0, Codec.hex("ff 0003 41 c3 28")), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void v2ResponseWithContentLengthTopBitSetIsAProtocolError() {
    assertFatal(serverError(v2Response(Long.MIN_VALUE, new byte[0]), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void v1ResponseWithContentLengthTopBitSetIsAProtocolError() {
    assertFatal(serverError(Codec.hex("00 ffffffffffffffff 0000"), 1), Status.PROTOCOL_ERROR);
  }

  @Test
  void segmentedResponseWithNoSegmentsIsAProtocolError() {
    assertFatal(serverError(segmented(0), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void segmentedResponseWith65SegmentsIsAProtocolError() {
    byte[][] entries = new byte[65][];
    Arrays.fill(entries, inline(1, 0));
    entries[64] = inline(1, Segment.FIN);

    assertFatal(serverError(segmented(entries), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void segmentedResponseWith64SegmentsIsAccepted() throws Exception {
    byte[][] entries = new byte[64][];
    Arrays.fill(entries, inline(1, 0));
    entries[63] = inline(1, Segment.FIN);

    ByteBuffer in = ByteBuffer.wrap(segmented(entries));

    SegmentedResponse s = (SegmentedResponse) ProtocolDecoder.decodeServerMessage(in, 2);

    assertThat(s.segments()).hasSize(64);
  }

  @Test
  void inlineSegmentWhoseCopyLengthDiffersFromItsLogicalLengthIsAProtocolError() {
    byte[] bad = entry(Segment.INLINE, Segment.FIN, 10, 11, 0, 11);

    assertFatal(serverError(segmented(bad), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void fdSegmentWithACopyLengthIsAProtocolError() {
    byte[] bad = entry(Segment.FD, Segment.FIN, 1, 4096, 0, 4096);

    assertFatal(serverError(segmented(inline(4, 0), bad), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void fdSegmentWithLessStorageThanLogicalLengthIsAProtocolError() {
    byte[] bad = entry(Segment.FD, Segment.FIN, 0, 4096, 0, 4095);

    assertFatal(serverError(segmented(bad), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void reuseFdWithoutAnEarlierFdIsAProtocolError() {
    byte[] bad = fd(Segment.REUSE_FD | Segment.FIN, 4096);

    assertFatal(serverError(segmented(inline(4, 0), bad), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void lastSegmentWithoutFinIsAProtocolError() {
    assertFatal(serverError(segmented(inline(4, 0), fd(0, 4096)), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void segmentOfUnknownTypeIsAProtocolError() {
    byte[] bad = entry(3, Segment.FIN, 0, 4096, 0, 4096);

    assertFatal(serverError(segmented(bad), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void segmentEntryWithNonZeroReservedBytesIsAProtocolError() {
    byte[] bad = fd(Segment.FIN, 4096);
    bad[3] = 1;

    assertFatal(serverError(segmented(bad), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void unknownV2ServerMessageTypeIsAProtocolError() {
    assertFatal(serverError(Codec.hex("06 00000001 00"), 2), Status.PROTOCOL_ERROR);
  }

  @Test
  void requestTypeArrivingFromAServerIsAProtocolError() {
    assertFatal(serverError(Codec.hex("01 00000001 00 31 0002 2f61"), 2), Status.PROTOCOL_ERROR);
  }

  // ---- tolerated -----------------------------------------------------------------------------

  @Test
  void unknownTlvTypesAreSkipped() throws Exception {
    byte[] meta = Codec.concat(
        SIZE_TLV,
        Codec.hex("42 0005 0102030405"), // unknown type 0x42
        Codec.hex("08 0002 abcd"), // SEGMENT_HINTS, reserved
        Codec.hex("90 0000"), // unknown, empty
        Codec.hex("02 0008 0000000065 53f1 00")); // MTIME
    byte[] frame = v2Response(0, meta);
    ByteBuffer in = ByteBuffer.wrap(Codec.concat(frame, new byte[] {Protocol.FD_MARKER}));

    Response r = (Response) ProtocolDecoder.decodeServerMessage(in, 2);

    assertThat(r.metadata()).isEqualTo(Metadata.builder().size(1024).mtimeSeconds(1_700_000_000L).build());
    assertThat(in.position()).isEqualTo(frame.length);
  }
}
