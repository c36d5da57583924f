package io.objmapper.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random, mutated and truncated input on fresh connections. Whatever arrives, the server
 * answers with well-formed frames or closes, never dies, and still serves afterwards.
 */
@Timeout(120)
class FuzzedInputTest {
  private static final long SEED = 0x0B1EC7L;
  private static final int CONNECTIONS = 400;
  private static final Set<Integer> STATUSES =
      Set.of(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x10, 0x11, 0x12, 0x13, 0x14, 0x20, 0x21, 0x22);
  private static final String[] NAMES = {"/hello.txt", "/a/b/c.txt", "/big.bin", "/missing", "/a/../x", "//",
      "/a\\b", "/", "x"};

  @TempDir Path dir;
  Path sock;
  ObjectServer server;

  @BeforeEach
  void start() throws Exception {
    Path root = TestObjects.create(dir);
    java.nio.file.Files.delete(root.resolve("empty")); // COPY of an empty object cannot be told from an FD answer
    sock = dir.resolve("s.sock");
    server = ObjectServer.builder(new DirectoryHandler(root)).unixSocket(sock).build().start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void randomAndTruncatedInputGetsWellFormedAnswersOrACloseAndTheServerKeepsServing() throws Exception {
    Random rnd = new Random(SEED);
    int checked = 0;
    int descriptors = 0;
    for (int i = 0; i < CONNECTIONS; i++) {
      byte[] input = input(rnd);
      RawClient.Drained out;
      boolean sentAll = true;
      try (RawClient c = RawClient.connect(sock)) {
        // Mostly one write; sometimes several, to cut frames where the server's reads end.
        int at = 0;
        for (int chunks = rnd.nextInt(4) == 0 ? 2 + rnd.nextInt(3) : 1; chunks > 0; chunks--) {
          int n = chunks == 1 ? input.length - at : rnd.nextInt(input.length - at + 1);
          try {
            c.send(Arrays.copyOfRange(input, at, at + n));
            at += n;
          } catch (IOException e) {
            // the server closed after a fatal frame; the socket library then closes the channel,
            // and what the server sent before is lost to us
            sentAll = false;
            break;
          }
        }
        if (!sentAll) {
          continue;
        }
        try {
          c.shutdownOutput();
        } catch (IOException e) {
          continue; // as above: closed by the server, the channel with it
        }
        out = c.drain();
      }
      String what = "connection " + i + ", input " + Hex.of(ByteBuffer.wrap(input, 0, Math.min(input.length, 64)));
      int markers = check(input, out.bytes(), what);
      assertThat(out.descriptors()).as("descriptors received, %s", what).isEqualTo(markers);
      checked++;
      descriptors += markers;
    }
    assertThat(checked).as("connections whose whole answer was checked").isGreaterThan(CONNECTIONS * 3 / 4);
    assertThat(descriptors).as("descriptors passed in answer to the valid requests among the noise").isPositive();
    try (RawClient c = RawClient.connect(sock)) {
      c.send(RawClient.v1(RawClient.COPY, "/hello.txt"));
      RawClient.Frame f = c.readV1();
      assertThat(f.status()).isZero();
      assertThat(new String(c.read((int) f.contentLength()), StandardCharsets.UTF_8)).isEqualTo(TestObjects.HELLO);
    }
    awaitNoConnections();
  }

  private void awaitNoConnections() {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (server.connectionCount() > 0 && System.nanoTime() < deadline) {
      Thread.yield();
    }
    assertThat(server.connectionCount()).isZero();
  }

  // ---- input ----------------------------------------------------------------------------------

  private static byte[] input(Random rnd) {
    switch (rnd.nextInt(7)) {
      case 0:
        return random(rnd, rnd.nextInt(48));
      case 1:
        return RawClient.concat(hello(rnd), random(rnd, rnd.nextInt(48)));
      case 2:
        return truncate(rnd, RawClient.concat(hello(rnd), requestsV2(rnd)));
      case 3:
        return truncate(rnd, requestsV1(rnd));
      case 4:
        return mutate(rnd, RawClient.concat(hello(rnd), requestsV2(rnd)));
      case 5:
        return mutate(rnd, requestsV1(rnd));
      default:
        return truncate(rnd, hello(rnd));
    }
  }

  private static byte[] random(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  private static byte[] hello(Random rnd) {
    return RawClient.hello(rnd.nextInt(0x10000), rnd.nextBoolean() ? rnd.nextInt(4) : rnd.nextInt(0x10000));
  }

  private static int mode(Random rnd) {
    return rnd.nextInt(10) == 0 ? rnd.nextInt(256) : '1' + rnd.nextInt(4);
  }

  private static byte[] uri(Random rnd) {
    return rnd.nextInt(8) == 0 ? random(rnd, rnd.nextInt(12)) : NAMES[rnd.nextInt(NAMES.length)].getBytes(
        StandardCharsets.UTF_8);
  }

  private static byte[] requestsV1(Random rnd) {
    List<byte[]> parts = new ArrayList<>();
    for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
      parts.add(RawClient.v1(mode(rnd), uri(rnd)));
    }
    return RawClient.concat(parts.toArray(new byte[0][]));
  }

  private static byte[] requestsV2(Random rnd) {
    List<byte[]> parts = new ArrayList<>();
    for (int n = 1 + rnd.nextInt(4); n > 0; n--) {
      int kind = rnd.nextInt(10);
      if (kind == 0) {
        parts.add(RawClient.close(rnd.nextInt(4)));
      } else {
        parts.add(RawClient.v2(rnd.nextInt() & 0xFFFF_FFFFL, rnd.nextInt(4), mode(rnd), uri(rnd)));
      }
    }
    return RawClient.concat(parts.toArray(new byte[0][]));
  }

  private static byte[] truncate(Random rnd, byte[] b) {
    return Arrays.copyOf(b, rnd.nextInt(b.length + 1));
  }

  private static byte[] mutate(Random rnd, byte[] b) {
    byte[] m = b.clone();
    for (int k = 1 + rnd.nextInt(3); k > 0 && m.length > 0; k--) {
      m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
    }
    return m;
  }

  // ---- output ---------------------------------------------------------------------------------

  /** Checks the server's bytes frame by frame; returns how many 'X' descriptor markers they hold. */
  private static int check(byte[] input, byte[] output, String what) {
    ByteBuffer out = ByteBuffer.wrap(output);
    boolean v2 = input.length > 0 && input[0] == 'O';
    if (v2) {
      boolean validHello = input.length >= 9 && new String(input, 0, 4, StandardCharsets.ISO_8859_1).equals("OBJM")
          && input[4] == 2;
      if (!validHello) {
        assertThat(output).as("answer to an invalid HELLO, %s", what).isEmpty();
        return 0;
      }
      assertThat(out.remaining()).as("HELLO_ACK, %s", what).isGreaterThanOrEqualTo(10);
      byte[] ack = new byte[10];
      out.get(ack);
      assertThat(new String(ack, 0, 4, StandardCharsets.ISO_8859_1)).as("HELLO_ACK magic, %s", what).isEqualTo("OBJM");
      assertThat(ack[4]).isEqualTo((byte) 2);
    }
    int markers = 0;
    boolean closed = false;
    while (out.hasRemaining()) {
      assertThat(closed).as("bytes after CLOSE_ACK, %s", what).isFalse();
      int status;
      long contentLength;
      int metaLen;
      if (!v2) {
        need(out, 11, what);
        status = out.get() & 0xFF;
        contentLength = out.getLong();
        metaLen = out.getShort() & 0xFFFF;
      } else {
        int type = out.get() & 0xFF;
        if (type == 3) {
          need(out, 1, what);
          assertThat(out.get() & 0xFF).as("CLOSE reason, %s", what).isBetween(0, 3);
          continue;
        }
        if (type == 4) {
          need(out, 5, what);
          assertThat(out.get()).as("CLOSE_ACK reserved byte, %s", what).isZero();
          out.getInt();
          closed = true;
          continue;
        }
        if (type == 5) {
          markers += checkSegmented(out, what);
          continue;
        }
        assertThat(type).as("message type, %s", what).isEqualTo(2);
        need(out, 15, what);
        out.getInt();
        status = out.get() & 0xFF;
        contentLength = out.getLong();
        metaLen = out.getShort() & 0xFFFF;
      }
      assertThat(STATUSES).as("status, %s", what).contains(status);
      assertThat(metaLen).as("metadata length, %s", what).isLessThanOrEqualTo(1024);
      need(out, metaLen, what);
      boolean hasError = checkTlvs(out, metaLen, what);
      if (status != 0) {
        assertThat(contentLength).as("content length of an error, %s", what).isZero();
        assertThat(hasError).as("ERROR TLV of an error, %s", what).isTrue();
      } else if (contentLength == 0) {
        need(out, 1, what);
        assertThat(out.get()).as("descriptor marker, %s", what).isEqualTo((byte) 'X');
        markers++;
      } else {
        need(out, (int) contentLength, what);
        out.position(out.position() + (int) contentLength);
      }
    }
    return markers;
  }

  private static int checkSegmented(ByteBuffer out, String what) {
    need(out, 9, what);
    out.getInt();
    int status = out.get() & 0xFF;
    int count = out.getShort() & 0xFFFF;
    int metaLen = out.getShort() & 0xFFFF;
    assertThat(status).as("segmented status, %s", what).isZero();
    assertThat(count).as("segment count, %s", what).isBetween(1, 64);
    need(out, metaLen + 32 * count, what);
    checkTlvs(out, metaLen, what);
    long inline = 0;
    int markers = 0;
    for (int i = 0; i < count; i++) {
      int type = out.get() & 0xFF;
      int flags = out.get() & 0xFF;
      assertThat(out.getShort()).as("segment reserved, %s", what).isZero();
      long copy = out.getInt() & 0xFFFF_FFFFL;
      out.getLong();
      out.getLong();
      out.getLong();
      if (type == 0) {
        inline += copy;
      } else if ((flags & 0x02) == 0) {
        markers++;
      }
      if (i == count - 1) {
        assertThat(flags & 0x01).as("FIN on the last segment, %s", what).isEqualTo(1);
      }
    }
    need(out, (int) inline + markers, what);
    out.position(out.position() + (int) inline);
    for (int i = 0; i < markers; i++) {
      assertThat(out.get()).as("segment descriptor marker, %s", what).isEqualTo((byte) 'X');
    }
    return markers;
  }

  /** Walks the TLVs; true if one is an ERROR TLV. */
  private static boolean checkTlvs(ByteBuffer out, int metaLen, String what) {
    int end = out.position() + metaLen;
    boolean error = false;
    while (out.position() < end) {
      assertThat(end - out.position()).as("TLV header, %s", what).isGreaterThanOrEqualTo(3);
      int type = out.get() & 0xFF;
      int len = out.getShort() & 0xFFFF;
      assertThat(end - out.position()).as("TLV value, %s", what).isGreaterThanOrEqualTo(len);
      error |= type == 0xFF;
      out.position(out.position() + len);
    }
    return error;
  }

  private static void need(ByteBuffer out, int n, String what) {
    assertThat(out.remaining()).as("bytes left for a frame (truncated answer), %s", what).isGreaterThanOrEqualTo(n);
  }
}
