package io.objmapper.protocol;

import java.util.StringJoiner;

/**
 * The bits of {@link Capability} as {@code int} constants, for code that works on the u16
 * capability mask of HELLO / HELLO_ACK itself (the server's handshake and request path).
 * APIs take a {@code Set<Capability>}.
 */
public final class Capabilities {
  /** Responses may arrive in a different order than the requests. */
  public static final int OOO_REPLIES = 0x0001;
  /** Several requests may be outstanding at once. */
  public static final int PIPELINING = 0x0002;
  /** Reserved; never negotiated by this implementation. */
  public static final int COMPRESSION = 0x0004;
  /** Reserved; never negotiated by this implementation. */
  public static final int MULTIPLEXING = 0x0008;
  /** SEGMENTED_RESPONSE messages (mode '4'). */
  public static final int SEGMENTED = 0x0010;

  /** Everything this implementation can negotiate. */
  public static final int SUPPORTED = OOO_REPLIES | PIPELINING | SEGMENTED;

  private Capabilities() {}

  /** True if every bit of {@code cap} is set in {@code mask}. */
  public static boolean has(int mask, int cap) {
    return (mask & cap) == cap;
  }

  /** A readable form of a mask, e.g. {@code OOO_REPLIES|PIPELINING}. */
  public static String toString(int mask) {
    StringJoiner j = new StringJoiner("|");
    if (has(mask, OOO_REPLIES)) {
      j.add("OOO_REPLIES");
    }
    if (has(mask, PIPELINING)) {
      j.add("PIPELINING");
    }
    if (has(mask, COMPRESSION)) {
      j.add("COMPRESSION");
    }
    if (has(mask, MULTIPLEXING)) {
      j.add("MULTIPLEXING");
    }
    if (has(mask, SEGMENTED)) {
      j.add("SEGMENTED");
    }
    int rest = mask & ~(OOO_REPLIES | PIPELINING | COMPRESSION | MULTIPLEXING | SEGMENTED);
    if (rest != 0) {
      j.add(String.format("0x%04x", rest));
    }
    return j.length() == 0 ? "none" : j.toString();
  }
}
