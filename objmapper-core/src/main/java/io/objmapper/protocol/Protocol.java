package io.objmapper.protocol;

/**
 * Wire constants of the objmapper protocol, byte-compatible with the C implementation.
 * All integers are big-endian except inside the PAYLOAD descriptor.
 *
 * <pre>
 * HELLO (client → server, 9 bytes)          HELLO_ACK (server → client, 10 bytes)
 *  0      4     5       7        9           0      4     5    7        9         10
 * +------+-----+-------+--------+           +------+-----+----+--------+---------+
 * |"OBJM"| 0x02| caps  |pipeline|           |"OBJM"| 0x02|caps|pipeline|parallel.|
 * +------+-----+-------+--------+           +------+-----+----+--------+---------+
 *
 * V1 REQUEST: mode u8 | uri_len u16 | uri                          (3 + uri_len)
 * V2 REQUEST: 0x01 | request_id u32 | flags u8 | mode u8 | uri_len u16 | uri  (9 + uri_len)
 * V1 RESPONSE: status u8 | content_len u64 | metadata_len u16      (11)
 * V2 RESPONSE: 0x02 | request_id u32 | status u8 | content_len u64 | metadata_len u16 (16)
 *   then metadata TLVs (type u8 | length u16 | value), then either one 'X' byte carrying
 *   an SCM_RIGHTS descriptor (status 0 and content_len 0), or content_len content bytes.
 * SEGMENTED_RESPONSE: 0x05 | request_id u32 | status u8 | count u16 | metadata_len u16 (10)
 *   then metadata, count × 32-byte segment entries, inline bytes, one 'X'+FD per FD segment.
 * CLOSE: 0x03 | reason u8          CLOSE_ACK: 0x04 | 0x00 | outstanding u32
 * </pre>
 */
public final class Protocol {
  /** {@code "OBJM"} as a big-endian int. */
  public static final int MAGIC = 0x4F424A4D;
  /** The first byte of a HELLO: the server peeks it to tell V2 from V1. */
  public static final byte MAGIC_FIRST_BYTE = 'O';
  public static final int VERSION_1 = 1;
  public static final int VERSION_2 = 2;

  public static final int TYPE_REQUEST = 0x01;
  public static final int TYPE_RESPONSE = 0x02;
  public static final int TYPE_CLOSE = 0x03;
  public static final int TYPE_CLOSE_ACK = 0x04;
  public static final int TYPE_SEGMENTED_RESPONSE = 0x05;

  /** The single data byte that carries a passed file descriptor. */
  public static final byte FD_MARKER = 'X';

  public static final int HELLO_LENGTH = 9;
  public static final int HELLO_CAPS_OFFSET = 5;
  public static final int HELLO_PIPELINE_OFFSET = 7;
  public static final int HELLO_ACK_LENGTH = 10;
  public static final int HELLO_ACK_PARALLELISM_OFFSET = 9;

  public static final int V1_REQUEST_HEADER_LENGTH = 3;
  public static final int V1_REQUEST_URI_LEN_OFFSET = 1;
  public static final int V2_REQUEST_HEADER_LENGTH = 9;
  public static final int V2_REQUEST_ID_OFFSET = 1;
  public static final int V2_REQUEST_FLAGS_OFFSET = 5;
  public static final int V2_REQUEST_MODE_OFFSET = 6;
  public static final int V2_REQUEST_URI_LEN_OFFSET = 7;

  public static final int V1_RESPONSE_HEADER_LENGTH = 11;
  public static final int V2_RESPONSE_HEADER_LENGTH = 16;
  public static final int SEGMENTED_HEADER_LENGTH = 10;
  public static final int SEGMENT_ENTRY_LENGTH = 32;
  public static final int CLOSE_LENGTH = 2;
  public static final int CLOSE_ACK_LENGTH = 6;

  public static final int TLV_HEADER_LENGTH = 3;
  public static final int TLV_SIZE = 0x01;
  public static final int TLV_MTIME = 0x02;
  public static final int TLV_ETAG = 0x03;
  public static final int TLV_MIME = 0x04;
  public static final int TLV_BACKEND = 0x05;
  public static final int TLV_LATENCY = 0x06;
  public static final int TLV_PAYLOAD = 0x07;
  public static final int TLV_SEGMENT_HINTS = 0x08;
  /**
   * Extension: the server's tier names in id order (the ids of BACKEND and of listing lines),
   * UTF-8, separated by LF; on STAT, LIST and COMMIT answers, which only this project's
   * clients ask for. Outside the C project's range, which counts up from 0x01.
   */
  public static final int TLV_TIERS = 0x80;
  public static final int TLV_ERROR = 0xFF;

  /** Longest URI in bytes; a longer one is answered with URI_TOO_LONG. */
  public static final int MAX_URI_LENGTH = 4096;
  /** Deepest pipeline a peer may negotiate. */
  public static final int MAX_PIPELINE_DEPTH = 1000;
  /** Largest metadata block accepted. */
  public static final int MAX_METADATA_LENGTH = 1024;
  /** Segment count bounds of a SEGMENTED_RESPONSE. */
  public static final int MAX_SEGMENTS = 64;

  private Protocol() {}
}
