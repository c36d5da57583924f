package io.objmapper.server;

import io.objmapper.ErrorCode;
import io.objmapper.ObjMapperException;

/**
 * What the server asks of the storage behind it. {@link StoreHandler} serves an
 * {@link io.objmapper.ObjMapper} store; {@link DirectoryHandler} serves a plain directory.
 *
 * <p>Errors are reported with {@link ObjMapperException}s (the wire status named as their
 * {@link ErrorCode} is answered) or {@link io.objmapper.spi.InvalidObjectNameException} (INVALID_REQUEST); any other
 * exception is answered with INTERNAL_ERROR.
 */
public interface RequestHandler {
  /**
   * Acquires the object named {@code uri} (already checked by
   * {@link io.objmapper.spi.ObjectNames}) for reading.
   *
   * @throws io.objmapper.ObjectNotFoundException if there is no such object
   */
  ServedObject acquire(String uri);

  /**
   * True if {@link #acquire} may block for a while (a cold object on a slow tier). When
   * out-of-order replies were negotiated such requests are served by backend workers so
   * they do not hold back fast ones. Must be cheap and must not block.
   */
  default boolean mayBlock(String uri) {
    return false;
  }

  /**
   * C-compatible write mode: the object named {@code uri}, created empty if missing, open
   * for reading and writing.
   */
  default ServedObject acquireWritable(String uri) {
    throw new ObjMapperException(ErrorCode.UNSUPPORTED_OP, "this server does not create objects");
  }

  /**
   * True if {@link #acquireWritable} may block for a while (it creates the object): such
   * requests are served by backend workers, the others on the connection's I/O thread. Must
   * be cheap and must not block.
   */
  default boolean mayBlockWritable(String uri) {
    return false;
  }

  /**
   * C-compatible write mode: deletes the object.
   *
   * @throws io.objmapper.ObjectNotFoundException if there is no such object
   */
  default void delete(String uri) {
    throw new ObjMapperException(ErrorCode.UNSUPPORTED_OP, "this server does not delete objects");
  }
}
