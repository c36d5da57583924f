package io.objmapper.protocol;

/** Per-request flags of a V2 REQUEST (one byte). */
public final class RequestFlags {
  /** The response must not overtake the responses to earlier requests. */
  public static final int ORDERED = 0x01;
  /** A hint that the request is urgent. */
  public static final int PRIORITY = 0x02;

  private RequestFlags() {}
}
