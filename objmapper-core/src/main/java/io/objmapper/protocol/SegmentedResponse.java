package io.objmapper.protocol;

import java.util.List;

/**
 * A SEGMENTED_RESPONSE's header, metadata and segment table. The inline bytes
 * ({@link #inlineLength()} of them) and one 'X'+descriptor message per
 * {@link Segment#carriesDescriptor() descriptor-carrying} segment follow on the wire.
 */
public record SegmentedResponse(long requestId, int status, Metadata metadata, List<Segment> segments)
    implements ServerMessage {
  public SegmentedResponse {
    segments = List.copyOf(segments);
  }

  /** Sum of the logical lengths: the object's size. */
  public long contentLength() {
    long n = 0;
    for (Segment s : segments) {
      n += s.logicalLength();
    }
    return n;
  }

  /** Bytes of inline data that follow the segment table. */
  public long inlineLength() {
    long n = 0;
    for (Segment s : segments) {
      if (s.type() == Segment.INLINE) {
        n += s.copyLength();
      }
    }
    return n;
  }

  /** How many 'X'+descriptor messages follow the inline data. */
  public int descriptorCount() {
    int n = 0;
    for (Segment s : segments) {
      if (s.carriesDescriptor()) {
        n++;
      }
    }
    return n;
  }
}
