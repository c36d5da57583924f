package io.objmapper.protocol;

/**
 * One 72-byte slot of a {@link PayloadDescriptor}.
 *
 * @param id up to 32 UTF-8 bytes without NUL (NUL-padded on the wire, so a NUL would end it)
 * @param caps capability bits of this variant (u32)
 * @param encoding encoding id (u32)
 * @param logicalLength bytes after decoding
 * @param storageLength bytes as stored
 * @param rangeGranularity smallest addressable range, in bytes
 * @param primary whether this is the primary variant
 */
public record PayloadVariant(
    String id, int caps, int encoding, long logicalLength, long storageLength, long rangeGranularity,
    boolean primary) {
  /** Bytes of the id field. */
  public static final int ID_LENGTH = 32;

  public PayloadVariant {
    if (id == null) {
      throw new IllegalArgumentException("id == null");
    }
    if (id.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("id holds a NUL, which would end it on the wire: " + id);
    }
    if (ProtocolEncoder.utf8(id).length > ID_LENGTH) {
      throw new IllegalArgumentException("id longer than " + ID_LENGTH + " bytes: " + id);
    }
  }
}
