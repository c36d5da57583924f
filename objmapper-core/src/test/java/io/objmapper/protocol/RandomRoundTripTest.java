package io.objmapper.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.protocol.Codec.Reader;
import io.objmapper.protocol.RandomMessages.Sample;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Random valid messages of every kind, from fixed seeds (so every run checks the same
 * cases): encoded, then decoded back to the same value, whole, split, back to back, and
 * through buffers of either byte order, heap or direct.
 */
class RandomRoundTripTest {

  /** Encodes, decodes whole, and checks the value and that exactly the frame was consumed. */
  private static void assertRoundTrip(Sample s) throws Exception {
    byte[] bytes = Codec.encode(s.value(), s.version());
    ByteBuffer in = ByteBuffer.wrap(bytes);

    assertThat(s.reader().read(in, s.version())).as("%s", s).isEqualTo(s.value());
    assertThat(in.hasRemaining()).as("%s", s).isFalse();
  }

  private static void roundTrips(int cases, Reader reader, int version, Supplier<Object> next)
      throws Exception {
    for (int i = 0; i < cases; i++) {
      assertRoundTrip(new Sample(reader, version, next.get()));
    }
  }

  private static ByteBuffer encodeInto(ByteBuffer out, Sample s) {
    Codec.encode(s.value(), s.version(), out);
    return out.flip();
  }

  @Test
  void randomHellosRoundTrip() throws Exception {
    RandomMessages r = new RandomMessages(0x0B1E_0001L);
    roundTrips(1000, Reader.HELLO, 2, r::hello);
  }

  @Test
  void randomHelloAcksRoundTrip() throws Exception {
    RandomMessages r = new RandomMessages(0x0B1E_0002L);
    roundTrips(1000, Reader.HELLO_ACK, 2, r::helloAck);
  }

  @Test
  void randomV1RequestsRoundTrip() throws Exception {
    RandomMessages r = new RandomMessages(0x0B1E_0003L);
    roundTrips(2000, Reader.CLIENT_FRAME, 1, r::v1Request);
  }

  @Test
  void randomV2RequestsRoundTrip() throws Exception {
    RandomMessages r = new RandomMessages(0x0B1E_0004L);
    roundTrips(2000, Reader.CLIENT_FRAME, 2, r::v2Request);
  }

  @Test
  void randomClientClosesRoundTrip() throws Exception {
    RandomMessages r = new RandomMessages(0x0B1E_0005L);
    roundTrips(500, Reader.CLIENT_FRAME, 2, r::clientClose);
  }

  @Test
  void randomV1ResponsesRoundTrip() throws Exception {
    RandomMessages r = new RandomMessages(0x0B1E_0006L);
    roundTrips(1500, Reader.SERVER_MESSAGE, 1, () -> r.response(1));
  }

  @Test
  void randomV2ResponsesRoundTrip() throws Exception {
    RandomMessages r = new RandomMessages(0x0B1E_0007L);
    roundTrips(1500, Reader.SERVER_MESSAGE, 2, () -> r.response(2));
  }

  @Test
  void randomSegmentedResponsesRoundTrip() throws Exception {
    RandomMessages r = new RandomMessages(0x0B1E_0008L);
    roundTrips(1500, Reader.SERVER_MESSAGE, 2, r::segmented);
  }

  @Test
  void randomServerClosesAndCloseAcksRoundTrip() throws Exception {
    RandomMessages r = new RandomMessages(0x0B1E_0009L);
    roundTrips(500, Reader.SERVER_MESSAGE, 2, r::serverClose);
    roundTrips(500, Reader.SERVER_MESSAGE, 2, r::closeAck);
  }

  @Test
  void randomMessagesSplitAtARandomOffsetNeedMoreThenDecodeTheSameValue() throws Exception {
    RandomMessages r = new RandomMessages(0x0B1E_000AL);
    Random split = new Random(0x0B1E_000BL);
    for (int i = 0; i < 3000; i++) {
      Sample s = r.any();
      byte[] bytes = Codec.encode(s.value(), s.version());
      int k = split.nextInt(bytes.length);
      ByteBuffer in = ByteBuffer.wrap(bytes).limit(k);
      RequestFrame scratch = new RequestFrame();

      assertThat(s.reader().read(in, s.version(), scratch)).as("%s split at %d", s, k).isNull();
      assertThat(in.position()).as("%s split at %d", s, k).isZero();

      in.limit(bytes.length);
      assertThat(s.reader().read(in, s.version(), scratch)).as("%s split at %d", s, k).isEqualTo(s.value());
      assertThat(in.hasRemaining()).isFalse();
    }
  }

  @Test
  void randomMessagesBackToBackDecodeInOrder() throws Exception {
    RandomMessages r = new RandomMessages(0x0B1E_000CL);
    Random pick = new Random(0x0B1E_000DL);
    for (int stream = 0; stream < 200; stream++) {
      List<Sample> samples = new ArrayList<>();
      ByteBuffer wire = ByteBuffer.allocate(1 << 17);
      int n = 1 + pick.nextInt(30);
      for (int i = 0; i < n; i++) {
        Sample s = r.any();
        samples.add(s);
        Codec.encode(s.value(), s.version(), wire);
      }
      wire.flip();
      RequestFrame scratch = new RequestFrame();

      for (Sample s : samples) {
        assertThat(s.reader().read(wire, s.version(), scratch)).as("stream %d: %s", stream, s).isEqualTo(s.value());
      }
      assertThat(wire.hasRemaining()).isFalse();
    }
  }

  @Test
  void encodingIntoALittleEndianBufferWritesTheSameBytes() {
    RandomMessages r = new RandomMessages(0x0B1E_000EL);
    for (int i = 0; i < 2000; i++) {
      Sample s = r.any();
      byte[] expected = Codec.encode(s.value(), s.version());
      ByteBuffer le = ByteBuffer.allocate(16 * 1024).order(ByteOrder.LITTLE_ENDIAN);

      assertThat(Codec.bytes(encodeInto(le, s))).as("%s", s).isEqualTo(expected);
    }
  }

  @Test
  void encodingIntoADirectBufferWritesTheSameBytes() {
    RandomMessages r = new RandomMessages(0x0B1E_000FL);
    for (int i = 0; i < 2000; i++) {
      Sample s = r.any();
      byte[] expected = Codec.encode(s.value(), s.version());
      ByteBuffer direct = ByteBuffer.allocateDirect(16 * 1024);
      ByteBuffer directLe = ByteBuffer.allocateDirect(16 * 1024).order(ByteOrder.LITTLE_ENDIAN);

      assertThat(Codec.bytes(encodeInto(direct, s))).as("%s", s).isEqualTo(expected);
      assertThat(Codec.bytes(encodeInto(directLe, s))).as("%s", s).isEqualTo(expected);
    }
  }

  @Test
  void encodingLeavesTheBufferInTheByteOrderItHad() {
    RandomMessages r = new RandomMessages(0x0B1E_0010L);
    for (int i = 0; i < 500; i++) {
      Sample s = r.any();
      ByteBuffer be = ByteBuffer.allocate(16 * 1024);
      ByteBuffer le = ByteBuffer.allocateDirect(16 * 1024).order(ByteOrder.LITTLE_ENDIAN);

      Codec.encode(s.value(), s.version(), be);
      Codec.encode(s.value(), s.version(), le);

      assertThat(be.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
      assertThat(le.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }
  }

  @Test
  void decodingFromLittleEndianAndDirectBuffersReadsTheSameValues() throws Exception {
    RandomMessages r = new RandomMessages(0x0B1E_0011L);
    for (int i = 0; i < 2000; i++) {
      Sample s = r.any();
      byte[] bytes = Codec.encode(s.value(), s.version());
      List<ByteBuffer> inputs = List.of(
          ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN),
          ByteBuffer.allocateDirect(bytes.length).put(bytes).flip(),
          ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.LITTLE_ENDIAN).put(bytes).flip());

      for (ByteBuffer in : inputs) {
        assertThat(s.reader().read(in, s.version())).as("%s from %s", s, in).isEqualTo(s.value());
        assertThat(in.hasRemaining()).isFalse();
      }
    }
  }

  @Test
  void theSameSeedGivesTheSameMessages() {
    RandomMessages a = new RandomMessages(42);
    RandomMessages b = new RandomMessages(42);
    for (int i = 0; i < 100; i++) {
      assertThat(a.any()).isEqualTo(b.any());
    }
  }
}
