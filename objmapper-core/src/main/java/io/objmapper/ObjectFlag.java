package io.objmapper;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** Flags an object is stored with; {@link ObjectInfo#flags()} is a set of them. */
public enum ObjectFlag {
  /**
   * The object lives only on volatile (non-persistent) tiers: it is never written to a
   * persistent tier or index, never migrated to one, and is gone after a restart.
   */
  EPHEMERAL(0x01),
  /** The object is never evicted or demoted by the lifecycle policies. */
  PINNED(0x02);

  private static final ObjectFlag[] ALL = values();
  private static final Set<ObjectFlag> NONE = Collections.unmodifiableSet(EnumSet.noneOf(ObjectFlag.class));

  private final int bit;

  ObjectFlag(int bit) {
    this.bit = bit;
  }

  /**
   * The flag's bit in the flag byte of the tiers' index files (fixed: it is on disk). The
   * store works on such masks internally; its API takes and returns {@link ObjectFlag}s.
   */
  public int bit() {
    return bit;
  }

  /** The mask of {@code flags}. */
  static int mask(ObjectFlag... flags) {
    int m = 0;
    for (ObjectFlag f : flags) {
      m |= f.bit;
    }
    return m;
  }

  /** True if {@code mask} has this flag. */
  boolean in(int mask) {
    return (mask & bit) != 0;
  }

  /** The flags set in {@code mask}, unmodifiable; unknown bits are ignored. */
  static Set<ObjectFlag> of(int mask) {
    if ((mask & (EPHEMERAL.bit | PINNED.bit)) == 0) {
      return NONE;
    }
    EnumSet<ObjectFlag> set = EnumSet.noneOf(ObjectFlag.class);
    for (ObjectFlag f : ALL) {
      if (f.in(mask)) {
        set.add(f);
      }
    }
    return Collections.unmodifiableSet(set);
  }
}
