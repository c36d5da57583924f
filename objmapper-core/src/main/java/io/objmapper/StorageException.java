package io.objmapper;

/** A storage tier failed to read or write (STORAGE_ERROR on the wire). */
public class StorageException extends ObjMapperException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message, Throwable cause) {
    super(ErrorCode.STORAGE_ERROR, message, cause);
  }
}
