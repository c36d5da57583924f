package io.objmapper;

import io.objmapper.protocol.Status;

/**
 * Base of objmapper's typed exceptions. Each carries the wire {@link Status} a server
 * answers with when the exception ends a request, so a client sees the same type again.
 */
public class ObjMapperException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status status;

  public ObjMapperException(Status status, String message) {
    this(status, message, null);
  }

  public ObjMapperException(Status status, String message, Throwable cause) {
    super(message, cause);
    if (status == null || status == Status.OK) {
      throw new IllegalArgumentException("an exception needs an error status");
    }
    this.status = status;
  }

  /** The status this error has on the wire. */
  public Status status() {
    return status;
  }

  /**
   * The typed exception for an error status received from a server: NOT_FOUND becomes
   * {@link ObjectNotFoundException}, STORAGE_ERROR {@link StorageException}, anything else
   * an {@code ObjMapperException} with that status. An unknown status code is reported as
   * INTERNAL_ERROR, with the code in the message.
   */
  public static ObjMapperException forStatus(int code, String message) {
    Status status = Status.of(code);
    String text = message == null || message.isEmpty() ? Status.nameOf(code) : message;
    if (status == null || status == Status.OK) {
      return new ObjMapperException(Status.INTERNAL_ERROR, "unknown status " + Status.nameOf(code) + ": " + text);
    }
    switch (status) {
      case NOT_FOUND:
        return new ObjectNotFoundException(text);
      case STORAGE_ERROR:
        return new StorageException(text, null);
      default:
        return new ObjMapperException(status, text);
    }
  }
}
