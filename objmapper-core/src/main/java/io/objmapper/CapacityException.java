package io.objmapper;


/** An object fits on no tier that may take it (STORAGE_ERROR on the wire). */
public class CapacityException extends StorageException {
  private static final long serialVersionUID = 1L;

  public CapacityException(String message) {
    super(message, null);
  }
}
