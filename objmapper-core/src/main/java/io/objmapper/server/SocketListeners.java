package io.objmapper.server;

import io.objmapper.internal.log.LogText;
import io.objmapper.internal.log.WarnLimiter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.newsclub.net.unix.AFUNIXSelectorProvider;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Unix socket and TCP listeners of an {@link ObjectServer}: binds them with their I/O
 * loops, runs one accept thread each, and admits an accepted connection (the allow lists of
 * {@link PeerAccess}, the authorizer, then the transport's {@link ConnectionLimits}) to one of
 * the transport's loops in turn. A refused connection is closed before anything is read from
 * it, counted by {@link Refusal} and logged (at most a few lines a second per peer).
 */
final class SocketListeners {
  private static final Logger log = LoggerFactory.getLogger(ObjectServer.class);

  private final ObjectServer server;
  private final Path unixSocket;
  private final InetSocketAddress tcp;
  private final Set<PosixFilePermission> socketPermissions;
  private final PeerAuthorizer authorizer;
  private final PeerAccess access;
  private final int ioThreads;
  private final long sweepMillis;
  private final long spinNanos;
  private final ConnectionLimits unixLimits;
  private final ConnectionLimits tcpLimits;
  private final LongAdder[] refused = new LongAdder[Refusal.values().length];
  private final WarnLimiter refusalWarnings = WarnLimiter.perSecond();
  private final List<Thread> acceptors = new ArrayList<>();
  private final List<IoLoop> unixLoops = new ArrayList<>();
  private final List<IoLoop> tcpLoops = new ArrayList<>();
  private int nextUnixLoop;
  private int nextTcpLoop;
  private AFUNIXServerSocketChannel unixChannel;
  private ServerSocketChannel tcpChannel;
  private InetSocketAddress tcpBound;

  SocketListeners(ObjectServer server, Path unixSocket, InetSocketAddress tcp, Set<PosixFilePermission> socketPermissions,
      PeerAuthorizer authorizer, PeerAccess access, int ioThreads, long sweepMillis, long spinNanos, int maxConnections,
      int maxConnectionsPerPeer) {
    this.server = server;
    this.unixSocket = unixSocket;
    this.tcp = tcp;
    this.socketPermissions = socketPermissions;
    this.authorizer = authorizer;
    this.access = access;
    for (int i = 0; i < refused.length; i++) {
      refused[i] = new LongAdder();
    }
    this.ioThreads = ioThreads;
    this.sweepMillis = sweepMillis;
    this.spinNanos = spinNanos;
    this.unixLimits = new ConnectionLimits(maxConnections, maxConnectionsPerPeer);
    this.tcpLimits = new ConnectionLimits(maxConnections, maxConnectionsPerPeer);
  }

  /** Opens the I/O loops (not yet started) and binds the configured listeners. */
  void bind() throws IOException {
    if (unixSocket != null) {
      for (int i = 0; i < ioThreads; i++) {
        unixLoops.add(new IoLoop(server, AFUNIXSelectorProvider.provider().openSelector(), true,
            "objmapper-io-unix-" + (i + 1), sweepMillis, spinNanos));
      }
      removeStaleSocket(unixSocket);
      unixChannel = AFUNIXServerSocketChannel.open();
      unixChannel.bind(AFUNIXSocketAddress.of(unixSocket), 1024);
      Files.setPosixFilePermissions(unixSocket, socketPermissions);
    }
    if (tcp != null) {
      for (int i = 0; i < ioThreads; i++) {
        tcpLoops.add(new IoLoop(server, Selector.open(), false, "objmapper-io-tcp-" + (i + 1), sweepMillis,
            spinNanos));
      }
      tcpChannel = ServerSocketChannel.open();
      tcpChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      tcpChannel.bind(tcp, 1024);
      tcpBound = (InetSocketAddress) tcpChannel.getLocalAddress();
    }
  }

  void startLoops() {
    for (IoLoop l : unixLoops) {
      l.thread.start();
    }
    for (IoLoop l : tcpLoops) {
      l.thread.start();
    }
  }

  void startAcceptors() {
    if (unixChannel != null) {
      startAcceptor("objmapper-accept-unix", this::acceptUnix);
    }
    if (tcpChannel != null) {
      startAcceptor("objmapper-accept-tcp", this::acceptTcp);
    }
  }

  /** The bound TCP address, or {@code null}. */
  InetSocketAddress tcpBound() {
    return tcpBound;
  }

  /** Connections closed at once for {@code why}. */
  long refusedCount(Refusal why) {
    return refused[why.ordinal()].sum();
  }

  /** Every I/O loop, Unix socket's first. */
  List<IoLoop> loops() {
    List<IoLoop> loops = new ArrayList<>(unixLoops);
    loops.addAll(tcpLoops);
    return loops;
  }

  /** Gives back the limit counts of a connection that closed. */
  void release(Connection c) {
    (c.unix != null ? unixLimits : tcpLimits).release(c.peerKey);
  }

  /** Stops accepting: closes both listening channels. */
  void closeChannels() {
    ObjectServer.closeQuietly(unixChannel);
    ObjectServer.closeQuietly(tcpChannel);
  }

  /** Waits for the accept threads to end (after {@link #closeChannels}). */
  void joinAcceptors() {
    for (Thread t : acceptors) {
      ObjectServer.join(t);
    }
  }

  /** Removes the socket file, if this server bound it. */
  void removeSocketFile() {
    if (unixSocket != null && unixChannel != null) {
      try {
        Files.deleteIfExists(unixSocket);
      } catch (IOException e) {
        log.warn("could not remove {}: {}", unixSocket, e.toString());
      }
    }
  }

  /**
   * Checks, without listening, what {@link #bind} would find in its way: a file that is no
   * socket, or a server listening, at the Unix socket path; a TCP port in use. A stale socket
   * file is left for {@link #bind} to replace.
   */
  void check() throws IOException {
    check(unixSocket, tcp);
  }

  /** As {@link #check()}, for addresses not yet given to a server. */
  static void check(Path unixSocket, InetSocketAddress tcp) throws IOException {
    if (unixSocket != null) {
      staleSocket(unixSocket); // a stale one is replaced at start
    }
    if (tcp != null && tcp.getPort() != 0) {
      try (ServerSocketChannel probe = ServerSocketChannel.open()) {
        probe.bind(tcp);
      } catch (IOException e) {
        throw new IOException("cannot listen on tcp:" + ObjectServer.hostPort(tcp) + ": " + e.getMessage(), e);
      }
    }
  }

  private static void removeStaleSocket(Path path) throws IOException {
    if (staleSocket(path)) {
      Files.deleteIfExists(path); // nobody listens: a leftover of a process that died
    }
  }

  /**
   * True if {@code path} is a socket file nobody listens on (left by a process that died),
   * false if there is nothing there.
   *
   * @throws IOException if it is another kind of file, or a server listens on it
   */
  private static boolean staleSocket(Path path) throws IOException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return false;
    }
    if (!attrs.isOther()) {
      throw new IOException(path + " exists and is not a socket");
    }
    try (AFUNIXSocketChannel probe = AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(path))) {
      throw new IOException("a server is already listening on " + path);
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  private void startAcceptor(String name, Runnable loop) {
    Thread t = new Thread(loop, name);
    t.setDaemon(true);
    acceptors.add(t);
    t.start();
  }

  private void acceptUnix() {
    while (!server.shuttingDown) {
      AFUNIXSocketChannel ch;
      try {
        ch = unixChannel.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (server.shuttingDown) {
          return;
        }
        acceptFailed(unixSocket, e);
        continue;
      }
      PeerCredentials peer;
      try {
        AFUNIXSocketCredentials c = ch.getPeerCredentials();
        peer = new PeerCredentials(c.getPid(), c.getUid(), c.getGid(), null);
      } catch (IOException e) {
        peer = new PeerCredentials(-1, -1, -1, null);
      }
      try {
        if (!access.admitsUnix(peer)) {
          refuse(ch, Refusal.UNIX_PEER, peer, peer.uid());
          continue;
        }
        admit(ch, ch, peer, peer.uid(), unixLimits, unixLoops.get(nextUnixLoop++ % unixLoops.size()));
      } catch (RuntimeException e) {
        ServerWarnings.warn(log, peer.uid(), peer, "admitting a connection failed; closing it", e);
        ObjectServer.closeQuietly(ch);
      } catch (Error e) {
        // The accept loop cannot go on: stop listening, so clients fail at once instead of
        // waiting for an answer no one will give.
        log.error("the accept loop on {} failed; no longer listening", unixSocket, e);
        ObjectServer.closeQuietly(ch);
        ObjectServer.closeQuietly(unixChannel);
        throw e;
      }
    }
  }

  private void acceptTcp() {
    while (!server.shuttingDown) {
      SocketChannel ch;
      try {
        ch = tcpChannel.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (server.shuttingDown) {
          return;
        }
        acceptFailed(tcpBound, e);
        continue;
      }
      try {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      } catch (IOException e) {
        log.debug("TCP_NODELAY failed on an accepted connection: {}", e.toString());
        ObjectServer.closeQuietly(ch);
        continue;
      }
      SocketAddress remote;
      try {
        remote = ch.getRemoteAddress();
      } catch (IOException e) {
        remote = tcpBound;
      }
      Object peerKey = remote instanceof InetSocketAddress ? ((InetSocketAddress) remote).getAddress() : remote;
      PeerCredentials peer = new PeerCredentials(-1, -1, -1, remote);
      try {
        if (!access.admitsTcp(peerKey instanceof java.net.InetAddress a ? a : null)) {
          refuse(ch, Refusal.TCP_SOURCE, peer, peerKey);
          continue;
        }
        admit(ch, null, peer, peerKey, tcpLimits,
            tcpLoops.get(nextTcpLoop++ % tcpLoops.size()));
      } catch (RuntimeException e) {
        ServerWarnings.warn(log, peerKey, remote, "admitting a connection failed; closing it", e);
        ObjectServer.closeQuietly(ch);
      } catch (Error e) {
        log.error("the accept loop on {} failed; no longer listening", tcpBound, e);
        ObjectServer.closeQuietly(ch);
        ObjectServer.closeQuietly(tcpChannel);
        throw e;
      }
    }
  }

  /**
   * An accept that failed, most often for want of descriptors (EMFILE): the pending
   * connection stays in the backlog, so wait a little instead of spinning on it.
   */
  private void acceptFailed(Object where, IOException e) {
    ServerWarnings.warn(log, where, where, "accept failed", e); // a flood of connections (EMFILE)
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
  }

  /** Closes a connection of a peer not admitted (nothing was read from it), counts and logs it. */
  private void refuse(SocketChannel ch, Refusal why, PeerCredentials peer, Object peerKey) {
    ObjectServer.closeQuietly(ch);
    refused[why.ordinal()].increment();
    long suppressed = refusalWarnings.acquire(peerKey != null ? peerKey : why);
    if (suppressed >= 0) {
      log.warn("connection refused: {}{}", PeerAccess.refusalText(why, peer), LogText.suppressed(suppressed));
    }
  }

  private void admit(SocketChannel ch, AFUNIXSocketChannel unix, PeerCredentials peer, Object peerKey, ConnectionLimits limits,
      IoLoop loop) {
    boolean allowed;
    try {
      allowed = authorizer.authorize(peer);
    } catch (RuntimeException e) {
      ServerWarnings.warn(log, peerKey, peer, "authorizer failed; refusing the connection", e);
      allowed = false;
    }
    if (!allowed) {
      refuse(ch, Refusal.AUTHORIZER, peer, peerKey);
      return;
    }
    if (server.shuttingDown) {
      ObjectServer.closeQuietly(ch);
      return;
    }
    String over = limits.acquire(peerKey);
    if (over != null) {
      refused[Refusal.LIMIT.ordinal()].increment();
      log.debug("connection from {} refused: {}", peer, over);
      ObjectServer.closeQuietly(ch);
      return;
    }
    Connection c = new Connection(server, loop, ch, unix, peer, peerKey);
    server.connections.add(c);
    loop.add(c);
  }
}
