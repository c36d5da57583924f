package io.objmapper.internal.serving;

import io.objmapper.internal.config.ObjMapperConfig;
import io.objmapper.internal.fdcache.OpenFile;
import java.io.FileInputStream;
import java.io.RandomAccessFile;

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

  /**
   * Starts an atomic put of {@code uri} whose bytes a client writes through a descriptor
   * ({@link StagedPut}).
   *
   * @param flagMask the object's flags ({@code ObjectFlag} bits)
   * @throws io.objmapper.ObjMapperException (a status for the wire) if it cannot be staged
   */
  StagedPut stagePut(String uri, int flagMask);

  /** What the store knows of object {@code name}, if it has one (no file is opened). */
  java.util.Optional<io.objmapper.ObjectInfo> stat(String name);

  /** The objects whose names start with {@code prefix}, sorted by name. */
  java.util.List<io.objmapper.ObjectInfo> list(String prefix);

  /** Deletes the object {@code uri}; false if there was none. */
  boolean delete(String uri);

  /** The configuration file the store was built from, or null if it was built in code. */
  ObjMapperConfig config();

  /**
   * A put in progress: a fresh temporary file beneath a tier's root, published by
   * {@link #commit()} (synced, renamed over the name, indexed) or removed by {@link #abort()}.
   */
  interface StagedPut {
    /** A new read-write description of the temporary file for one writer (the caller closes it). */
    RandomAccessFile openWriter();

    /** The tier the object goes to. */
    int tierId();

    /**
     * Publishes the file atomically.
     *
     * @throws io.objmapper.CapacityException if it does not fit (the file is removed)
     */
    io.objmapper.ObjectInfo commit();

    /** Removes the temporary file unless committed; idempotent. */
    void abort();
  }

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
