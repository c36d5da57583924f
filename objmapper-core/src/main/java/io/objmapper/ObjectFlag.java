package io.objmapper;

/** Flags an object is stored with. */
public enum ObjectFlag {
  /**
   * The object lives only on volatile (non-persistent) tiers: it is never written to a
   * persistent tier or index, never migrated to one, and is gone after a restart.
   */
  EPHEMERAL(0x01),
  /** The object is never evicted or demoted by the lifecycle policies. */
  PINNED(0x02);

  private final int bit;

  ObjectFlag(int bit) {
    this.bit = bit;
  }

  /** The flag's bit in a stored flag mask. */
  public int bit() {
    return bit;
  }

  /** The mask of {@code flags}. */
  public static int mask(ObjectFlag... flags) {
    int m = 0;
    for (ObjectFlag f : flags) {
      m |= f.bit;
    }
    return m;
  }

  /** True if {@code mask} has this flag. */
  public boolean in(int mask) {
    return (mask & bit) != 0;
  }
}
