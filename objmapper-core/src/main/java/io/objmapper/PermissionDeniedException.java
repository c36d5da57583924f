package io.objmapper;

/**
 * The peer may not do what it asked (PERMISSION_DENIED on the wire): a write by a peer the
 * server does not list as a writer. The message says which setting would allow it.
 */
public class PermissionDeniedException extends ObjMapperException {
  private static final long serialVersionUID = 1L;

  public PermissionDeniedException(String message) {
    super(ErrorCode.PERMISSION_DENIED, message);
  }
}
