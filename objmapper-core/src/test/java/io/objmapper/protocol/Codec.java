package io.objmapper.protocol;

import java.nio.ByteBuffer;

/** Test glue: decodes with the right decoder method and encodes any message value back. */
final class Codec {
  private Codec() {}

  /** Which decoder method reads a message. */
  enum Reader {
    HELLO,
    HELLO_ACK,
    CLIENT_FRAME,
    SERVER_MESSAGE;

    static Reader of(GoldenFrame f) {
      switch (f.message()) {
        case "HELLO":
          return HELLO;
        case "HELLO_ACK":
          return HELLO_ACK;
        default:
          return f.direction() == GoldenFrame.Direction.CLIENT_TO_SERVER ? CLIENT_FRAME : SERVER_MESSAGE;
      }
    }

    /**
     * The next message as a value ({@link DecodedRequest} for a client frame), or
     * {@code null} if the decoder answered "need more".
     */
    Object read(ByteBuffer in, int version, RequestFrame scratch) throws ProtocolException {
      switch (this) {
        case HELLO:
          return ProtocolDecoder.decodeHello(in);
        case HELLO_ACK:
          return ProtocolDecoder.decodeHelloAck(in);
        case CLIENT_FRAME:
          return ProtocolDecoder.decodeRequest(in, version, scratch) ? DecodedRequest.of(scratch) : null;
        default:
          return ProtocolDecoder.decodeServerMessage(in, version);
      }
    }

    Object read(ByteBuffer in, int version) throws ProtocolException {
      return read(in, version, new RequestFrame());
    }
  }

  /** Encodes {@code message} as sent on a connection of {@code version}. */
  static void encode(Object message, int version, ByteBuffer out) {
    if (message instanceof Hello) {
      ProtocolEncoder.hello(out, (Hello) message);
    } else if (message instanceof HelloAck) {
      ProtocolEncoder.helloAck(out, (HelloAck) message);
    } else if (message instanceof DecodedRequest) {
      DecodedRequest r = (DecodedRequest) message;
      if (r.type() == Protocol.TYPE_CLOSE) {
        ProtocolEncoder.close(out, r.closeReason());
      } else if (version == Protocol.VERSION_1) {
        ProtocolEncoder.requestV1(out, r.mode(), ProtocolEncoder.utf8(r.uri()));
      } else {
        ProtocolEncoder.requestV2(out, r.requestId(), r.flags(), r.mode(), ProtocolEncoder.utf8(r.uri()));
      }
    } else if (message instanceof Response) {
      Response r = (Response) message;
      ProtocolEncoder.response(out, version, r.requestId(), Status.of(r.status()), r.contentLength(), r.metadata());
    } else if (message instanceof SegmentedResponse) {
      SegmentedResponse s = (SegmentedResponse) message;
      ProtocolEncoder.segmented(out, s.requestId(), Status.of(s.status()), s.metadata(), s.segments());
    } else if (message instanceof Close) {
      ProtocolEncoder.close(out, ((Close) message).reason());
    } else if (message instanceof CloseAck) {
      ProtocolEncoder.closeAck(out, ((CloseAck) message).outstanding());
    } else {
      throw new IllegalArgumentException("not a protocol message: " + message);
    }
  }

  /** The bytes of {@code message}, encoded into a big-endian heap buffer. */
  static byte[] encode(Object message, int version) {
    ByteBuffer out = ByteBuffer.allocate(16 * 1024);
    encode(message, version, out);
    return bytes(out.flip());
  }

  /** The remaining bytes of {@code b}, without moving its position. */
  static byte[] bytes(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.get(b.position(), a);
    return a;
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] all = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  static byte[] hex(String s) {
    String h = s.replaceAll("[\\s|]", "");
    byte[] b = new byte[h.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(String.format("%02x", x & 0xFF));
    }
    return sb.toString();
  }
}
