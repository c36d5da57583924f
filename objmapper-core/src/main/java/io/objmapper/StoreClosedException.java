package io.objmapper;

/**
 * The store was closed: no read or write is served any more (UNAVAILABLE on the wire, as a
 * server that is shutting down answers). Opening the store again is the only way on.
 */
public class StoreClosedException extends ObjMapperException {
  private static final long serialVersionUID = 1L;

  public StoreClosedException() {
    super(ErrorCode.UNAVAILABLE, "the store is closed");
  }
}
