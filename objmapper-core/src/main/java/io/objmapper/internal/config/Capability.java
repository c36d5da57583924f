package io.objmapper.internal.config;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

/**
 * A protocol V2 capability, as named in the configuration file, with its bit in the HELLO
 * capability mask (see PROTOCOL.md). COMPRESSION and MULTIPLEXING are reserved by the
 * protocol: they may be configured, but no current peer acts on them.
 */
public enum Capability {
  OOO_REPLIES(0x0001),
  PIPELINING(0x0002),
  COMPRESSION(0x0004),
  MULTIPLEXING(0x0008),
  SEGMENTED(0x0010);

  private final int bit;

  Capability(int bit) {
    this.bit = bit;
  }

  /** This capability's bit in the u16 capability mask. */
  public int bit() {
    return bit;
  }

  /** The OR of the bits of {@code capabilities}. */
  public static int mask(Collection<Capability> capabilities) {
    int mask = 0;
    for (Capability c : capabilities) {
      mask |= c.bit;
    }
    return mask;
  }

  /** The capabilities whose bits are set in {@code mask}; unknown bits are ignored. */
  public static Set<Capability> fromMask(int mask) {
    EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
    for (Capability c : values()) {
      if ((mask & c.bit) != 0) {
        set.add(c);
      }
    }
    return set;
  }
}
