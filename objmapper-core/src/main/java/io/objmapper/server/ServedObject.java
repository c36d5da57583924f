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
  /**
   * The open descriptor (read-only unless the handler created the object writable). The
   * server passes the descriptor of {@link #forPassing(boolean)}, not this one directly.
   */
  FileDescriptor descriptor();

  /**
   * What one answer passes: an object whose {@link #descriptor()} goes to one receiver.
   * Unless {@code shared}, that descriptor is an open file description no other receiver and
   * no reader in the server holds (offset 0, status flags of its own), of the same version
   * as this object. An implementation whose descriptor is already this answer's alone
   * returns {@code this}; one whose descriptor is shared opens a new description and returns
   * a new object, which the caller releases once the descriptor is sent (releasing it does
   * not release this one).
   *
   * <p>{@code shared} says the peer negotiated SHARED_FD (it promised positional reads only):
   * it may be given the description every such peer gets, then {@code this} is returned.
   *
   * @throws io.objmapper.ObjMapperException (a status for the wire) if no descriptor can be opened
   */
  default ServedObject forPassing(boolean shared) {
    return this;
  }

  /**
   * A channel on the same file, for streaming its content (positional reads only). Its
   * description is never passed to a peer, so no peer can change its status flags.
   */
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
