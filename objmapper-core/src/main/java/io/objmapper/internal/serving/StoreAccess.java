package io.objmapper.internal.serving;

import io.objmapper.internal.config.ObjMapperConfig;
import io.objmapper.internal.fdcache.OpenFile;
import java.io.FileInputStream;

/**
 * What a server needs of a store built by {@code ObjMapper.builder()}, beyond its public
 * API: the store's shared, reference-counted descriptors (a cached one costs no allocation),
 * the C server's write mode, and the configuration file the store was built from. The store
 * implements it; {@code io.objmapper.server.ObjectServer.builder(ObjMapper)} adapts it to the
 * server's {@code RequestHandler}. Public only because the server is in another package.
 */
public interface StoreAccess {
  /**
   * The shared descriptor of the object {@code uri} with one reference taken for the caller
   * (give it back with {@link OpenFile#release()}).
   *
   * @throws io.objmapper.ObjectNotFoundException if there is no such object
   */
  OpenFile acquire(String uri);

  /** True if {@link #acquire} may block for a while (the descriptor is not cached). Cheap, never blocks. */
  boolean mayBlock(String uri);

  /**
   * The C server's write mode: the object {@code uri}, created empty if missing, open for
   * reading and writing (owned by the caller).
   */
  WritableFile openWritable(String uri);

  /**
   * True if {@link #openWritable} may block for a while (it would create the object, or move
   * a cached copy first); false if it is one open of an indexed file. Cheap, never blocks.
   */
  default boolean mayBlockWritable(String uri) {
    return true;
  }

  /** Deletes the object {@code uri}; false if there was none. */
  boolean delete(String uri);

  /** The configuration file the store was built from, or null if it was built in code. */
  ObjMapperConfig config();

  /**
   * A file opened for reading and writing: {@code stream} holds the read-write descriptor
   * (closing it closes the descriptor).
   *
   * @param size its size when opened
   * @param mtimeSeconds its modification time, Unix seconds
   * @param tierId the tier that holds it
   */
  record WritableFile(FileInputStream stream, long size, long mtimeSeconds, int tierId) {}
}
