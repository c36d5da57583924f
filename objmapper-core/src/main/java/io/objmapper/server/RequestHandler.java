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

  /**
   * Write extension (mode {@code '5'} PUT): starts an atomic put of {@code uri} (already
   * checked by {@link io.objmapper.spi.ObjectNames}) into a fresh temporary file. Blocking;
   * the server calls it on a worker.
   *
   * @param objectFlags the new object's flags ({@code ObjectFlag} bits: EPHEMERAL 0x01, PINNED 0x02)
   */
  default PendingPut beginPut(String uri, int objectFlags) {
    throw new ObjMapperException(ErrorCode.UNSUPPORTED_OP, "this server does not take puts");
  }

  /** A put the client is writing: a temporary file beneath a tier's root. */
  interface PendingPut {
    /**
     * A new writable description of the temporary file for one answer (the server passes
     * its descriptor, then releases it).
     */
    ServedObject writer();

    /**
     * Syncs and publishes the file atomically (blocking).
     *
     * @throws io.objmapper.CapacityException if it does not fit (the file is removed)
     */
    Published commit();

    /** Removes the temporary file unless published; idempotent (blocking). */
    void abort();
  }

  /**
   * What a commit published.
   *
   * @param size bytes
   * @param mtimeSeconds modification time, Unix seconds
   * @param tierId the tier that holds it, or -1
   */
  record Published(long size, long mtimeSeconds, int tierId) {}

  /**
   * The names of the tiers, in id order (the ids answers carry), told to clients in the TIERS
   * TLV of STAT, LIST and COMMIT answers; empty (the default) for a handler without tiers. Each
   * name non-empty, without a line feed, valid UTF-8 (the server refuses to build otherwise);
   * a TLV of more than {@value ObjectServer#TIERS_TLV_BUDGET} bytes is left out of the answers
   * (clients then show tier ids).
   */
  default java.util.List<String> tierNames() {
    return java.util.List.of();
  }

  /**
   * Extension (mode {@code '9'} STAT): what the storage knows of the object {@code uri}
   * (already checked), without opening it; empty if there is none. Blocking; called on a worker.
   */
  default java.util.Optional<io.objmapper.ObjectInfo> stat(String uri) {
    throw new ObjMapperException(ErrorCode.UNSUPPORTED_OP, "this server does not answer STAT");
  }

  /**
   * Extension (mode {@code ':'} LIST): the objects whose names start with {@code prefix},
   * sorted by name. Blocking; called on a worker.
   */
  default java.util.List<io.objmapper.ObjectInfo> list(String prefix) {
    throw new ObjMapperException(ErrorCode.UNSUPPORTED_OP, "this server does not answer LIST");
  }
}
