package io.objmapper.protocol;

import java.io.IOException;

/**
 * Malformed or unacceptable bytes. Carries the {@link Status} to answer with.
 *
 * <p>If {@link #recoverable()} the offending frame's header has been consumed and the
 * connection can go on once {@link #skipBytes()} more bytes (the rest of the frame) have
 * been discarded; {@link #requestId()} is then the request to answer. Otherwise framing is
 * lost: answer if possible, then close the connection. The buffer's position after a
 * non-recoverable error is unspecified.
 */
public class ProtocolException extends IOException {
  private static final long serialVersionUID = 1L;

  /** {@link #requestId()} when the frame had none (V1) or it could not be read. */
  public static final long NO_REQUEST_ID = -1;

  private final Status status;
  private final long requestId;
  private final boolean recoverable;
  private final int skipBytes;

  public ProtocolException(Status status, String message) {
    this(status, message, NO_REQUEST_ID, false, 0);
  }

  public ProtocolException(Status status, String message, long requestId, boolean recoverable, int skipBytes) {
    super(message);
    this.status = status;
    this.requestId = requestId;
    this.recoverable = recoverable;
    this.skipBytes = skipBytes;
  }

  /** The status to answer with. */
  public Status status() {
    return status;
  }

  /** The request this error answers, or {@link #NO_REQUEST_ID}. */
  public long requestId() {
    return requestId;
  }

  /** True if the connection can continue after discarding {@link #skipBytes()} bytes. */
  public boolean recoverable() {
    return recoverable;
  }

  /** Bytes of the offending frame still to discard (only meaningful if recoverable). */
  public int skipBytes() {
    return skipBytes;
  }
}
