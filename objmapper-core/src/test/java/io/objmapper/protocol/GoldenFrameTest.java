package io.objmapper.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.protocol.Codec.Reader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every golden frame of {@code src-test-data/protocol/} against the decoder and the encoder. */
class GoldenFrameTest {
  /** Bytes placed before a frame so that a decoder reading before the position is caught. */
  private static final int JUNK = 5;

  static List<GoldenFrame> frames() {
    return GoldenFrame.loadAll();
  }

  /** The frames of each direction and version, as one connection carries them. */
  static Stream<Arguments> connections() {
    Map<String, List<GoldenFrame>> byConnection = new LinkedHashMap<>();
    for (GoldenFrame f : frames()) {
      String key = f.direction().text + " v" + f.version();
      List<GoldenFrame> list = byConnection.computeIfAbsent(key, k -> new ArrayList<>());
      boolean handshake = f.message().startsWith("HELLO");
      list.add(handshake ? 0 : list.size(), f); // the handshake opens the connection
    }
    return byConnection.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  private static Object expected(GoldenFrame f) {
    Object v = GoldenExpectations.VALUES.get(f.name());
    assertThat(v).as("expected value of %s in GoldenExpectations", f.name()).isNotNull();
    return v;
  }

  private static ByteBuffer junkThen(byte[] bytes, int extraCapacity) {
    ByteBuffer b = ByteBuffer.allocate(JUNK + bytes.length + extraCapacity);
    for (int i = 0; i < JUNK; i++) {
      b.put((byte) 0xEE);
    }
    b.put(bytes);
    return b.position(JUNK).limit(JUNK + bytes.length);
  }

  @Test
  void everyFrameFileHasAnExpectationAndEveryExpectationAFile() {
    TreeSet<String> files = new TreeSet<>();
    for (GoldenFrame f : frames()) {
      files.add(f.name());
    }
    assertThat(files).isEqualTo(new TreeSet<>(GoldenExpectations.VALUES.keySet()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("frames")
  void wholeFrameDecodesToTheExpectedValueAndConsumesExactlyTheFrame(GoldenFrame f) throws Exception {
    ByteBuffer in = junkThen(f.wire(), 0);

    Object decoded = Reader.of(f).read(in, f.version());

    assertThat(decoded).isEqualTo(expected(f));
    assertThat(in.position()).isEqualTo(JUNK + f.frame().length);
    assertThat(Codec.bytes(in)).isEqualTo(f.after());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("frames")
  void frameSplitAtEveryOffsetNeedsMoreWithThePositionUnchangedThenDecodesTheSameValue(GoldenFrame f)
      throws Exception {
    byte[] wire = f.wire();
    for (int k = 0; k < f.frame().length; k++) {
      ByteBuffer in = junkThen(wire, 0);
      in.limit(JUNK + k); // the first k bytes have arrived
      RequestFrame scratch = new RequestFrame();

      assertThat(Reader.of(f).read(in, f.version(), scratch)).as("after %d of %d bytes", k, f.frame().length).isNull();
      assertThat(in.position()).as("position after %d of %d bytes", k, f.frame().length).isEqualTo(JUNK);

      in.limit(JUNK + wire.length); // the rest has arrived
      assertThat(Reader.of(f).read(in, f.version(), scratch)).as("split at %d", k).isEqualTo(expected(f));
      assertThat(in.position()).as("split at %d", k).isEqualTo(JUNK + f.frame().length);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("frames")
  void decodedFrameEncodesBackToIdenticalBytes(GoldenFrame f) throws Exception {
    Object decoded = Reader.of(f).read(ByteBuffer.wrap(f.frame()), f.version());

    assertThat(Codec.hex(Codec.encode(decoded, f.version()))).isEqualTo(Codec.hex(f.frame()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("frames")
  void frameDecodesTheSameFromDirectAndLittleEndianBuffers(GoldenFrame f) throws Exception {
    for (ByteBuffer in : List.of(
        ByteBuffer.allocateDirect(f.frame().length).put(f.frame()).flip(),
        ByteBuffer.wrap(f.frame()).order(ByteOrder.LITTLE_ENDIAN),
        ByteBuffer.allocateDirect(f.frame().length).order(ByteOrder.LITTLE_ENDIAN).put(f.frame()).flip())) {
      assertThat(Reader.of(f).read(in, f.version())).as("%s", in).isEqualTo(expected(f));
      assertThat(in.hasRemaining()).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("connections")
  void framesOfOneConnectionDecodeOneAfterAnother(String connection, List<GoldenFrame> frames) throws Exception {
    byte[][] parts = new byte[frames.size()][];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = frames.get(i).wire();
    }
    ByteBuffer in = ByteBuffer.wrap(Codec.concat(parts));
    RequestFrame scratch = new RequestFrame(); // one per connection, reused

    for (GoldenFrame f : frames) {
      int start = in.position();
      assertThat(Reader.of(f).read(in, f.version(), scratch)).as(f.name()).isEqualTo(expected(f));
      assertThat(in.position() - start).as(f.name()).isEqualTo(f.frame().length);
      in.position(in.position() + f.after().length); // content, inline bytes, 'X'
    }
    assertThat(in.hasRemaining()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("connections")
  void framesOfOneConnectionDecodeWhenTheStreamArrivesInSmallReads(String connection, List<GoldenFrame> frames)
      throws Exception {
    byte[][] parts = new byte[frames.size()][];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = frames.get(i).wire();
    }
    byte[] stream = Codec.concat(parts);
    for (int chunk : new int[] {1, 2, 3, 7, 16, 100}) {
      List<Object> decoded = new ArrayList<>();
      ByteBuffer in = ByteBuffer.allocate(2048);
      RequestFrame scratch = new RequestFrame();
      int next = 0;
      int skip = 0;
      for (int sent = 0; sent < stream.length; sent += chunk) {
        in.put(stream, sent, Math.min(chunk, stream.length - sent)).flip(); // one read
        while (true) {
          if (skip > 0) {
            int n = Math.min(skip, in.remaining());
            in.position(in.position() + n);
            skip -= n;
          }
          if (skip > 0 || next == frames.size()) {
            break;
          }
          GoldenFrame f = frames.get(next);
          Object m = Reader.of(f).read(in, f.version(), scratch);
          if (m == null) {
            break;
          }
          decoded.add(m);
          skip = f.after().length;
          next++;
        }
        in.compact();
      }
      List<Object> expected = new ArrayList<>();
      for (GoldenFrame f : frames) {
        expected.add(expected(f));
      }
      assertThat(decoded).as("reads of %d bytes", chunk).isEqualTo(expected);
      assertThat(in.position()).as("bytes left after reads of %d", chunk).isZero();
    }
  }

  @Test
  void helloGoldenIsTheProtocolDocumentExample() {
    assertThat(GoldenFrame.load("hello").frame()).isEqualTo(Codec.hex("4f 42 4a 4d 02 00 13 00 64"));
  }

  @Test
  void v1ErrorGoldenIsTheProtocolDocumentExample() {
    byte[] example = Codec.concat(
        Codec.hex("01 | 00 00 00 00 00 00 00 00 | 00 13 | ff 00 10"),
        "Object not found".getBytes(StandardCharsets.US_ASCII));

    assertThat(GoldenFrame.load("v1-error-not-found").frame()).isEqualTo(example);
  }

  @Test
  void errorEncoderWritesTheProtocolDocumentExample() {
    ByteBuffer out = ByteBuffer.allocate(64);

    ProtocolEncoder.error(out, Protocol.VERSION_1, 0, Status.NOT_FOUND, "Object not found");

    assertThat(Codec.bytes(out.flip())).isEqualTo(GoldenFrame.load("v1-error-not-found").frame());
  }

  @Test
  void v2ErrorEncoderWritesTheNotFoundGolden() {
    ByteBuffer out = ByteBuffer.allocate(64);

    ProtocolEncoder.error(out, Protocol.VERSION_2, 3, Status.NOT_FOUND, "Object not found");

    assertThat(Codec.bytes(out.flip())).isEqualTo(GoldenFrame.load("v2-error-not-found").frame());
  }

  @Test
  void helloAckGoldenIsTheNegotiatedAnswerToTheHelloGolden() {
    Hello hello = (Hello) GoldenExpectations.VALUES.get("hello");

    HelloAck ack = HelloAck.negotiate(hello, Capabilities.SUPPORTED, Protocol.MAX_PIPELINE_DEPTH, 8);

    assertThat(ack).isEqualTo(GoldenExpectations.VALUES.get("hello-ack"));
  }

  @Test
  void serverHotPathWritesTheSizeMtimeGolden() {
    ByteBuffer out = ByteBuffer.allocateDirect(64);

    ProtocolEncoder.responseV2Header(out, 1, Status.OK, 0, ProtocolEncoder.SIZE_MTIME_LENGTH);
    ProtocolEncoder.sizeTlv(out, GoldenExpectations.MIB);
    ProtocolEncoder.mtimeTlv(out, GoldenExpectations.MTIME);

    assertThat(Codec.bytes(out.flip())).isEqualTo(GoldenFrame.load("v2-response-fd-size-mtime").frame());
  }

  @Test
  void serverHotPathWithATierWritesTheSizeMtimeBackendGolden() {
    ByteBuffer out = ByteBuffer.allocateDirect(64);

    ProtocolEncoder.responseHeader(out, Protocol.VERSION_2, 42, Status.OK, 0,
        ProtocolEncoder.SIZE_MTIME_LENGTH + ProtocolEncoder.BACKEND_TLV_LENGTH);
    ProtocolEncoder.sizeTlv(out, GoldenExpectations.MIB);
    ProtocolEncoder.mtimeTlv(out, GoldenExpectations.MTIME);
    ProtocolEncoder.backendTlv(out, 2);

    assertThat(Codec.bytes(out.flip())).isEqualTo(GoldenFrame.load("v2-response-fd-size-mtime-backend").frame());
  }

  @Test
  void cCompatibleDeleteWritesTheDeleteGoldens() {
    ByteBuffer v1 = ByteBuffer.allocate(16);
    ByteBuffer v2 = ByteBuffer.allocate(16);

    ProtocolEncoder.responseHeader(v1, Protocol.VERSION_1, 0, Status.OK, 1, 0);
    ProtocolEncoder.responseHeader(v2, Protocol.VERSION_2, 6, Status.OK, 1, 0);

    assertThat(Codec.bytes(v1.flip())).isEqualTo(GoldenFrame.load("v1-delete-ok-no-body").frame());
    assertThat(Codec.bytes(v2.flip())).isEqualTo(GoldenFrame.load("v2-delete-ok-no-body").frame());
  }

  @Test
  void aDescriptorFollowsExactlyTheResponsesWhoseGoldenCarriesAnXByte() throws Exception {
    int responses = 0;
    for (GoldenFrame f : frames()) {
      if (!f.message().equals("RESPONSE")) {
        continue;
      }
      Response r = (Response) Reader.of(f).read(ByteBuffer.wrap(f.frame()), f.version());
      boolean xFollows = Arrays.equals(f.after(), new byte[] {Protocol.FD_MARKER});
      assertThat(r.fdFollows(Mode.FDPASS)).as(f.name()).isEqualTo(xFollows);
      responses++;
    }
    assertThat(responses).isGreaterThanOrEqualTo(10);
  }

  @Test
  void copyContentGoldenIsFollowedByContentLengthBytes() throws Exception {
    GoldenFrame f = GoldenFrame.load("v2-response-copy-content");

    Response r = (Response) Reader.of(f).read(ByteBuffer.wrap(f.frame()), f.version());

    assertThat(r.fdFollows(Mode.COPY)).isFalse();
    assertThat(f.after()).hasSize((int) r.contentLength());
  }

  @Test
  void deleteGoldenSaysNoDescriptorFollowsThoughNoBodyFollowsEither() throws Exception {
    GoldenFrame f = GoldenFrame.load("v1-delete-ok-no-body");

    Response r = (Response) Reader.of(f).read(ByteBuffer.wrap(f.frame()), f.version());

    assertThat(r.ok()).isTrue();
    assertThat(r.contentLength()).isEqualTo(1);
    assertThat(r.fdFollows(Mode.FDPASS)).isFalse();
    assertThat(f.after()).isEmpty();
  }

  @Test
  void segmentedGoldenIsFollowedByItsInlineBytesThenOneXPerDescriptor() throws Exception {
    GoldenFrame f = GoldenFrame.load("v2-segmented-inline-fd-reuse");

    SegmentedResponse s = (SegmentedResponse) Reader.of(f).read(ByteBuffer.wrap(f.frame()), f.version());

    assertThat(s.inlineLength()).isEqualTo(16);
    assertThat(s.descriptorCount()).isEqualTo(1);
    assertThat(s.contentLength()).isEqualTo(s.metadata().size().getAsLong());
    assertThat(f.after()).hasSize(16 + 1);
    assertThat(f.after()[16]).isEqualTo(Protocol.FD_MARKER);
  }

  @Test
  void everyTlvGoldenCarriesA592BytePayloadWithTwoVariants() {
    GoldenFrame f = GoldenFrame.load("v2-response-every-tlv");
    ByteBuffer in = ByteBuffer.wrap(f.frame());
    // header 16, then SIZE 11, MTIME 11, ETAG 14, MIME 27, BACKEND 4, LATENCY 7: PAYLOAD at 90
    int payloadTlv = Protocol.V2_RESPONSE_HEADER_LENGTH + 11 + 11 + 14 + 27 + 4 + 7;

    assertThat(in.get(payloadTlv)).isEqualTo((byte) Protocol.TLV_PAYLOAD);
    assertThat(ProtocolDecoder.u16(in, payloadTlv + 1)).isEqualTo(PayloadDescriptor.LENGTH);
    assertThat(in.order(ByteOrder.LITTLE_ENDIAN).getInt(payloadTlv + 3 + 4)).isEqualTo(2);
  }
}
