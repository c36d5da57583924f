package io.objmapper.protocol;

/** Reasons carried by a CLOSE message. */
public final class CloseReason {
  public static final int NORMAL = 0;
  public static final int IDLE_TIMEOUT = 1;
  public static final int PROTOCOL_ERROR = 2;
  public static final int SHUTTING_DOWN = 3;

  private CloseReason() {}
}
