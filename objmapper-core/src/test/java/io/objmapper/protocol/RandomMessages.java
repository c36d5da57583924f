package io.objmapper.protocol;

import io.objmapper.protocol.Codec.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random valid protocol messages from a seeded {@link Random}: the same seed, the same messages. */
final class RandomMessages {
  /** A message, the decoder method that reads it, and the version of its connection. */
  record Sample(Reader reader, int version, Object value) {
    @Override
    public String toString() {
      return reader + " v" + version + " " + value;
    }
  }

  private static final long[] U32_EDGES = {0, 1, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFEL, 0xFFFF_FFFFL};
  private static final long[] LONG_EDGES = {0, 1, 0xFFFF_FFFFL, 0x1_0000_0000L, Long.MAX_VALUE};

  private final Random rnd;

  RandomMessages(long seed) {
    this.rnd = new Random(seed);
  }

  // ---- whole messages ------------------------------------------------------------------------

  /** Any kind of message, each kind about equally often. */
  Sample any() {
    switch (rnd.nextInt(10)) {
      case 0:
        return new Sample(Reader.HELLO, 2, hello());
      case 1:
        return new Sample(Reader.HELLO_ACK, 2, helloAck());
      case 2:
        return new Sample(Reader.CLIENT_FRAME, 1, v1Request());
      case 3:
        return new Sample(Reader.CLIENT_FRAME, 2, v2Request());
      case 4:
        return new Sample(Reader.CLIENT_FRAME, 2, clientClose());
      case 5:
        return new Sample(Reader.SERVER_MESSAGE, 1, response(1));
      case 6:
        return new Sample(Reader.SERVER_MESSAGE, 2, response(2));
      case 7:
        return new Sample(Reader.SERVER_MESSAGE, 2, segmented());
      case 8:
        return new Sample(Reader.SERVER_MESSAGE, 2, serverClose());
      default:
        return new Sample(Reader.SERVER_MESSAGE, 2, closeAck());
    }
  }

  Hello hello() {
    return new Hello(rnd.nextInt(0x1_0000), rnd.nextInt(0x1_0000));
  }

  HelloAck helloAck() {
    return new HelloAck(rnd.nextInt(0x1_0000), rnd.nextInt(0x1_0000), rnd.nextInt(0x100));
  }

  DecodedRequest v1Request() {
    return DecodedRequest.v1(v1Mode(), uri());
  }

  DecodedRequest v2Request() {
    return DecodedRequest.request(u32(), rnd.nextInt(0x100), mode(), uri());
  }

  DecodedRequest clientClose() {
    return DecodedRequest.close(rnd.nextInt(0x100));
  }

  Response response(int version) {
    long id = version == Protocol.VERSION_1 ? 0 : u32();
    return new Response(id, status().code(), nonNegativeLong(), metadata());
  }

  SegmentedResponse segmented() {
    return new SegmentedResponse(u32(), status().code(), metadata(), segments());
  }

  Close serverClose() {
    return new Close(rnd.nextInt(0x100));
  }

  CloseAck closeAck() {
    return new CloseAck(u32());
  }

  // ---- parts ---------------------------------------------------------------------------------

  Mode mode() {
    return Mode.values()[rnd.nextInt(Mode.values().length)];
  }

  /** A mode V1 has: none of the V2 extension's. */
  Mode v1Mode() {
    Mode m;
    do {
      m = mode();
    } while (m.isExtension());
    return m;
  }

  Status status() {
    return Status.values()[rnd.nextInt(Status.values().length)];
  }

  /** Any u32, its edges more often than chance would pick them. */
  long u32() {
    return rnd.nextInt(8) == 0 ? U32_EDGES[rnd.nextInt(U32_EDGES.length)] : rnd.nextInt() & 0xFFFF_FFFFL;
  }

  /** A long in 0..2^63-1 of any magnitude. */
  long nonNegativeLong() {
    return rnd.nextInt(8) == 0 ? LONG_EDGES[rnd.nextInt(LONG_EDGES.length)] : rnd.nextLong() >>> (1 + rnd.nextInt(63));
  }

  /**
   * A URI of 1..4096 UTF-8 bytes: short ones, long ones and exactly 4096 bytes; about a
   * third pure ASCII (the decoder's fast path), the rest mixing 1- to 4-byte sequences.
   */
  String uri() {
    int bytes;
    int kind = rnd.nextInt(10);
    if (kind < 4) {
      bytes = 1 + rnd.nextInt(32);
    } else if (kind < 7) {
      bytes = 33 + rnd.nextInt(480);
    } else if (kind < 9) {
      bytes = 513 + rnd.nextInt(Protocol.MAX_URI_LENGTH - 513);
    } else {
      bytes = Protocol.MAX_URI_LENGTH;
    }
    return utf8(bytes, rnd.nextInt(3) == 0, true);
  }

  /**
   * A string of exactly {@code bytes} UTF-8 bytes (never an unpaired surrogate).
   *
   * @param asciiOnly only 1-byte characters
   * @param nul whether U+0000 may occur
   */
  String utf8(int bytes, boolean asciiOnly, boolean nul) {
    StringBuilder sb = new StringBuilder();
    int n = 0;
    while (n < bytes) {
      int width = asciiOnly ? 1 : 1 + rnd.nextInt(Math.min(4, bytes - n));
      int cp;
      switch (width) {
        case 1:
          cp = nul ? rnd.nextInt(0x80) : 1 + rnd.nextInt(0x7F);
          break;
        case 2:
          cp = 0x80 + rnd.nextInt(0x800 - 0x80);
          break;
        case 3:
          do {
            cp = 0x800 + rnd.nextInt(0x1_0000 - 0x800);
          } while (cp >= 0xD800 && cp <= 0xDFFF);
          break;
        default:
          cp = 0x1_0000 + rnd.nextInt(0x11_0000 - 0x1_0000);
          break;
      }
      sb.appendCodePoint(cp);
      n += width;
    }
    return sb.toString();
  }

  /** Any combination of TLVs; the texts are short enough that the whole stays within 1024 bytes. */
  Metadata metadata() {
    Metadata.Builder b = Metadata.builder();
    if (rnd.nextBoolean()) {
      b.size(nonNegativeLong());
    }
    if (rnd.nextBoolean()) {
      b.mtimeSeconds(nonNegativeLong());
    }
    if (rnd.nextBoolean()) {
      b.etag(utf8(rnd.nextInt(101), rnd.nextBoolean(), true));
    }
    if (rnd.nextBoolean()) {
      b.mime(utf8(rnd.nextInt(101), rnd.nextBoolean(), true));
    }
    if (rnd.nextBoolean()) {
      b.backend(rnd.nextInt(0x100));
    }
    if (rnd.nextBoolean()) {
      b.latencyMicros(u32());
    }
    if (rnd.nextInt(3) == 0) {
      b.payload(payload());
    }
    if (rnd.nextBoolean()) {
      b.error(utf8(rnd.nextInt(101), rnd.nextBoolean(), true));
    }
    return b.build();
  }

  PayloadDescriptor payload() {
    int count = rnd.nextInt(PayloadDescriptor.MAX_VARIANTS + 1);
    List<PayloadVariant> variants = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      variants.add(new PayloadVariant(utf8(rnd.nextInt(PayloadVariant.ID_LENGTH + 1), rnd.nextBoolean(), false),
          rnd.nextInt(), rnd.nextInt(), rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), rnd.nextBoolean()));
    }
    return new PayloadDescriptor(rnd.nextInt(), rnd.nextInt(), rnd.nextInt(), variants);
  }

  /**
   * A valid segment table: 1..64 entries of any type, REUSE_FD only after an FD or SPLICE
   * segment, FIN on the last (and now and then on others), lengths small enough that their
   * sum stays below 2^63.
   */
  List<Segment> segments() {
    int count = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(Protocol.MAX_SEGMENTS) : 1 + rnd.nextInt(4);
    if (rnd.nextInt(20) == 0) {
      count = Protocol.MAX_SEGMENTS;
    }
    List<Segment> table = new ArrayList<>(count);
    boolean sawFd = false;
    for (int i = 0; i < count; i++) {
      boolean last = i == count - 1;
      int flags = (last || rnd.nextInt(10) == 0 ? Segment.FIN : 0) | (rnd.nextInt(4) == 0 ? Segment.OPTIONAL : 0);
      int type = rnd.nextInt(3);
      if (type == Segment.INLINE) {
        long length = rnd.nextInt(4) == 0 ? 0xFFFF_FFFFL - rnd.nextInt(2) : rnd.nextInt(1 << 16);
        table.add(new Segment(type, flags, length, length, below(1L << 56), below(1L << 56)));
      } else {
        if (sawFd && rnd.nextBoolean()) {
          flags |= Segment.REUSE_FD;
        }
        long logical = below(1L << 56);
        long storage = logical + below(1L << 40);
        table.add(new Segment(type, flags, 0, logical, below(1L << 56), storage));
        sawFd = true;
      }
    }
    return table;
  }

  private long below(long bound) {
    return (rnd.nextLong() >>> 1) % bound;
  }
}
