package io.objmapper.protocol;

/** Request modes: how the client wants the object delivered. One ASCII byte on the wire. */
public enum Mode {
  /** The server passes an open file descriptor (Unix sockets only). */
  FDPASS('1'),
  /** The server streams the object's bytes after the response header. */
  COPY('2'),
  /** Like FDPASS; the C implementation uses it for splice-based transfers. */
  SPLICE('3'),
  /** A SEGMENTED_RESPONSE (V2, needs the SEGMENTED capability). */
  SEGMENTED('4');

  private final int code;

  Mode(char code) {
    this.code = code;
  }

  /** The wire byte ({@code '1'} .. {@code '4'}). */
  public int code() {
    return code;
  }

  /** The mode with this wire byte, or {@code null} if it is not a mode. */
  public static Mode of(int code) {
    switch (code) {
      case '1':
        return FDPASS;
      case '2':
        return COPY;
      case '3':
        return SPLICE;
      case '4':
        return SEGMENTED;
      default:
        return null;
    }
  }
}
