package io.objmapper.server;

import java.io.FileDescriptor;
import java.nio.channels.FileChannel;

/**
 * One reference to an open object, handed to the server by a {@link RequestHandler}. The
 * server sends its descriptor or streams its channel, then calls {@link #release()}
 * exactly once. Implementations may share one instance among many holders (a reference
 * count), so a server path allocates nothing per request.
 */
public interface ServedObject {
  /** The open descriptor to pass (read-only unless the handler created the object writable). */
  FileDescriptor descriptor();

  /** A channel on the same file, for streaming its content (positional reads only). */
  FileChannel channel();

  /** Size in bytes when acquired. */
  long size();

  /** Modification time, Unix seconds. */
  long mtimeSeconds();

  /** Id of the tier that serves it (its position in the configuration), or -1 if none. */
  int tierId();

  /** Gives the reference back. */
  void release();
}
