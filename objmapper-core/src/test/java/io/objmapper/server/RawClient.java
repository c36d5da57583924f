package io.objmapper.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A test client that speaks the protocol byte by byte, the way the C client reads: exact
 * lengths for headers and metadata, then a 1-byte read that carries the descriptor. It
 * writes whatever bytes it is given, so it can send what no real client would.
 */
final class RawClient implements AutoCloseable {
  static final int FDPASS = '1';
  static final int COPY = '2';
  static final int SPLICE = '3';
  static final int SEGMENTED = '4';

  private final AFUNIXSocketChannel ch;

  private RawClient(AFUNIXSocketChannel ch) throws IOException {
    this.ch = ch;
    ch.setAncillaryReceiveBufferSize(256);
  }

  static RawClient connect(Path socket) throws IOException {
    return new RawClient(AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(socket)));
  }

  /** Connects and completes a V2 handshake, checking that the server answered it. */
  static RawClient v2(Path socket, int caps, int depth) throws IOException {
    RawClient c = connect(socket);
    try {
      c.send(hello(caps, depth));
      byte[] ack = c.read(10);
      assertThat(new String(ack, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("OBJM");
      return c;
    } catch (IOException | RuntimeException | Error e) {
      c.close();
      throw e;
    }
  }

  // ---- frames -------------------------------------------------------------------------------

  static byte[] hello(int caps, int depth) {
    return ByteBuffer.allocate(9).put("OBJM".getBytes(StandardCharsets.US_ASCII)).put((byte) 2)
        .putShort((short) caps).putShort((short) depth).array();
  }

  static byte[] v1(int mode, String uri) {
    return v1(mode, uri.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] v1(int mode, byte[] uri) {
    return ByteBuffer.allocate(3 + uri.length).put((byte) mode).putShort((short) uri.length).put(uri).array();
  }

  static byte[] v2(long id, int flags, int mode, String uri) {
    return v2(id, flags, mode, uri.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] v2(long id, int flags, int mode, byte[] uri) {
    return ByteBuffer.allocate(9 + uri.length).put((byte) 1).putInt((int) id).put((byte) flags).put((byte) mode)
        .putShort((short) uri.length).put(uri).array();
  }

  static byte[] close(int reason) {
    return new byte[] {3, (byte) reason};
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  // ---- I/O ----------------------------------------------------------------------------------

  /** Writes all parts with one write call, so the server finds them in one read. */
  RawClient send(byte[]... parts) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(concat(parts));
    while (b.hasRemaining()) {
      ch.write(b);
    }
    return this;
  }

  /** One read call into {@code b}: what the socket gives now (-1 at the end; an IOException on a reset). */
  int readOnce(ByteBuffer b) throws IOException {
    return ch.read(b);
  }

  /** Exactly {@code n} bytes; fails if a descriptor arrives with them. */
  byte[] read(int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new EOFException("EOF after " + b.position() + " of " + n + " bytes");
      }
      FileDescriptor[] fds = ch.getReceivedFileDescriptors();
      if (fds != null && fds.length > 0) {
        for (FileDescriptor fd : fds) {
          Fds.close(fd);
        }
        throw new AssertionError("a descriptor arrived with plain bytes");
      }
    }
    return b.array();
  }

  /** The 1-byte message that carries a descriptor: checks it is 'X' and returns the descriptor. */
  FileDescriptor readDescriptor() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new EOFException("EOF instead of the descriptor message");
      }
    }
    FileDescriptor[] fds = ch.getReceivedFileDescriptors();
    assertThat(fds).as("descriptors received with the 'X' byte").isNotNull().hasSize(1);
    assertThat(b.get(0)).as("the byte that carries the descriptor").isEqualTo((byte) 'X');
    return fds[0];
  }

  /** True if the server closed the connection with nothing more sent. */
  boolean atEof() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(256);
    int n;
    try {
      n = ch.read(b);
    } catch (IOException e) {
      // a reset (the server closed with our bytes unread) is also an end
      return true;
    }
    if (n > 0) {
      throw new AssertionError("expected EOF, got " + n + " more bytes: " + Hex.of(b.flip()));
    }
    return n < 0;
  }

  /** Everything until the server closes (any descriptor that arrives is closed and counted). */
  Drained drain() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer b = ByteBuffer.allocate(4096);
    int fds = 0;
    while (true) {
      int n;
      try {
        n = ch.read(b);
      } catch (IOException e) {
        break;
      }
      FileDescriptor[] got = ch.getReceivedFileDescriptors();
      if (got != null) {
        for (FileDescriptor fd : got) {
          Fds.close(fd);
          fds++;
        }
      }
      if (n < 0) {
        break;
      }
      out.write(b.array(), 0, b.position());
      b.clear();
    }
    return new Drained(out.toByteArray(), fds);
  }

  record Drained(byte[] bytes, int descriptors) {}

  void shutdownOutput() throws IOException {
    ch.shutdownOutput();
  }

  // ---- responses ----------------------------------------------------------------------------

  /** A V1 response header and its metadata. */
  Frame readV1() throws IOException {
    ByteBuffer h = ByteBuffer.wrap(read(11));
    int status = h.get() & 0xFF;
    long contentLength = h.getLong();
    int metaLen = h.getShort() & 0xFFFF;
    return new Frame(Frame.RESPONSE, 0, status, contentLength, read(metaLen), 0);
  }

  /** One V2 server message (RESPONSE, CLOSE, CLOSE_ACK or a SEGMENTED_RESPONSE header+metadata). */
  Frame readV2() throws IOException {
    int type = read(1)[0] & 0xFF;
    switch (type) {
      case Frame.RESPONSE: {
        ByteBuffer h = ByteBuffer.wrap(read(15));
        long id = h.getInt() & 0xFFFF_FFFFL;
        int status = h.get() & 0xFF;
        long contentLength = h.getLong();
        int metaLen = h.getShort() & 0xFFFF;
        return new Frame(type, id, status, contentLength, read(metaLen), 0);
      }
      case Frame.CLOSE:
        return new Frame(type, 0, read(1)[0] & 0xFF, 0, new byte[0], 0);
      case Frame.CLOSE_ACK: {
        ByteBuffer h = ByteBuffer.wrap(read(5));
        assertThat(h.get()).as("CLOSE_ACK reserved byte").isZero();
        return new Frame(type, 0, 0, h.getInt() & 0xFFFF_FFFFL, new byte[0], 0);
      }
      case Frame.SEGMENTED: {
        ByteBuffer h = ByteBuffer.wrap(read(9));
        long id = h.getInt() & 0xFFFF_FFFFL;
        int status = h.get() & 0xFF;
        int count = h.getShort() & 0xFFFF;
        int metaLen = h.getShort() & 0xFFFF;
        return new Frame(type, id, status, 0, read(metaLen), count);
      }
      default:
        throw new AssertionError(String.format("unknown server message type 0x%02x", type));
    }
  }

  /** The next {@code n} V2 responses without a body, by request id: V2 answers in any order. */
  Map<Long, Frame> readV2ById(int n) throws IOException {
    Map<Long, Frame> byId = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      Frame f = readV2();
      assertThat(byId.put(f.id(), f)).as("one answer to request %d", f.id()).isNull();
    }
    return byId;
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }

  /** A server message as read. For CLOSE {@code status} is the reason; for CLOSE_ACK {@code contentLength} the count. */
  record Frame(int type, long id, int status, long contentLength, byte[] metadata, int segmentCount) {
    static final int RESPONSE = 2;
    static final int CLOSE = 3;
    static final int CLOSE_ACK = 4;
    static final int SEGMENTED = 5;

    /** The TLVs by type; fails on a truncated TLV. */
    Map<Integer, byte[]> tlvs() {
      Map<Integer, byte[]> m = new LinkedHashMap<>();
      ByteBuffer b = ByteBuffer.wrap(metadata);
      while (b.hasRemaining()) {
        assertThat(b.remaining()).as("TLV header").isGreaterThanOrEqualTo(3);
        int t = b.get() & 0xFF;
        int len = b.getShort() & 0xFFFF;
        assertThat(b.remaining()).as("TLV value").isGreaterThanOrEqualTo(len);
        byte[] v = new byte[len];
        b.get(v);
        m.put(t, v);
      }
      return m;
    }

    String error() {
      byte[] v = tlvs().get(0xFF);
      return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    long u64(int tlv) {
      byte[] v = tlvs().get(tlv);
      assertThat(v).as("TLV 0x%02x", tlv).isNotNull().hasSize(8);
      return ByteBuffer.wrap(v).getLong();
    }

    /** Checks this is an error response: the status, no content, one ERROR TLV. */
    Frame assertError(int expectedStatus) {
      assertThat(type).as("message type").isEqualTo(RESPONSE);
      assertThat(status).as("status of %s", this).isEqualTo(expectedStatus);
      assertThat(contentLength).as("content length of an error").isZero();
      assertThat(tlvs()).as("metadata of an error").containsOnlyKeys(0xFF);
      assertThat(error()).isNotEmpty();
      return this;
    }

    @Override
    public String toString() {
      return "Frame{type=" + type + ", id=" + id + ", status=" + status + ", contentLength=" + contentLength
          + ", meta=" + Hex.of(ByteBuffer.wrap(metadata)) + "}";
    }
  }
}
