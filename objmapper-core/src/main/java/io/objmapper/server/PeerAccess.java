package io.objmapper.server;

import io.objmapper.internal.net.AddressRange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Who may connect and who may write, decided on what the kernel says of a peer: its
 * credentials on the Unix socket ({@code SO_PEERCRED}), its source address on TCP. Decided
 * once per connection when it is accepted (admission) or once per write (the writer list);
 * never on the read path.
 */
final class PeerAccess {
  /** Unix peers admitted by uid; with {@link #allowGids}, both empty admit every peer. */
  private final long[] allowUids;
  private final long[] allowGids;
  /** TCP sources admitted; empty admits every source (only allowed on a loopback listener). */
  final List<AddressRange> tcpAllow;
  private final long[] writerUids;
  private final long[] writerGids;

  PeerAccess(long[] allowUids, long[] allowGids, List<AddressRange> tcpAllow, long[] writerUids, long[] writerGids) {
    this.allowUids = allowUids.clone();
    this.allowGids = allowGids.clone();
    this.tcpAllow = List.copyOf(tcpAllow);
    this.writerUids = writerUids.clone();
    this.writerGids = writerGids.clone();
  }

  /**
   * Whether a Unix peer may connect: every peer if neither list is set, else one whose uid is
   * in {@code allow_uids} or whose gid is in {@code allow_gids}. A peer whose credentials could
   * not be read (ids -1) matches no list.
   */
  boolean admitsUnix(PeerCredentials peer) {
    if (allowUids.length == 0 && allowGids.length == 0) {
      return true;
    }
    return listed(allowUids, peer.uid()) || listed(allowGids, peer.gid());
  }

  /** Whether a TCP source may connect: any if {@code tcp_allow} is empty, else one in a range of it. */
  boolean admitsTcp(InetAddress source) {
    return tcpAllow.isEmpty() || (source != null && AddressRange.anyContains(tcpAllow, source));
  }

  /** Whether a peer may create, overwrite or delete objects: a Unix peer on the writer list. */
  boolean mayWrite(PeerCredentials peer) {
    return peer.isUnix() && (listed(writerUids, peer.uid()) || listed(writerGids, peer.gid()));
  }

  /** Why {@code peer} may not {@code what} (e.g. "create /a"), naming the keys that would let it. */
  static String notAWriter(PeerCredentials peer, String what) {
    if (!peer.isUnix()) {
      return "cannot " + what + ": peers over TCP or UDP never write; connect over the Unix socket as a writer"
          + " (server.writer_uids / --writer-uids)";
    }
    return "cannot " + what + ": uid " + peer.uid() + " (gid " + peer.gid() + ") is not a writer; allow it with"
        + " server.writer_uids or server.writer_gids (serve --writer-uids / --writer-gids)";
  }

  /** The log text of a refusal: who, and which key would have let it in. */
  static String refusalText(Refusal why, PeerCredentials peer) {
    switch (why) {
      case UNIX_PEER:
        return "unix peer uid " + peer.uid() + " gid " + peer.gid() + " pid " + peer.pid()
            + " is in neither server.allow_uids nor server.allow_gids";
      case TCP_SOURCE:
        return "tcp peer " + peer.remoteAddress() + " is in no range of server.tcp_allow";
      case AUTHORIZER:
        return "peer " + peer + " refused by the server's authorizer";
      default:
        return "peer " + peer + " over a connection limit";
    }
  }

  /**
   * Refuses a TCP listener that other hosts could reach but no allow list guards.
   *
   * @throws IllegalStateException naming {@code server.tcp_allow} if {@code tcp} is not a
   *     loopback address and {@code tcpAllow} is empty
   */
  static void checkTcpListener(InetSocketAddress tcp, List<AddressRange> tcpAllow) {
    if (tcp == null || !tcpAllow.isEmpty()) {
      return;
    }
    InetAddress a = tcp.getAddress();
    if (a != null && a.isLoopbackAddress()) {
      return;
    }
    throw new IllegalStateException("the TCP listener " + ObjectServer.hostPort(tcp)
        + " is not on a loopback address and has no allow list: set server.tcp_allow (serve --tcp-allow)"
        + " to the CIDR ranges that may connect, e.g. 10.0.0.0/8 (0.0.0.0/0,::/0 for any host), or listen on 127.0.0.1");
  }

  private static boolean listed(long[] ids, long id) {
    if (id < 0) {
      return false;
    }
    for (long x : ids) {
      if (x == id) {
        return true;
      }
    }
    return false;
  }
}
