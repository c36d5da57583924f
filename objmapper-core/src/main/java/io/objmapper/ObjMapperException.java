package io.objmapper;

/**
 * Base of objmapper's typed exceptions. Each carries the {@link ErrorCode} of its failure;
 * a server answers with the wire status of that name when the exception ends a request, so
 * a client sees the same type and code again.
 */
public class ObjMapperException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  public ObjMapperException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ObjMapperException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    if (code == null) {
      throw new IllegalArgumentException("an exception needs an error code");
    }
    this.code = code;
  }

  /** What kind of failure this is (the status it has on the wire has the same name). */
  public ErrorCode code() {
    return code;
  }

  /**
   * The typed exception for {@code code}: NOT_FOUND becomes {@link ObjectNotFoundException},
   * STORAGE_ERROR {@link StorageException}, anything else an {@code ObjMapperException} with
   * that code.
   */
  public static ObjMapperException of(ErrorCode code, String message) {
    switch (code) {
      case NOT_FOUND:
        return new ObjectNotFoundException(message);
      case STORAGE_ERROR:
        return new StorageException(message, null);
      case PERMISSION_DENIED:
        return new PermissionDeniedException(message);
      default:
        return new ObjMapperException(code, message);
    }
  }
}
