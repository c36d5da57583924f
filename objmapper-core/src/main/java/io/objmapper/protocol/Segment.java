package io.objmapper.protocol;

/**
 * One 32-byte entry of a SEGMENTED_RESPONSE's segment table.
 *
 * <pre>
 * type u8 | flags u8 | 0x0000 | copy_length u32 | logical_length u64 | storage_offset u64 | storage_length u64
 * </pre>
 *
 * @param type {@link #INLINE}, {@link #FD} or {@link #SPLICE}
 * @param flags {@link #FIN}, {@link #REUSE_FD}, {@link #OPTIONAL}
 * @param copyLength bytes of inline data (INLINE only; 0 otherwise)
 * @param logicalLength bytes this segment contributes to the object
 * @param storageOffset where the bytes start in the passed descriptor
 * @param storageLength bytes of storage backing the segment
 */
public record Segment(int type, int flags, long copyLength, long logicalLength, long storageOffset, long storageLength) {
  public static final int INLINE = 0;
  public static final int FD = 1;
  public static final int SPLICE = 2;

  public static final int FIN = 0x01;
  public static final int REUSE_FD = 0x02;
  public static final int OPTIONAL = 0x04;

  /** An INLINE segment of {@code length} bytes. */
  public static Segment inline(long length, boolean fin) {
    return new Segment(INLINE, fin ? FIN : 0, length, length, 0, length);
  }

  /** An FD segment covering {@code length} bytes from {@code offset} of a passed descriptor. */
  public static Segment fd(long offset, long length, boolean fin) {
    return new Segment(FD, fin ? FIN : 0, 0, length, offset, length);
  }

  public boolean hasFlag(int flag) {
    return (flags & flag) != 0;
  }

  /** True if this segment is followed by its own 'X'+descriptor message. */
  public boolean carriesDescriptor() {
    return (type == FD || type == SPLICE) && !hasFlag(REUSE_FD);
  }
}
