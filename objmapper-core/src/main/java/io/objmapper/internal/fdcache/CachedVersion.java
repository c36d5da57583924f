package io.objmapper.internal.fdcache;

import java.io.FileDescriptor;
import java.nio.channels.FileChannel;

/**
 * One open version of an object as a server hands it out: the cache's shared {@link
 * OpenFile} or an answer's own {@link PrivateFile}. Public only for {@code io.objmapper.server},
 * which adapts both the one way.
 */
public interface CachedVersion {
  /**
   * The descriptor to pass.
   *
   * @throws java.io.UncheckedIOException if it cannot be had (released, or the open failed)
   */
  FileDescriptor descriptor();

  /** A channel for the server's own positional reads. */
  FileChannel channel();

  /** The version's size, as the cache validated it. */
  long size();

  /** The version's modification time, Unix seconds. */
  long mtimeSeconds();

  /** Id of the tier the version is on. */
  int tierId();

  /** Gives the holder's reference back (a private description is closed). */
  void release();
}
