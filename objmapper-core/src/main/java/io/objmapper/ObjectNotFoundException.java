package io.objmapper;

/** No object has the requested name (NOT_FOUND on the wire). */
public class ObjectNotFoundException extends ObjMapperException {
  private static final long serialVersionUID = 1L;

  public ObjectNotFoundException(String message) {
    super(ErrorCode.NOT_FOUND, message);
  }
}
