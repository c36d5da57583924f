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
  SEGMENTED('4'),
  /**
   * Extension (V2, WRITE capability): starts an atomic put; the answer passes a writable
   * descriptor to a fresh temporary file (content_len 0).
   */
  PUT('5'),
  /** Extension: publishes the put of the same URI on this connection; no body, no descriptor. */
  COMMIT('6'),
  /** Extension: abandons the put of the same URI on this connection; no body, no descriptor. */
  ABORT('7'),
  /** Extension: deletes the object; no body, no descriptor. */
  DELETE('8'),
  /**
   * Extension (V2, INSPECT capability): what the store knows of one object; the body is one
   * listing line, no descriptor.
   */
  STAT('9'),
  /** Extension (V2, INSPECT capability): the objects under a prefix (the URI); the body is one line each. */
  LIST(':');

  private final int code;

  Mode(char code) {
    this.code = code;
  }

  /**
   * True for the write extension's modes ({@code '5'} .. {@code '8'}): V2 only, with the
   * WRITE capability; their answers carry no descriptor except PUT's, and never a body.
   */
  public boolean isWrite() {
    return code >= '5' && code <= '8';
  }

  /**
   * True for every extension mode ({@code '5'} .. {@code ':'}): V2 only. No answer to one
   * carries a descriptor except PUT's; only STAT's and LIST's carry a body.
   */
  public boolean isExtension() {
    return code >= '5';
  }

  /** The wire byte ({@code '1'} .. {@code ':'}). */
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
      case '5':
        return PUT;
      case '6':
        return COMMIT;
      case '7':
        return ABORT;
      case '8':
        return DELETE;
      case '9':
        return STAT;
      case ':':
        return LIST;
      default:
        return null;
    }
  }
}
