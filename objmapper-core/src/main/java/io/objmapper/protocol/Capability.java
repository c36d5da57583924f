package io.objmapper.protocol;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * A protocol V2 capability offered in HELLO / HELLO_ACK, with its bit in the u16 capability
 * mask (PROTOCOL.md). The configuration file's {@code protocol.capabilities} names these
 * constants; clients and servers take them as sets. COMPRESSION and MULTIPLEXING are reserved
 * by the protocol: no current peer acts on them, so this implementation never negotiates them.
 *
 * <p>{@link Capabilities} holds the same bits as {@code int} constants for code that works on
 * the wire mask itself.
 */
public enum Capability {
  /** Responses may arrive in a different order than the requests. */
  OOO_REPLIES(Capabilities.OOO_REPLIES),
  /** Several requests may be outstanding at once. */
  PIPELINING(Capabilities.PIPELINING),
  /** Reserved; never negotiated by this implementation. */
  COMPRESSION(Capabilities.COMPRESSION),
  /** Reserved; never negotiated by this implementation. */
  MULTIPLEXING(Capabilities.MULTIPLEXING),
  /** SEGMENTED_RESPONSE messages (mode '4'). */
  SEGMENTED(Capabilities.SEGMENTED);

  private static final Capability[] ALL = values();

  private final int bit;

  Capability(int bit) {
    this.bit = bit;
  }

  /** This capability's bit in the u16 capability mask. */
  public int bit() {
    return bit;
  }

  /** True if this implementation can negotiate it (see {@link Capabilities#SUPPORTED}). */
  public boolean supported() {
    return (Capabilities.SUPPORTED & bit) != 0;
  }

  /** The wire mask of {@code capabilities}: the OR of their bits. */
  public static int mask(Collection<Capability> capabilities) {
    int mask = 0;
    for (Capability c : capabilities) {
      mask |= c.bit;
    }
    return mask;
  }

  /** The capabilities whose bits are set in {@code mask}, unmodifiable; unknown bits are ignored. */
  public static Set<Capability> of(int mask) {
    EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
    for (Capability c : ALL) {
      if ((mask & c.bit) != 0) {
        set.add(c);
      }
    }
    return Collections.unmodifiableSet(set);
  }
}
