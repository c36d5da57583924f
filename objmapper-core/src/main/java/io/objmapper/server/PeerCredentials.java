package io.objmapper.server;

import java.net.SocketAddress;

/**
 * Who is on the other end of a connection. For Unix sockets the kernel's peer
 * credentials; for TCP the ids are -1 and {@link #remoteAddress()} is set.
 *
 * @param pid peer process id, or -1
 * @param uid peer user id, or -1
 * @param gid peer group id, or -1
 * @param remoteAddress the TCP peer address, or {@code null} for Unix sockets
 */
public record PeerCredentials(long pid, long uid, long gid, SocketAddress remoteAddress) {
  public boolean isUnix() {
    return remoteAddress == null;
  }
}
