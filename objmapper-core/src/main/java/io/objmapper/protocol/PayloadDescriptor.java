package io.objmapper.protocol;

import java.util.List;

/**
 * The value of a PAYLOAD TLV (0x07): 592 bytes, <b>little-endian</b>.
 *
 * <pre>
 *  0        4              8               12         16
 * +--------+--------------+---------------+----------+----------------------------+
 * |version | variant_count| manifest_flags| reserved | 8 slots × 72 bytes         |
 * +--------+--------------+---------------+----------+----------------------------+
 * slot: id char[32] | caps u32 | encoding u32 | logical_len u64 | storage_len u64 |
 *       range_granularity u64 | is_primary u8 | reserved[7]
 * </pre>
 * Slots past {@code variant_count} are zero.
 */
public record PayloadDescriptor(int version, int manifestFlags, int reserved, List<PayloadVariant> variants) {
  /** Encoded size in bytes. */
  public static final int LENGTH = 592;
  public static final int HEADER_LENGTH = 16;
  public static final int SLOT_LENGTH = 72;
  public static final int MAX_VARIANTS = 8;

  public PayloadDescriptor {
    variants = List.copyOf(variants);
    if (variants.size() > MAX_VARIANTS) {
      throw new IllegalArgumentException("more than " + MAX_VARIANTS + " variants: " + variants.size());
    }
  }
}
