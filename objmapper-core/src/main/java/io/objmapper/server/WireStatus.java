package io.objmapper.server;

import io.objmapper.ErrorCode;
import io.objmapper.protocol.Status;

/** The wire status a server answers an {@link ErrorCode} with: the status of the same name. */
final class WireStatus {
  private static final Status[] BY_CODE = new Status[ErrorCode.values().length];

  static {
    for (ErrorCode c : ErrorCode.values()) {
      BY_CODE[c.ordinal()] = Status.valueOf(c.name());
    }
  }

  private WireStatus() {}

  static Status of(ErrorCode code) {
    return BY_CODE[code.ordinal()];
  }
}
