package io.objmapper.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the server's per-request path allocates, counted by the JVM's per-thread allocation
 * counter over many calls after warm-up. Not a timing test: the counts are deterministic
 * but for the odd allocation of the JIT or the counter itself, which the slack absorbs.
 */
class CodecAllocationTest {
  private static final int WARM_UP = 100_000;
  private static final int CALLS = 100_000;

  private static com.sun.management.ThreadMXBean threads;

  @BeforeAll
  static void allocationCounter() {
    assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
        "this JVM has no per-thread allocation counter");
    threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported(), "per-thread allocation counting unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);
  }

  private static long allocatedBytes() {
    return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  @Test
  void decodingAV2RequestWithAnAsciiUriAllocatesOnlyTheUriString() throws Exception {
    String uri = "/objects/2024/11/24/photo-0042.jpg";
    ByteBuffer out = ByteBuffer.allocate(64);
    ProtocolEncoder.requestV2(out, 0xCAFE_F00DL, RequestFlags.ORDERED, Mode.FDPASS,
        uri.getBytes(StandardCharsets.US_ASCII));
    ByteBuffer in = out.flip();
    RequestFrame frame = new RequestFrame();

    long uriChars = decodeRepeatedly(in, frame, WARM_UP);
    long before = allocatedBytes();
    uriChars += decodeRepeatedly(in, frame, CALLS);
    long perDecode = (allocatedBytes() - before) / CALLS;

    assertThat(uriChars).isEqualTo((long) (WARM_UP + CALLS) * uri.length());
    assertThat(frame.uri()).isEqualTo(uri);
    // A Latin-1 String of n chars: a 24-byte String and a 16 + n byte array, each rounded to 8.
    assertThat(perDecode).isLessThanOrEqualTo(64 + uri.length());
  }

  private static long decodeRepeatedly(ByteBuffer in, RequestFrame frame, int calls) throws ProtocolException {
    long chars = 0;
    for (int i = 0; i < calls; i++) {
      in.position(0);
      if (ProtocolDecoder.decodeRequest(in, Protocol.VERSION_2, frame)) {
        chars += frame.uri().length();
      }
    }
    return chars;
  }

  @Test
  void encodingAV2ResponseHeaderWithSizeAndMtimeIntoADirectBufferAllocatesNothing() {
    ByteBuffer out = ByteBuffer.allocateDirect(64);

    long written = encodeRepeatedly(out, WARM_UP);
    long before = allocatedBytes();
    written += encodeRepeatedly(out, CALLS);
    long total = allocatedBytes() - before;

    assertThat(written).isEqualTo((long) (WARM_UP + CALLS)
        * (Protocol.V2_RESPONSE_HEADER_LENGTH + ProtocolEncoder.SIZE_MTIME_LENGTH));
    assertThat(total / CALLS).isZero();
    assertThat(total).isLessThanOrEqualTo(4096);
  }

  private static long encodeRepeatedly(ByteBuffer out, int calls) {
    long written = 0;
    for (int i = 0; i < calls; i++) {
      out.clear();
      ProtocolEncoder.responseV2Header(out, i & 0xFFFF_FFFFL, Status.OK, 0, ProtocolEncoder.SIZE_MTIME_LENGTH);
      ProtocolEncoder.sizeTlv(out, 4096L + i);
      ProtocolEncoder.mtimeTlv(out, 1_700_000_000L + i);
      written += out.position();
    }
    return written;
  }
}
