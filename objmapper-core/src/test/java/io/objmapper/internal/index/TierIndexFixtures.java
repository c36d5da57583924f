package io.objmapper.internal.index;

/** Names and entries shared by the index tests. */
final class TierIndexFixtures {
  private TierIndexFixtures() {}

  /** A valid name of about 40 bytes, distinct for each {@code i}. */
  static String name(long i) {
    return "/photos/" + (i % 97) + "/object-" + i + ".jpg";
  }

  /** An entry whose fields are all derived from {@code i}. */
  static IndexEntry entry(long i) {
    return new IndexEntry(i * 10, 1_700_000_000_000L + i, (int) (i * 31), (int) (i & 7));
  }
}
