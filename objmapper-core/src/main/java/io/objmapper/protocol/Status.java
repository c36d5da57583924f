package io.objmapper.protocol;

/** Response status codes (one byte on the wire). */
public enum Status {
  OK(0x00),
  NOT_FOUND(0x01),
  INVALID_REQUEST(0x02),
  INVALID_MODE(0x03),
  URI_TOO_LONG(0x04),
  UNSUPPORTED_OP(0x05),
  /** Extension: the peer may not do this (a write by a peer not listed as a writer). */
  PERMISSION_DENIED(0x06),
  INTERNAL_ERROR(0x10),
  STORAGE_ERROR(0x11),
  OUT_OF_MEMORY(0x12),
  TIMEOUT(0x13),
  UNAVAILABLE(0x14),
  PROTOCOL_ERROR(0x20),
  VERSION_MISMATCH(0x21),
  CAPABILITY_ERROR(0x22);

  private static final Status[] BY_CODE = new Status[256];

  static {
    for (Status s : values()) {
      BY_CODE[s.code] = s;
    }
  }

  private final int code;

  Status(int code) {
    this.code = code;
  }

  /** The wire byte. */
  public int code() {
    return code;
  }

  /** The status with this wire byte, or {@code null} if the code is not one we know. */
  public static Status of(int code) {
    return code >= 0 && code < 256 ? BY_CODE[code] : null;
  }

  /** A readable name for any code, known or not ({@code 0x3f} for an unknown one). */
  public static String nameOf(int code) {
    Status s = of(code);
    return s != null ? s.name() : String.format("0x%02x", code);
  }
}
