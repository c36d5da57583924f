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
  /**
   * Extension: the client promises positional reads only ({@code pread}, {@code mmap},
   * {@code sendfile} with an offset) on passed descriptors, and may be given the cached
   * open file description other such clients hold, instead of one of its own. Granted only
   * to peers the server trusts with it; C peers never set it.
   */
  public static final int SHARED_FD = 0x0100;

  /**
   * Extension: the client may send the write modes {@code '5'} PUT, {@code '6'} COMMIT,
   * {@code '7'} ABORT and {@code '8'} DELETE. Granted to any peer asking; whether a peer may
   * write is decided per request (PERMISSION_DENIED otherwise).
   */
  public static final int WRITE = 0x0200;

  /**
   * Extension: the client may send the read-only modes {@code '9'} STAT and {@code ':'} LIST
   * (metadata of one object; the objects under a prefix), answered with a body of listing
   * lines. Granted to any peer asking.
   */
  public static final int INSPECT = 0x0400;

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
    if (has(mask, SHARED_FD)) {
      j.add("SHARED_FD");
    }
    if (has(mask, WRITE)) {
      j.add("WRITE");
    }
    if (has(mask, INSPECT)) {
      j.add("INSPECT");
    }
    int rest = mask & ~(OOO_REPLIES | PIPELINING | COMPRESSION | MULTIPLEXING | SEGMENTED | SHARED_FD | WRITE | INSPECT);
    if (rest != 0) {
      j.add(String.format("0x%04x", rest));
    }
    return j.length() == 0 ? "none" : j.toString();
  }
}
