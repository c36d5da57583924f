package io.objmapper.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.objmapper.protocol.Codec.Reader;
import io.objmapper.protocol.RandomMessages.Sample;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Whatever bytes a peer sends, the decoders answer with a value, "need more" or a
 * {@link ProtocolException}: never another exception, and never a read past the limit.
 */
class MutatedInputTest {
  private enum Outcome {
    VALUE,
    NEED_MORE,
    REFUSED
  }

  private final Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);

  /** Decodes {@code bytes}; fails the test on anything but a value, "need more" or ProtocolException. */
  private void decodesOrRefuses(Reader reader, int version, byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    Outcome outcome;
    try {
      Object value = reader.read(in, version);
      assertThat(in.position()).isLessThanOrEqualTo(bytes.length);
      outcome = value != null ? Outcome.VALUE : Outcome.NEED_MORE;
    } catch (ProtocolException e) {
      assertThat(e.status()).isNotNull();
      assertThat(e.skipBytes()).isNotNegative();
      outcome = Outcome.REFUSED;
    } catch (RuntimeException e) {
      fail("%s v%d on %s threw %s", reader, version, Codec.hex(bytes), e);
      return;
    }
    outcomes.merge(outcome, 1, Integer::sum);
  }

  @Test
  void framesWithSomeBytesChangedRaiseNothingButProtocolException() {
    RandomMessages messages = new RandomMessages(0x3417_0001L);
    Random rnd = new Random(0x3417_0002L);
    for (int i = 0; i < 20_000; i++) {
      Sample s = messages.any();
      byte[] bytes = Codec.encode(s.value(), s.version());
      for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
        bytes[rnd.nextInt(Math.min(bytes.length, 64))] = (byte) rnd.nextInt(256); // headers mostly
      }
      decodesOrRefuses(s.reader(), s.version(), bytes);
    }
    assertThat(outcomes).containsOnlyKeys(Outcome.values()); // each outcome was reached
  }

  @Test
  void randomBytesRaiseNothingButProtocolException() {
    Random rnd = new Random(0x3417_0003L);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[rnd.nextInt(200)];
      rnd.nextBytes(bytes);
      if (bytes.length > 0 && rnd.nextBoolean()) {
        bytes[0] = (byte) (1 + rnd.nextInt(5)); // a known message type, to get past the first byte
      }
      for (Reader reader : Reader.values()) {
        for (int version = 1; version <= 2; version++) {
          decodesOrRefuses(reader, version, bytes);
        }
      }
    }
    assertThat(outcomes).containsOnlyKeys(Outcome.values()); // each outcome was reached
  }
}
