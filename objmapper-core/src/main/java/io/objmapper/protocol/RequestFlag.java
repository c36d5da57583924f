package io.objmapper.protocol;

import java.util.Collection;

/**
 * A per-request flag of a V2 REQUEST, with its bit in the request's flag byte (PROTOCOL.md).
 * {@link RequestFlags} holds the same bits as {@code int} constants for code that works on the
 * byte itself.
 */
public enum RequestFlag {
  /** The response must not overtake the responses to earlier requests. */
  ORDERED(RequestFlags.ORDERED),
  /** A hint that the request is urgent. */
  PRIORITY(RequestFlags.PRIORITY);

  private final int bit;

  RequestFlag(int bit) {
    this.bit = bit;
  }

  /** This flag's bit in the request's flag byte. */
  public int bit() {
    return bit;
  }

  /** The flag byte of {@code flags}: the OR of their bits. */
  public static int mask(Collection<RequestFlag> flags) {
    int mask = 0;
    for (RequestFlag f : flags) {
      mask |= f.bit;
    }
    return mask;
  }
}
