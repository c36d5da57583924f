package io.objmapper.protocol;

/**
 * A reusable holder that {@link ProtocolDecoder#decodeRequest} fills: one per connection,
 * so decoding a request allocates nothing but the URI string.
 */
public final class RequestFrame {
  /** {@link Protocol#TYPE_REQUEST}, or {@link Protocol#TYPE_CLOSE} for a V2 CLOSE. */
  int type;
  long requestId;
  int flags;
  Mode mode;
  String uri;
  int closeReason;
  final byte[] scratch = new byte[Protocol.MAX_URI_LENGTH];
  private java.nio.charset.CharsetDecoder utf8;

  /** A strict UTF-8 decoder for non-ASCII URIs, made on first use. */
  java.nio.charset.CharsetDecoder utf8() {
    if (utf8 == null) {
      utf8 = ProtocolDecoder.newUtf8Decoder();
    }
    return utf8;
  }

  /** {@link Protocol#TYPE_REQUEST} or {@link Protocol#TYPE_CLOSE}. */
  public int type() {
    return type;
  }

  /** The V2 request id (u32), or 0 for V1. */
  public long requestId() {
    return requestId;
  }

  /** {@link RequestFlags} bits (0 for V1). */
  public int flags() {
    return flags;
  }

  public boolean ordered() {
    return (flags & RequestFlags.ORDERED) != 0;
  }

  public Mode mode() {
    return mode;
  }

  public String uri() {
    return uri;
  }

  /** The reason of a CLOSE frame. */
  public int closeReason() {
    return closeReason;
  }

  @Override
  public String toString() {
    return type == Protocol.TYPE_CLOSE
        ? "CLOSE(reason=" + closeReason + ")"
        : "REQUEST(id=" + requestId + ", flags=" + flags + ", mode=" + mode + ", uri=" + uri + ")";
  }
}
