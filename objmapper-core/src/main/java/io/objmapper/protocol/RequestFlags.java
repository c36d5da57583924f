package io.objmapper.protocol;

/**
 * The bits of {@link RequestFlag} as {@code int} constants, for code that works on the flag
 * byte of a V2 REQUEST itself (decoder, encoder, server). APIs take {@link RequestFlag}s.
 */
public final class RequestFlags {
  /** The response must not overtake the responses to earlier requests. */
  public static final int ORDERED = 0x01;
  /** A hint that the request is urgent. */
  public static final int PRIORITY = 0x02;
  /** Extension, PUT ({@code '5'}) only: the new object is EPHEMERAL (a volatile tier, never persisted). */
  public static final int PUT_EPHEMERAL = 0x04;
  /** Extension, PUT ({@code '5'}) only: the new object is PINNED (never moved by lifecycle rounds). */
  public static final int PUT_PINNED = 0x08;

  private RequestFlags() {}
}
