package io.objmapper.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes protocol messages into a {@link ByteBuffer} at its position, advancing it.
 * Multi-byte fields are written big-endian whatever the buffer's order (the PAYLOAD
 * descriptor little-endian). Nothing here allocates, except {@link #utf8(String)}; a buffer
 * without room throws {@link java.nio.BufferOverflowException}. Metadata longer than
 * {@link Protocol#MAX_METADATA_LENGTH} is refused ({@link IllegalArgumentException}), as the
 * decoder refuses it; a header with an invalid field writes nothing.
 *
 * <pre>{@code
 * ByteBuffer out = ByteBuffer.allocateDirect(64);
 * ProtocolEncoder.responseV2Header(out, requestId, Status.OK, 0, ProtocolEncoder.SIZE_MTIME_LENGTH);
 * ProtocolEncoder.sizeTlv(out, size);
 * ProtocolEncoder.mtimeTlv(out, mtimeSeconds);
 * }</pre>
 */
public final class ProtocolEncoder {
  /** Bytes of a SIZE TLV followed by an MTIME TLV. */
  public static final int SIZE_MTIME_LENGTH = 2 * (Protocol.TLV_HEADER_LENGTH + 8);
  /** Bytes of a BACKEND TLV. */
  public static final int BACKEND_TLV_LENGTH = Protocol.TLV_HEADER_LENGTH + 1;

  private ProtocolEncoder() {}

  // ---- handshake ------------------------------------------------------------------------

  public static void hello(ByteBuffer out, int capabilities, int maxPipeline) {
    putInt(out, Protocol.MAGIC);
    out.put((byte) Protocol.VERSION_2);
    putShort(out, u16(capabilities, "capabilities"));
    putShort(out, u16(maxPipeline, "maxPipeline"));
  }

  public static void hello(ByteBuffer out, Hello hello) {
    hello(out, hello.capabilities(), hello.maxPipeline());
  }

  public static void helloAck(ByteBuffer out, HelloAck ack) {
    putInt(out, Protocol.MAGIC);
    out.put((byte) Protocol.VERSION_2);
    putShort(out, ack.capabilities());
    putShort(out, ack.pipelineDepth());
    out.put((byte) ack.parallelism());
  }

  // ---- requests -------------------------------------------------------------------------

  /** V1 REQUEST: {@code mode | uri_len u16 | uri}. */
  public static void requestV1(ByteBuffer out, Mode mode, byte[] uri) {
    checkUri(uri);
    out.put((byte) mode.code());
    putShort(out, uri.length);
    out.put(uri);
  }

  /** V2 REQUEST: {@code 0x01 | request_id u32 | flags | mode | uri_len u16 | uri}. */
  public static void requestV2(ByteBuffer out, long requestId, int flags, Mode mode, byte[] uri) {
    checkUri(uri);
    out.put((byte) Protocol.TYPE_REQUEST);
    putInt(out, (int) u32(requestId, "requestId"));
    out.put((byte) u8(flags, "flags"));
    out.put((byte) mode.code());
    putShort(out, uri.length);
    out.put(uri);
  }

  /** CLOSE: {@code 0x03 | reason}. */
  public static void close(ByteBuffer out, int reason) {
    out.put((byte) Protocol.TYPE_CLOSE);
    out.put((byte) u8(reason, "reason"));
  }

  /** CLOSE_ACK: {@code 0x04 | 0x00 | outstanding u32}. */
  public static void closeAck(ByteBuffer out, long outstanding) {
    out.put((byte) Protocol.TYPE_CLOSE_ACK);
    out.put((byte) 0);
    putInt(out, (int) u32(outstanding, "outstanding"));
  }

  // ---- responses ------------------------------------------------------------------------

  /** V1 RESPONSE header: {@code status | content_len u64 | metadata_len u16}. */
  public static void responseV1Header(ByteBuffer out, Status status, long contentLength, int metadataLength) {
    nonNegative(contentLength, "contentLength");
    metadataLength(metadataLength);
    out.put((byte) status.code());
    putLong(out, contentLength);
    putShort(out, metadataLength);
  }

  /** V2 RESPONSE header: {@code 0x02 | request_id u32 | status | content_len u64 | metadata_len u16}. */
  public static void responseV2Header(
      ByteBuffer out, long requestId, Status status, long contentLength, int metadataLength) {
    u32(requestId, "requestId");
    nonNegative(contentLength, "contentLength");
    metadataLength(metadataLength);
    out.put((byte) Protocol.TYPE_RESPONSE);
    putInt(out, (int) requestId);
    out.put((byte) status.code());
    putLong(out, contentLength);
    putShort(out, metadataLength);
  }

  /** The response header of {@code version} (1 or 2); {@code requestId} is ignored for V1. */
  public static void responseHeader(
      ByteBuffer out, int version, long requestId, Status status, long contentLength, int metadataLength) {
    if (version == Protocol.VERSION_1) {
      responseV1Header(out, status, contentLength, metadataLength);
    } else {
      responseV2Header(out, requestId, status, contentLength, metadataLength);
    }
  }

  /** A whole response: header and {@code metadata}. */
  public static void response(
      ByteBuffer out, int version, long requestId, Status status, long contentLength, Metadata metadata) {
    responseHeader(out, version, requestId, status, contentLength, metadata.encodedLength());
    metadata(out, metadata);
  }

  /**
   * A whole error response: header with content length 0 and one ERROR TLV holding
   * {@code message}, cut (on a character boundary) so the metadata fits in
   * {@link Protocol#MAX_METADATA_LENGTH}.
   */
  public static void error(ByteBuffer out, int version, long requestId, Status status, String message) {
    if (status == Status.OK) {
      throw new IllegalArgumentException("an error needs a status other than OK");
    }
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    int len = cutUtf8(text, Protocol.MAX_METADATA_LENGTH - Protocol.TLV_HEADER_LENGTH);
    responseHeader(out, version, requestId, status, 0, Protocol.TLV_HEADER_LENGTH + len);
    out.put((byte) Protocol.TLV_ERROR);
    putShort(out, len);
    out.put(text, 0, len);
  }

  /** SEGMENTED_RESPONSE header: {@code 0x05 | request_id u32 | status | count u16 | metadata_len u16}. */
  public static void segmentedHeader(ByteBuffer out, long requestId, Status status, int count, int metadataLength) {
    u32(requestId, "requestId");
    u16(count, "count");
    metadataLength(metadataLength);
    out.put((byte) Protocol.TYPE_SEGMENTED_RESPONSE);
    putInt(out, (int) requestId);
    out.put((byte) status.code());
    putShort(out, count);
    putShort(out, metadataLength);
  }

  /** One 32-byte segment entry. */
  public static void segment(ByteBuffer out, Segment s) {
    out.put((byte) u8(s.type(), "type"));
    out.put((byte) u8(s.flags(), "flags"));
    putShort(out, 0);
    putInt(out, (int) u32(s.copyLength(), "copyLength"));
    putLong(out, s.logicalLength());
    putLong(out, s.storageOffset());
    putLong(out, s.storageLength());
  }

  /**
   * Header, metadata and segment table of a SEGMENTED_RESPONSE (the inline bytes and
   * descriptors are sent after it). The table must satisfy every validity rule.
   */
  public static void segmented(ByteBuffer out, long requestId, Status status, Metadata metadata, List<Segment> segments) {
    String problem = Segments.problem(segments);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    segmentedHeader(out, requestId, status, segments.size(), metadata.encodedLength());
    metadata(out, metadata);
    for (Segment s : segments) {
      segment(out, s);
    }
  }

  // ---- metadata -------------------------------------------------------------------------

  /** Every TLV {@code m} holds, in type order. */
  public static void metadata(ByteBuffer out, Metadata m) {
    if (m.rawSize() >= 0) {
      sizeTlv(out, m.rawSize());
    }
    if (m.rawMtime() >= 0) {
      mtimeTlv(out, m.rawMtime());
    }
    if (m.etag() != null) {
      textTlv(out, Protocol.TLV_ETAG, m.etag());
    }
    if (m.mime() != null) {
      textTlv(out, Protocol.TLV_MIME, m.mime());
    }
    if (m.rawBackend() >= 0) {
      backendTlv(out, m.rawBackend());
    }
    if (m.rawLatency() >= 0) {
      latencyTlv(out, m.rawLatency());
    }
    if (m.payload() != null) {
      payloadTlv(out, m.payload());
    }
    if (m.error() != null) {
      textTlv(out, Protocol.TLV_ERROR, m.error());
    }
    if (m.tiersText() != null) {
      textTlv(out, Protocol.TLV_TIERS, m.tiersText());
    }
  }

  public static void sizeTlv(ByteBuffer out, long size) {
    nonNegative(size, "size");
    out.put((byte) Protocol.TLV_SIZE);
    putShort(out, 8);
    putLong(out, size);
  }

  public static void mtimeTlv(ByteBuffer out, long unixSeconds) {
    nonNegative(unixSeconds, "mtime");
    out.put((byte) Protocol.TLV_MTIME);
    putShort(out, 8);
    putLong(out, unixSeconds);
  }

  public static void backendTlv(ByteBuffer out, int tierId) {
    out.put((byte) Protocol.TLV_BACKEND);
    putShort(out, 1);
    out.put((byte) u8(tierId, "tierId"));
  }

  public static void latencyTlv(ByteBuffer out, long micros) {
    out.put((byte) Protocol.TLV_LATENCY);
    putShort(out, 4);
    putInt(out, (int) u32(micros, "latency"));
  }

  /** A UTF-8 TLV (ETAG, MIME, ERROR). */
  public static void textTlv(ByteBuffer out, int type, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.put((byte) u8(type, "type"));
    putShort(out, u16(bytes.length, "value length"));
    out.put(bytes);
  }

  /** A PAYLOAD TLV: 592 bytes, little-endian. */
  public static void payloadTlv(ByteBuffer out, PayloadDescriptor p) {
    out.put((byte) Protocol.TLV_PAYLOAD);
    putShort(out, PayloadDescriptor.LENGTH);
    ByteOrder order = out.order();
    out.order(ByteOrder.LITTLE_ENDIAN);
    try {
      out.putInt(p.version());
      out.putInt(p.variants().size());
      out.putInt(p.manifestFlags());
      out.putInt(p.reserved());
      for (int i = 0; i < PayloadDescriptor.MAX_VARIANTS; i++) {
        if (i < p.variants().size()) {
          PayloadVariant v = p.variants().get(i);
          byte[] id = v.id().getBytes(StandardCharsets.UTF_8);
          out.put(id);
          for (int k = id.length; k < PayloadVariant.ID_LENGTH; k++) {
            out.put((byte) 0);
          }
          out.putInt(v.caps());
          out.putInt(v.encoding());
          out.putLong(v.logicalLength());
          out.putLong(v.storageLength());
          out.putLong(v.rangeGranularity());
          out.put((byte) (v.primary() ? 1 : 0));
          for (int k = 0; k < 7; k++) {
            out.put((byte) 0);
          }
        } else {
          for (int k = 0; k < PayloadDescriptor.SLOT_LENGTH; k++) {
            out.put((byte) 0);
          }
        }
      }
    } finally {
      out.order(order);
    }
  }

  // ---- strings --------------------------------------------------------------------------

  /**
   * Strict UTF-8 bytes of {@code s}.
   *
   * @throws IllegalArgumentException if {@code s} holds an unpaired surrogate
   */
  public static byte[] utf8(String s) {
    try {
      ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(s));
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      return bytes;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("not encodable as UTF-8: " + e.getMessage(), e);
    }
  }

  /** UTF-8 length of {@code s}, which must be valid (see {@link #utf8}). */
  public static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** The longest prefix of {@code bytes} of at most {@code max} bytes that ends on a character boundary. */
  private static int cutUtf8(byte[] bytes, int max) {
    if (bytes.length <= max) {
      return bytes.length;
    }
    int n = max;
    while (n > 0 && (bytes[n] & 0xC0) == 0x80) {
      n--;
    }
    return n;
  }

  // ---- primitives -----------------------------------------------------------------------

  static void putShort(ByteBuffer out, int v) {
    short s = (short) v;
    out.putShort(out.order() == ByteOrder.BIG_ENDIAN ? s : Short.reverseBytes(s));
  }

  static void putInt(ByteBuffer out, int v) {
    out.putInt(out.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v));
  }

  static void putLong(ByteBuffer out, long v) {
    out.putLong(out.order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v));
  }

  private static void checkUri(byte[] uri) {
    if (uri.length == 0) {
      throw new IllegalArgumentException("uri is empty");
    }
    if (uri.length > 0xFFFF) {
      throw new IllegalArgumentException("uri longer than 65535 bytes");
    }
  }

  /** The metadata limit is the decoder's too: a larger block would cost the peer its connection. */
  private static int metadataLength(int len) {
    if (len < 0 || len > Protocol.MAX_METADATA_LENGTH) {
      throw new IllegalArgumentException("metadataLength not in 0.." + Protocol.MAX_METADATA_LENGTH + ": " + len);
    }
    return len;
  }

  private static int u8(int v, String what) {
    if (v < 0 || v > 0xFF) {
      throw new IllegalArgumentException(what + " not a u8: " + v);
    }
    return v;
  }

  private static int u16(int v, String what) {
    if (v < 0 || v > 0xFFFF) {
      throw new IllegalArgumentException(what + " not a u16: " + v);
    }
    return v;
  }

  private static long u32(long v, String what) {
    if (v < 0 || v > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(what + " not a u32: " + v);
    }
    return v;
  }

  private static long nonNegative(long v, String what) {
    if (v < 0) {
      throw new IllegalArgumentException(what + " < 0");
    }
    return v;
  }
}
