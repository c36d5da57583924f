package io.objmapper.protocol;

import java.util.List;

/** The validity rules of a segment table, shared by encoder and decoder. */
final class Segments {
  private Segments() {}

  /** Why {@code segments} is not a valid table, or {@code null} if it is. */
  static String problem(List<Segment> segments) {
    int count = segments.size();
    if (count < 1 || count > Protocol.MAX_SEGMENTS) {
      return "segment count " + count + " not in 1.." + Protocol.MAX_SEGMENTS;
    }
    boolean sawFd = false;
    long total = 0;
    for (int i = 0; i < count; i++) {
      Segment s = segments.get(i);
      switch (s.type()) {
        case Segment.INLINE:
          if (s.copyLength() != s.logicalLength()) {
            return "segment " + i + ": INLINE copy_length " + s.copyLength() + " != logical_length " + s.logicalLength();
          }
          if (s.hasFlag(Segment.REUSE_FD)) {
            return "segment " + i + ": INLINE with REUSE_FD";
          }
          break;
        case Segment.FD:
        case Segment.SPLICE:
          if (s.copyLength() != 0) {
            return "segment " + i + ": FD/SPLICE copy_length " + s.copyLength() + " != 0";
          }
          if (s.storageLength() < s.logicalLength()) {
            return "segment " + i + ": storage_length " + s.storageLength() + " < logical_length " + s.logicalLength();
          }
          if (s.hasFlag(Segment.REUSE_FD) && !sawFd) {
            return "segment " + i + ": REUSE_FD without an earlier FD";
          }
          sawFd = true;
          break;
        default:
          return "segment " + i + ": unknown type " + s.type();
      }
      if ((s.flags() & ~(Segment.FIN | Segment.REUSE_FD | Segment.OPTIONAL)) != 0) {
        return "segment " + i + ": unknown flags 0x" + Integer.toHexString(s.flags());
      }
      if (s.copyLength() < 0 || s.copyLength() > 0xFFFF_FFFFL) {
        return "segment " + i + ": copy_length not a u32";
      }
      if (s.logicalLength() < 0 || s.storageOffset() < 0 || s.storageLength() < 0) {
        return "segment " + i + ": length or offset beyond 2^63";
      }
      total += s.logicalLength();
      if (total < 0) {
        return "content length overflows";
      }
    }
    if (!segments.get(count - 1).hasFlag(Segment.FIN)) {
      return "last segment lacks FIN";
    }
    return null;
  }
}
