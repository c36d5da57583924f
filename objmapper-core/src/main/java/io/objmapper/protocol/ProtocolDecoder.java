package io.objmapper.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads protocol messages from a {@link ByteBuffer}, incrementally: a method given a
 * partial frame answers "need more" ({@code false} or {@code null}) and leaves the
 * buffer's position where it was; given a whole frame it consumes exactly that frame.
 * Malformed input raises {@link ProtocolException} carrying the status to answer with.
 *
 * <p>{@link #decodeRequest} (the server's per-request path) allocates nothing but the URI
 * string: it fills a caller-owned {@link RequestFrame}.
 *
 * <pre>{@code
 * RequestFrame frame = new RequestFrame();
 * while (ProtocolDecoder.decodeRequest(in, Protocol.VERSION_2, frame)) {
 *   handle(frame);
 * }
 * in.compact(); // keep the partial frame, read more
 * }</pre>
 */
public final class ProtocolDecoder {
  private ProtocolDecoder() {}

  // ---- handshake ------------------------------------------------------------------------

  /**
   * HELLO, or {@code null} if fewer than 9 bytes are available.
   *
   * @throws ProtocolException VERSION_MISMATCH on a wrong magic or version (close the connection)
   */
  public static Hello decodeHello(ByteBuffer in) throws ProtocolException {
    int p = in.position();
    if (in.remaining() < Protocol.HELLO_LENGTH) {
      checkMagicPrefix(in, p);
      return null;
    }
    checkMagicAndVersion(in, p);
    Hello h = new Hello(u16(in, p + Protocol.HELLO_CAPS_OFFSET), u16(in, p + Protocol.HELLO_PIPELINE_OFFSET));
    in.position(p + Protocol.HELLO_LENGTH);
    return h;
  }

  /** HELLO_ACK, or {@code null} if fewer than 10 bytes are available. */
  public static HelloAck decodeHelloAck(ByteBuffer in) throws ProtocolException {
    int p = in.position();
    if (in.remaining() < Protocol.HELLO_ACK_LENGTH) {
      checkMagicPrefix(in, p);
      return null;
    }
    checkMagicAndVersion(in, p);
    HelloAck a = new HelloAck(
        u16(in, p + Protocol.HELLO_CAPS_OFFSET),
        u16(in, p + Protocol.HELLO_PIPELINE_OFFSET),
        in.get(p + Protocol.HELLO_ACK_PARALLELISM_OFFSET) & 0xFF);
    in.position(p + Protocol.HELLO_ACK_LENGTH);
    return a;
  }

  private static void checkMagicPrefix(ByteBuffer in, int p) throws ProtocolException {
    int n = Math.min(in.remaining(), 4);
    for (int i = 0; i < n; i++) {
      if (in.get(p + i) != (byte) (Protocol.MAGIC >>> (24 - 8 * i))) {
        throw new ProtocolException(Status.VERSION_MISMATCH, "bad magic: not \"OBJM\"");
      }
    }
    if (in.remaining() > 4 && in.get(p + 4) != Protocol.VERSION_2) {
      throw new ProtocolException(Status.VERSION_MISMATCH, "unsupported version " + (in.get(p + 4) & 0xFF));
    }
  }

  private static void checkMagicAndVersion(ByteBuffer in, int p) throws ProtocolException {
    if (i32(in, p) != Protocol.MAGIC) {
      throw new ProtocolException(Status.VERSION_MISMATCH, "bad magic: not \"OBJM\"");
    }
    int version = in.get(p + 4) & 0xFF;
    if (version != Protocol.VERSION_2) {
      throw new ProtocolException(Status.VERSION_MISMATCH, "unsupported version " + version);
    }
  }

  // ---- client → server ------------------------------------------------------------------

  /**
   * Decodes one client frame of {@code version} into {@code out}: a REQUEST, or (V2 only)
   * a CLOSE. Returns {@code false}, position unchanged, if the frame is not complete.
   *
   * <p>Recoverable errors (the connection goes on): URI_TOO_LONG (the rest of the URI is to
   * be skipped), an empty URI or invalid UTF-8 (INVALID_REQUEST) and, in V2, an unknown
   * mode (INVALID_MODE). Not recoverable: a V1 frame whose mode byte is not a mode
   * (INVALID_MODE; the framing cannot be trusted) and an unknown V2 message type
   * (PROTOCOL_ERROR).
   */
  public static boolean decodeRequest(ByteBuffer in, int version, RequestFrame out) throws ProtocolException {
    return version == Protocol.VERSION_1 ? decodeRequestV1(in, out) : decodeRequestV2(in, out);
  }

  private static boolean decodeRequestV1(ByteBuffer in, RequestFrame out) throws ProtocolException {
    int p = in.position();
    int avail = in.remaining();
    if (avail < 1) {
      return false;
    }
    int modeByte = in.get(p) & 0xFF;
    Mode mode = Mode.of(modeByte);
    if (mode == null || mode.isExtension()) { // the extension modes are V2 only: V1 stays as it was
      throw new ProtocolException(Status.INVALID_MODE, "invalid mode byte " + hex(modeByte));
    }
    if (avail < Protocol.V1_REQUEST_HEADER_LENGTH) {
      return false;
    }
    int uriLen = u16(in, p + Protocol.V1_REQUEST_URI_LEN_OFFSET);
    int start = p + Protocol.V1_REQUEST_HEADER_LENGTH;
    checkUriLength(in, uriLen, start, ProtocolException.NO_REQUEST_ID);
    if (avail < Protocol.V1_REQUEST_HEADER_LENGTH + uriLen) {
      return false;
    }
    String uri = decodeUri(in, start, uriLen, out, ProtocolException.NO_REQUEST_ID);
    out.type = Protocol.TYPE_REQUEST;
    out.requestId = 0;
    out.flags = 0;
    out.mode = mode;
    out.uri = uri;
    return true;
  }

  private static boolean decodeRequestV2(ByteBuffer in, RequestFrame out) throws ProtocolException {
    int p = in.position();
    int avail = in.remaining();
    if (avail < 1) {
      return false;
    }
    int type = in.get(p) & 0xFF;
    if (type == Protocol.TYPE_CLOSE) {
      if (avail < Protocol.CLOSE_LENGTH) {
        return false;
      }
      out.type = Protocol.TYPE_CLOSE;
      out.closeReason = in.get(p + 1) & 0xFF;
      out.uri = null;
      in.position(p + Protocol.CLOSE_LENGTH);
      return true;
    }
    if (type != Protocol.TYPE_REQUEST) {
      throw new ProtocolException(Status.PROTOCOL_ERROR, "unexpected message type " + hex(type) + " from a client");
    }
    if (avail < Protocol.V2_REQUEST_HEADER_LENGTH) {
      return false;
    }
    long id = i32(in, p + Protocol.V2_REQUEST_ID_OFFSET) & 0xFFFF_FFFFL;
    int flags = in.get(p + Protocol.V2_REQUEST_FLAGS_OFFSET) & 0xFF;
    int modeByte = in.get(p + Protocol.V2_REQUEST_MODE_OFFSET) & 0xFF;
    int uriLen = u16(in, p + Protocol.V2_REQUEST_URI_LEN_OFFSET);
    int start = p + Protocol.V2_REQUEST_HEADER_LENGTH;
    checkUriLength(in, uriLen, start, id);
    if (avail < Protocol.V2_REQUEST_HEADER_LENGTH + uriLen) {
      return false;
    }
    Mode mode = Mode.of(modeByte);
    if (mode == null) {
      in.position(start + uriLen);
      throw new ProtocolException(Status.INVALID_MODE, "invalid mode byte " + hex(modeByte), id, true, 0);
    }
    String uri = decodeUri(in, start, uriLen, out, id);
    out.type = Protocol.TYPE_REQUEST;
    out.requestId = id;
    out.flags = flags;
    out.mode = mode;
    out.uri = uri;
    return true;
  }

  private static void checkUriLength(ByteBuffer in, int uriLen, int start, long id) throws ProtocolException {
    if (uriLen > Protocol.MAX_URI_LENGTH) {
      in.position(start);
      throw new ProtocolException(Status.URI_TOO_LONG,
          "URI of " + uriLen + " bytes exceeds " + Protocol.MAX_URI_LENGTH, id, true, uriLen);
    }
    if (uriLen == 0) {
      in.position(start);
      throw new ProtocolException(Status.INVALID_REQUEST, "empty URI", id, true, 0);
    }
  }

  /** Consumes the URI at {@code start}; the position ends after it even when it is invalid. */
  private static String decodeUri(ByteBuffer in, int start, int len, RequestFrame frame, long id)
      throws ProtocolException {
    byte[] b = frame.scratch;
    in.get(start, b, 0, len);
    in.position(start + len);
    boolean ascii = true;
    for (int i = 0; i < len; i++) {
      if (b[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(b, 0, len, StandardCharsets.ISO_8859_1);
    }
    try {
      return frame.utf8().decode(ByteBuffer.wrap(b, 0, len)).toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException(Status.INVALID_REQUEST, "URI is not valid UTF-8", id, true, 0);
    }
  }

  // ---- server → client ------------------------------------------------------------------

  /**
   * Decodes one server message after the handshake: for V1 always a {@link Response};
   * for V2 a {@link Response}, {@link SegmentedResponse}, {@link Close} or {@link CloseAck}.
   * The frame is the header, the metadata and (segmented) the segment table; content,
   * inline bytes and descriptors follow it and are not consumed. Returns {@code null},
   * position unchanged, if the frame is not complete.
   */
  public static ServerMessage decodeServerMessage(ByteBuffer in, int version) throws ProtocolException {
    int p = in.position();
    int avail = in.remaining();
    if (version == Protocol.VERSION_1) {
      if (avail < Protocol.V1_RESPONSE_HEADER_LENGTH) {
        return null;
      }
      int status = in.get(p) & 0xFF;
      long contentLength = contentLength(in, p + 1);
      int metaLen = metadataLength(in, p + 9);
      if (avail < Protocol.V1_RESPONSE_HEADER_LENGTH + metaLen) {
        return null;
      }
      Metadata m = decodeMetadata(in, p + Protocol.V1_RESPONSE_HEADER_LENGTH, metaLen);
      in.position(p + Protocol.V1_RESPONSE_HEADER_LENGTH + metaLen);
      return new Response(0, status, contentLength, m);
    }
    if (avail < 1) {
      return null;
    }
    int type = in.get(p) & 0xFF;
    switch (type) {
      case Protocol.TYPE_RESPONSE: {
        if (avail < Protocol.V2_RESPONSE_HEADER_LENGTH) {
          return null;
        }
        long id = i32(in, p + 1) & 0xFFFF_FFFFL;
        int status = in.get(p + 5) & 0xFF;
        long contentLength = contentLength(in, p + 6);
        int metaLen = metadataLength(in, p + 14);
        if (avail < Protocol.V2_RESPONSE_HEADER_LENGTH + metaLen) {
          return null;
        }
        Metadata m = decodeMetadata(in, p + Protocol.V2_RESPONSE_HEADER_LENGTH, metaLen);
        in.position(p + Protocol.V2_RESPONSE_HEADER_LENGTH + metaLen);
        return new Response(id, status, contentLength, m);
      }
      case Protocol.TYPE_SEGMENTED_RESPONSE:
        return decodeSegmented(in, p, avail);
      case Protocol.TYPE_CLOSE:
        if (avail < Protocol.CLOSE_LENGTH) {
          return null;
        }
        in.position(p + Protocol.CLOSE_LENGTH);
        return new Close(in.get(p + 1) & 0xFF);
      case Protocol.TYPE_CLOSE_ACK:
        if (avail < Protocol.CLOSE_ACK_LENGTH) {
          return null;
        }
        in.position(p + Protocol.CLOSE_ACK_LENGTH);
        return new CloseAck(i32(in, p + 2) & 0xFFFF_FFFFL);
      default:
        throw new ProtocolException(Status.PROTOCOL_ERROR, "unexpected message type " + hex(type) + " from a server");
    }
  }

  /** A V2 segmented response at {@code p}: header, metadata, segment table; null if incomplete. */
  private static SegmentedResponse decodeSegmented(ByteBuffer in, int p, int avail) throws ProtocolException {
    if (avail < Protocol.SEGMENTED_HEADER_LENGTH) {
      return null;
    }
    long id = i32(in, p + 1) & 0xFFFF_FFFFL;
    int status = in.get(p + 5) & 0xFF;
    int count = u16(in, p + 6);
    int metaLen = metadataLength(in, p + 8);
    if (count < 1 || count > Protocol.MAX_SEGMENTS) {
      throw new ProtocolException(Status.PROTOCOL_ERROR,
          "segment count " + count + " not in 1.." + Protocol.MAX_SEGMENTS);
    }
    int tableAt = p + Protocol.SEGMENTED_HEADER_LENGTH + metaLen;
    int frameLen = Protocol.SEGMENTED_HEADER_LENGTH + metaLen + count * Protocol.SEGMENT_ENTRY_LENGTH;
    if (avail < frameLen) {
      return null;
    }
    Metadata m = decodeMetadata(in, p + Protocol.SEGMENTED_HEADER_LENGTH, metaLen);
    List<Segment> segments = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int s = tableAt + i * Protocol.SEGMENT_ENTRY_LENGTH;
      if (u16(in, s + 2) != 0) {
        throw new ProtocolException(Status.PROTOCOL_ERROR, "segment " + i + ": reserved bytes not zero");
      }
      segments.add(new Segment(in.get(s) & 0xFF, in.get(s + 1) & 0xFF, i32(in, s + 4) & 0xFFFF_FFFFL,
          i64(in, s + 8), i64(in, s + 16), i64(in, s + 24)));
    }
    String problem = Segments.problem(segments);
    if (problem != null) {
      throw new ProtocolException(Status.PROTOCOL_ERROR, problem);
    }
    in.position(p + frameLen);
    return new SegmentedResponse(id, status, m, segments);
  }

  private static long contentLength(ByteBuffer in, int at) throws ProtocolException {
    long n = i64(in, at);
    if (n < 0) {
      throw new ProtocolException(Status.PROTOCOL_ERROR, "content length beyond 2^63");
    }
    return n;
  }

  private static int metadataLength(ByteBuffer in, int at) throws ProtocolException {
    int n = u16(in, at);
    if (n > Protocol.MAX_METADATA_LENGTH) {
      throw new ProtocolException(Status.PROTOCOL_ERROR,
          "metadata of " + n + " bytes exceeds " + Protocol.MAX_METADATA_LENGTH);
    }
    return n;
  }

  // ---- metadata -------------------------------------------------------------------------

  /**
   * Decodes the {@code length} bytes of TLVs at absolute index {@code at}, without moving
   * the position. Unknown types are skipped; a truncated TLV, a known TLV of the wrong
   * length or invalid UTF-8 text is a PROTOCOL_ERROR.
   */
  public static Metadata decodeMetadata(ByteBuffer in, int at, int length) throws ProtocolException {
    if (length == 0) {
      return Metadata.EMPTY;
    }
    Metadata.Builder b = Metadata.builder();
    int i = at;
    int end = at + length;
    while (i < end) {
      if (end - i < Protocol.TLV_HEADER_LENGTH) {
        throw new ProtocolException(Status.PROTOCOL_ERROR, "truncated TLV header at metadata offset " + (i - at));
      }
      int type = in.get(i) & 0xFF;
      int len = u16(in, i + 1);
      int v = i + Protocol.TLV_HEADER_LENGTH;
      if (len > end - v) {
        throw new ProtocolException(Status.PROTOCOL_ERROR,
            "TLV " + hex(type) + " of " + len + " bytes overruns the metadata");
      }
      switch (type) {
        case Protocol.TLV_SIZE:
          b.size(nonNegative(fixed(in, v, len, 8, "SIZE"), "SIZE"));
          break;
        case Protocol.TLV_MTIME:
          b.mtimeSeconds(nonNegative(fixed(in, v, len, 8, "MTIME"), "MTIME"));
          break;
        case Protocol.TLV_ETAG:
          b.etag(text(in, v, len, "ETAG"));
          break;
        case Protocol.TLV_MIME:
          b.mime(text(in, v, len, "MIME"));
          break;
        case Protocol.TLV_BACKEND:
          b.backend((int) fixed(in, v, len, 1, "BACKEND"));
          break;
        case Protocol.TLV_LATENCY:
          b.latencyMicros(fixed(in, v, len, 4, "LATENCY"));
          break;
        case Protocol.TLV_PAYLOAD:
          if (len != PayloadDescriptor.LENGTH) {
            throw new ProtocolException(Status.PROTOCOL_ERROR,
                "PAYLOAD TLV of " + len + " bytes, expected " + PayloadDescriptor.LENGTH);
          }
          b.payload(decodePayload(in, v));
          break;
        case Protocol.TLV_ERROR:
          b.error(text(in, v, len, "ERROR"));
          break;
        case Protocol.TLV_TIERS:
          b.tiersText(text(in, v, len, "TIERS"));
          break;
        default:
          break; // unknown (and reserved SEGMENT_HINTS): skipped
      }
      i = v + len;
    }
    return b.build();
  }

  /** Decodes the 592-byte little-endian PAYLOAD descriptor at absolute index {@code at}. */
  public static PayloadDescriptor decodePayload(ByteBuffer in, int at) throws ProtocolException {
    if (in.limit() - at < PayloadDescriptor.LENGTH) {
      throw new ProtocolException(Status.PROTOCOL_ERROR, "truncated PAYLOAD descriptor");
    }
    ByteBuffer le = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int version = le.getInt(at);
    int count = le.getInt(at + 4);
    if (count < 0 || count > PayloadDescriptor.MAX_VARIANTS) {
      throw new ProtocolException(Status.PROTOCOL_ERROR,
          "PAYLOAD variant_count " + Integer.toUnsignedString(count) + " > " + PayloadDescriptor.MAX_VARIANTS);
    }
    int flags = le.getInt(at + 8);
    int reserved = le.getInt(at + 12);
    List<PayloadVariant> variants = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int s = at + PayloadDescriptor.HEADER_LENGTH + i * PayloadDescriptor.SLOT_LENGTH;
      int idLen = 0;
      while (idLen < PayloadVariant.ID_LENGTH && le.get(s + idLen) != 0) {
        idLen++;
      }
      String id = text(in, s, idLen, "PAYLOAD variant id");
      variants.add(new PayloadVariant(id, le.getInt(s + 32), le.getInt(s + 36), le.getLong(s + 40),
          le.getLong(s + 48), le.getLong(s + 56), le.get(s + 64) != 0));
    }
    return new PayloadDescriptor(version, flags, reserved, variants);
  }

  private static long fixed(ByteBuffer in, int at, int len, int expected, String name) throws ProtocolException {
    if (len != expected) {
      throw new ProtocolException(Status.PROTOCOL_ERROR, name + " TLV of " + len + " bytes, expected " + expected);
    }
    switch (expected) {
      case 1:
        return in.get(at) & 0xFF;
      case 4:
        return i32(in, at) & 0xFFFF_FFFFL;
      default:
        return i64(in, at);
    }
  }

  private static long nonNegative(long v, String name) throws ProtocolException {
    if (v < 0) {
      throw new ProtocolException(Status.PROTOCOL_ERROR, name + " beyond 2^63");
    }
    return v;
  }

  private static String text(ByteBuffer in, int at, int len, String name) throws ProtocolException {
    byte[] b = new byte[len];
    in.get(at, b);
    try {
      return newUtf8Decoder().decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException(Status.PROTOCOL_ERROR, name + " is not valid UTF-8");
    }
  }

  static CharsetDecoder newUtf8Decoder() {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  // ---- primitives (absolute, big-endian whatever the buffer's order) ---------------------

  static int u16(ByteBuffer in, int at) {
    return ((in.get(at) & 0xFF) << 8) | (in.get(at + 1) & 0xFF);
  }

  static int i32(ByteBuffer in, int at) {
    int v = in.getInt(at);
    return in.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
  }

  static long i64(ByteBuffer in, int at) {
    long v = in.getLong(at);
    return in.order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v);
  }

  private static String hex(int b) {
    return String.format("0x%02x", b);
  }
}
