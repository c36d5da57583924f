package io.objmapper.server;

import io.objmapper.internal.config.ServerDefaults;

import io.objmapper.protocol.Capabilities;
import io.objmapper.protocol.Capability;
import io.objmapper.protocol.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSelectorProvider;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves objects over a Unix socket (V1 and V2, descriptors passed with SCM_RIGHTS) and
 * optionally TCP (COPY only) and UDP (one V1 COPY request per datagram, see
 * {@link Builder#udp}), asking a {@link RequestHandler} for them.
 *
 * <p>Connections cost no thread. A small fixed set of I/O threads ({@link Builder#ioThreads},
 * per transport) multiplexes every connection with non-blocking I/O: they read, decode,
 * serve requests for objects that are at hand, and write answers. Only requests the handler
 * says {@link RequestHandler#mayBlock may block} go to the backend workers
 * ({@link Builder#parallelism}, with a queue of at most {@code parallelism × 1000} requests;
 * past it a request is answered UNAVAILABLE), and they never write to a socket: they hand
 * the answer to the connection's I/O thread. An answer a client does not read waits in its
 * connection's queue (at most the negotiated pipeline depth plus one), the connection reads
 * no further request meanwhile, and a client that reads nothing for
 * {@link Builder#writeTimeoutMillis} is closed. Each request that went to a worker has one
 * timeout ({@link Builder#requestTimeoutMillis}). Connections are limited in total and per
 * peer (uid on the Unix socket, address on TCP), each transport counted apart; a connection
 * over a limit is closed at once.
 *
 * <pre>{@code
 * try (ObjectServer server = ObjectServer.builder(new DirectoryHandler(dir))
 *     .unixSocket(Path.of("objmapper.sock"))
 *     .build()
 *     .start()) {
 *   ...
 * }
 * }</pre>
 */
public final class ObjectServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ObjectServer.class);

  final RequestHandler handler;
  private final Path unixSocket;
  private final InetSocketAddress tcp;
  private final InetSocketAddress udp;
  private final List<UdpServer.AddressRange> udpAllowed;
  private final int udpAnswersPerSecond;
  private UdpServer udpServer;
  private InetSocketAddress udpBound;
  private final Set<PosixFilePermission> socketPermissions;
  private final PeerAuthorizer authorizer;
  private final int maxConnections;
  private final int maxConnectionsPerPeer;
  private final int ioThreads;
  final int maxPipeline;
  final int parallelism;
  final int capabilities;
  final long idleTimeoutNanos;
  final long writeTimeoutNanos;
  final long requestTimeoutMillis;
  private final long shutdownGraceMillis;
  private final long sweepMillis;
  final boolean cCompat;
  private final long[] sharedFdUids;

  final ThreadPoolExecutor backendWorkers;
  final ScheduledExecutorService timer;
  final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  final LongAdder writeTimeouts = new LongAdder();
  /** Connections with answers waiting for their client to read (changes only when a socket fills or drains). */
  final AtomicInteger waitingForReader = new AtomicInteger();
  private final LongAdder refused = new LongAdder();
  private final Limits unixLimits;
  private final Limits tcpLimits;
  private final List<Thread> acceptors = new ArrayList<>();
  private final List<IoLoop> unixLoops = new ArrayList<>();
  private final List<IoLoop> tcpLoops = new ArrayList<>();
  private int nextUnixLoop;
  private int nextTcpLoop;
  private AFUNIXServerSocketChannel unixChannel;
  private ServerSocketChannel tcpChannel;
  private InetSocketAddress tcpBound;
  private volatile boolean started;
  volatile boolean shuttingDown;
  private boolean closed;

  private ObjectServer(Builder b) {
    this.handler = b.handler;
    this.unixSocket = b.unixSocket;
    this.tcp = b.tcp;
    this.udp = b.udp;
    this.udpAllowed = b.udpAllowed;
    this.udpAnswersPerSecond = b.udpAnswersPerSecond;
    this.socketPermissions = b.socketPermissions;
    this.authorizer = b.authorizer;
    this.maxConnections = b.maxConnections;
    this.maxConnectionsPerPeer = b.maxConnectionsPerPeer;
    this.ioThreads = b.ioThreads;
    this.maxPipeline = b.maxPipeline;
    this.parallelism = b.parallelism;
    this.capabilities = b.capabilities;
    this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(b.idleTimeoutMillis);
    this.writeTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(b.writeTimeoutMillis);
    this.requestTimeoutMillis = b.requestTimeoutMillis;
    this.shutdownGraceMillis = b.shutdownGraceMillis;
    long shortest = Long.MAX_VALUE;
    for (long t : new long[] {b.idleTimeoutMillis, b.writeTimeoutMillis}) {
      if (t > 0) {
        shortest = Math.min(shortest, t);
      }
    }
    this.sweepMillis = shortest == Long.MAX_VALUE ? 1000 : Math.max(10, Math.min(1000, shortest / 4));
    this.cCompat = b.cCompat;
    this.unixLimits = new Limits(maxConnections, maxConnectionsPerPeer);
    this.tcpLimits = new Limits(maxConnections, maxConnectionsPerPeer);
    this.sharedFdUids = b.sharedFdUids != null ? b.sharedFdUids : ownUid();
    this.backendWorkers = new ThreadPoolExecutor(b.parallelism, b.parallelism, 10, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(b.parallelism * Protocol.MAX_PIPELINE_DEPTH),
        daemon("objmapper-backend-", b.workerStackSize));
    this.backendWorkers.allowCoreThreadTimeOut(true);
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemon("objmapper-timer-"));
    t.setRemoveOnCancelPolicy(true); // every answered request cancels its timeout: do not keep them queued
    this.timer = t;
  }

  /**
   * The capabilities offered to {@code peer} in HELLO_ACK: the configured ones, plus
   * SHARED_FD for a Unix peer whose uid the server trusts with shared descriptions.
   */
  int capabilitiesFor(PeerCredentials peer) {
    if (peer.isUnix() && peer.uid() >= 0) {
      for (long uid : sharedFdUids) {
        if (uid == peer.uid()) {
          return capabilities | Capabilities.SHARED_FD;
        }
      }
    }
    return capabilities;
  }

  /** The uid this process runs as (the owner of /proc/self), or none if it cannot be read. */
  private static long[] ownUid() {
    try {
      return new long[] {((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue()};
    } catch (IOException | RuntimeException e) {
      log.debug("cannot read this process's uid ({}): no peer gets shared descriptors", e.toString());
      return new long[0];
    }
  }

  /** A builder for a server that asks {@code handler} for objects. */
  public static Builder builder(RequestHandler handler) {
    return new Builder(handler);
  }

  /**
   * A builder for a server of {@code store} (built by {@code ObjMapper.builder()}), with the
   * settings of its configuration file (if any) applied; set a listener and
   * {@code build().start()} it.
   *
   * @throws IllegalArgumentException if {@code store} was not built by {@code ObjMapper.builder()}
   */
  public static Builder builder(io.objmapper.ObjMapper store) {
    return StoreHandler.builder(store);
  }

  /** Starts a server of {@code store} on the Unix socket {@code socket} with its configured settings. */
  public static ObjectServer start(io.objmapper.ObjMapper store, Path socket) throws IOException {
    return builder(store).unixSocket(socket).build().start();
  }

  /**
   * Binds the listeners and starts accepting connections.
   *
   * @throws IOException if a listener cannot be bound (the server is then closed)
   */
  public synchronized ObjectServer start() throws IOException {
    if (started) {
      throw new IllegalStateException("already started");
    }
    if (closed) {
      throw new IllegalStateException("closed");
    }
    started = true;
    try {
      if (udp != null) {
        DatagramChannel d = DatagramChannel.open();
        try {
          d.bind(udp);
        } catch (IOException | RuntimeException e) {
          closeQuietly(d);
          throw e;
        }
        udpBound = (InetSocketAddress) d.getLocalAddress();
        udpServer = new UdpServer(this, d, udpAllowed, udpAnswersPerSecond, System::nanoTime);
      }
      if (unixSocket != null) {
        for (int i = 0; i < ioThreads; i++) {
          unixLoops.add(new IoLoop(this, AFUNIXSelectorProvider.provider().openSelector(), true,
              "objmapper-io-unix-" + (i + 1), sweepMillis));
        }
        removeStaleSocket(unixSocket);
        unixChannel = AFUNIXServerSocketChannel.open();
        unixChannel.bind(AFUNIXSocketAddress.of(unixSocket), 1024);
        Files.setPosixFilePermissions(unixSocket, socketPermissions);
      }
      if (tcp != null) {
        for (int i = 0; i < ioThreads; i++) {
          tcpLoops.add(new IoLoop(this, Selector.open(), false, "objmapper-io-tcp-" + (i + 1), sweepMillis));
        }
        tcpChannel = ServerSocketChannel.open();
        tcpChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        tcpChannel.bind(tcp, 1024);
        tcpBound = (InetSocketAddress) tcpChannel.getLocalAddress();
      }
      for (IoLoop l : unixLoops) {
        l.thread.start();
      }
      for (IoLoop l : tcpLoops) {
        l.thread.start();
      }
      if (udpServer != null) {
        udpServer.thread.start();
      }
      if (unixChannel != null) {
        startAcceptor("objmapper-accept-unix", this::acceptUnix);
      }
      if (tcpChannel != null) {
        startAcceptor("objmapper-accept-tcp", this::acceptTcp);
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    log.info("objmapper server listening{}{}{}",
        unixSocket != null ? " on unix:" + unixSocket : "", tcpBound != null ? " on tcp:" + hostPort(tcpBound) : "",
        udpBound != null ? " on udp:" + hostPort(udpBound) : "");
    return this;
  }

  /** The Unix socket's path, or {@code null} if the server does not listen on one. */
  public Path unixSocketPath() {
    return unixSocket;
  }

  /** The bound TCP address (with the real port if 0 was asked), or {@code null}. */
  public InetSocketAddress tcpAddress() {
    return tcpBound;
  }

  /** The bound UDP address (with the real port if 0 was asked), or {@code null}. */
  public InetSocketAddress udpAddress() {
    return udpBound;
  }

  /** Datagrams left unanswered: from a source not admitted, or over its source's rate. */
  public long udpDroppedCount() {
    return udpServer != null ? udpServer.dropped.sum() : 0;
  }

  /** Connections being served now. */
  public int connectionCount() {
    return connections.size();
  }

  /** {@code host:port} of an address, for messages. */
  public static String hostPort(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  private static void removeStaleSocket(Path path) throws IOException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return;
    }
    if (!attrs.isOther()) {
      throw new IOException(path + " exists and is not a socket");
    }
    try (AFUNIXSocketChannel probe = AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(path))) {
      throw new IOException("a server is already listening on " + path);
    } catch (java.net.SocketException e) {
      Files.deleteIfExists(path); // nobody listens: a leftover of a process that died
    }
  }

  private void startAcceptor(String name, Runnable loop) {
    Thread t = new Thread(loop, name);
    t.setDaemon(true);
    acceptors.add(t);
    t.start();
  }

  private void acceptUnix() {
    while (!shuttingDown) {
      AFUNIXSocketChannel ch;
      try {
        ch = unixChannel.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (shuttingDown) {
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
        admit(ch, ch, peer, peer.uid(), unixLimits, unixLoops.get(nextUnixLoop++ % unixLoops.size()));
      } catch (RuntimeException e) {
        log.warn("admitting a connection from {} failed; closing it", peer, e);
        closeQuietly(ch);
      } catch (Error e) {
        // The accept loop cannot go on: stop listening, so clients fail at once instead of
        // waiting for an answer no one will give.
        log.error("the accept loop on {} failed; no longer listening", unixSocket, e);
        closeQuietly(ch);
        closeQuietly(unixChannel);
        throw e;
      }
    }
  }

  private void acceptTcp() {
    while (!shuttingDown) {
      SocketChannel ch;
      try {
        ch = tcpChannel.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (shuttingDown) {
          return;
        }
        acceptFailed(tcpBound, e);
        continue;
      }
      try {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      } catch (IOException e) {
        log.debug("TCP_NODELAY failed on an accepted connection: {}", e.toString());
        closeQuietly(ch);
        continue;
      }
      SocketAddress remote;
      try {
        remote = ch.getRemoteAddress();
      } catch (IOException e) {
        remote = tcpBound;
      }
      Object peerKey = remote instanceof InetSocketAddress ? ((InetSocketAddress) remote).getAddress() : remote;
      try {
        admit(ch, null, new PeerCredentials(-1, -1, -1, remote), peerKey, tcpLimits,
            tcpLoops.get(nextTcpLoop++ % tcpLoops.size()));
      } catch (RuntimeException e) {
        log.warn("admitting a connection from {} failed; closing it", remote, e);
        closeQuietly(ch);
      } catch (Error e) {
        log.error("the accept loop on {} failed; no longer listening", tcpBound, e);
        closeQuietly(ch);
        closeQuietly(tcpChannel);
        throw e;
      }
    }
  }

  /**
   * An accept that failed, most often for want of descriptors (EMFILE): the pending
   * connection stays in the backlog, so wait a little instead of spinning on it.
   */
  private void acceptFailed(Object where, IOException e) {
    log.warn("accept failed on {}: {}", where, e.toString());
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
  }

  private void admit(SocketChannel ch, AFUNIXSocketChannel unix, PeerCredentials peer, Object peerKey, Limits limits,
      IoLoop loop) {
    boolean allowed;
    try {
      allowed = authorizer.authorize(peer);
    } catch (RuntimeException e) {
      log.warn("authorizer failed for {}; refusing the connection", peer, e);
      allowed = false;
    }
    if (!allowed) {
      log.debug("connection from {} refused by the authorizer", peer);
      closeQuietly(ch);
      return;
    }
    if (shuttingDown) {
      closeQuietly(ch);
      return;
    }
    String over = limits.acquire(peerKey);
    if (over != null) {
      refused.increment();
      log.debug("connection from {} refused: {}", peer, over);
      closeQuietly(ch);
      return;
    }
    Connection c = new Connection(this, loop, ch, unix, peer, peerKey);
    connections.add(c);
    loop.add(c);
  }

  void connectionClosed(Connection c) {
    if (connections.remove(c)) {
      (c.unix != null ? unixLimits : tcpLimits).release(c.peerKey);
      notifyConnectionsChanged();
    }
  }

  /** Connections closed because their client read nothing for the write timeout. */
  public long writeTimeoutCount() {
    return writeTimeouts.sum();
  }

  /** Connections whose answers wait now for their client to read them. */
  public int connectionsWaitingForReader() {
    return waitingForReader.get();
  }

  /** Connections refused because a connection limit was reached. */
  public long refusedCount() {
    return refused.sum();
  }

  /**
   * Shuts down gracefully: stops accepting, tells V2 clients (CLOSE, reason 3) and closes
   * V1 connections that owe nothing, lets connections finish for the grace period, then
   * closes whatever is left and removes the socket file. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    shuttingDown = true;
    closeQuietly(unixChannel);
    closeQuietly(tcpChannel);
    if (udpServer != null) {
      udpServer.close();
      join(udpServer.thread);
    }
    for (Thread t : acceptors) {
      join(t);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(shutdownGraceMillis);
    List<IoLoop> loops = new ArrayList<>(unixLoops);
    loops.addAll(tcpLoops);
    for (IoLoop l : loops) {
      l.execute(() -> {
        for (Connection c : l.connections()) {
          c.announceShutdown();
        }
      });
    }
    synchronized (connections) {
      while (!connections.isEmpty() && System.nanoTime() < deadline) {
        try {
          connections.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    for (IoLoop l : loops) {
      l.stop(); // closes what is left
    }
    for (IoLoop l : loops) {
      if (l.thread.isAlive()) {
        join(l.thread);
      }
    }
    backendWorkers.shutdown();
    timer.shutdownNow();
    try {
      backendWorkers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (unixSocket != null && unixChannel != null) {
      try {
        Files.deleteIfExists(unixSocket);
      } catch (IOException e) {
        log.warn("could not remove {}: {}", unixSocket, e.toString());
      }
    }
    log.info("objmapper server stopped");
  }

  void notifyConnectionsChanged() {
    synchronized (connections) {
      connections.notifyAll();
    }
  }

  /**
   * Connection counts of one transport: in total and per peer. Taken and given back on
   * accept and close only, never on the request path.
   */
  private static final class Limits {
    private final int max;
    private final int maxPerPeer;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<Object, Integer> perPeer = new ConcurrentHashMap<>();

    Limits(int max, int maxPerPeer) {
      this.max = max;
      this.maxPerPeer = maxPerPeer;
    }

    /** Counts a connection of {@code peer} in; null if admitted, else why not. */
    String acquire(Object peer) {
      if (total.incrementAndGet() > max) {
        total.decrementAndGet();
        return max + " connections already";
      }
      boolean[] over = new boolean[1];
      perPeer.compute(peer, (k, n) -> {
        int now = n == null ? 0 : n;
        if (now >= maxPerPeer) {
          over[0] = true;
          return n;
        }
        return now + 1;
      });
      if (over[0]) {
        total.decrementAndGet();
        return maxPerPeer + " connections from this peer already";
      }
      return null;
    }

    void release(Object peer) {
      perPeer.computeIfPresent(peer, (k, n) -> n <= 1 ? null : n - 1);
      total.decrementAndGet();
    }
  }

  private static void join(Thread t) {
    try {
      t.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void closeQuietly(java.io.Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        // closing: nothing left to do with it
      }
    }
  }

  private static ThreadFactory daemon(String prefix) {
    return daemon(prefix, 0);
  }

  /** Daemon threads named {@code prefix}N; {@code stackSize} 0 means the JVM's default. */
  private static ThreadFactory daemon(String prefix, long stackSize) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(null, r, prefix + n.incrementAndGet(), stackSize);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Default of {@link Builder#minWorkers} and of the configuration file's
   * {@code thread_pool.min_workers}.
   */
  public static final int DEFAULT_MIN_WORKERS = ServerDefaults.MIN_WORKERS;

  /**
   * Default of {@link Builder#maxWorkers} and of the configuration file's
   * {@code thread_pool.max_workers} (the value the seed configuration documents).
   */
  public static final int DEFAULT_MAX_WORKERS = ServerDefaults.MAX_WORKERS;

  /** Default of {@link Builder#maxPipeline} and of the file's {@code protocol.max_pipeline}. */
  public static final int DEFAULT_MAX_PIPELINE = ServerDefaults.MAX_PIPELINE;

  /** Default of {@link Builder#idleTimeoutMillis} and of the file's {@code server.idle_timeout_ms}. */
  public static final long DEFAULT_IDLE_TIMEOUT_MILLIS = ServerDefaults.IDLE_TIMEOUT_MILLIS;

  /** Default of {@link Builder#requestTimeoutMillis} and of the file's {@code server.request_timeout_ms}. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = ServerDefaults.REQUEST_TIMEOUT_MILLIS;

  /** Default of {@link Builder#shutdownGraceMillis} and of the file's {@code server.shutdown_grace_ms}. */
  public static final long DEFAULT_SHUTDOWN_GRACE_MILLIS = ServerDefaults.SHUTDOWN_GRACE_MILLIS;

  /**
   * Default of {@link Builder#maxConnections} and of the file's {@code server.max_connections}
   * (per transport).
   */
  public static final int DEFAULT_MAX_CONNECTIONS = ServerDefaults.MAX_CONNECTIONS;

  /** Default of {@link Builder#maxConnectionsPerPeer} and of the file's {@code server.max_connections_per_peer}. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_PEER = ServerDefaults.MAX_CONNECTIONS_PER_PEER;

  /** Default of {@link Builder#writeTimeoutMillis} and of the file's {@code server.write_timeout_ms}. */
  public static final long DEFAULT_WRITE_TIMEOUT_MILLIS = ServerDefaults.WRITE_TIMEOUT_MILLIS;

  /** Default of {@link Builder#udpAnswersPerSecond}. */
  public static final int DEFAULT_UDP_ANSWERS_PER_SECOND = 100;

  /** Settings of an {@link ObjectServer}; every one has a default but the listener. */
  public static final class Builder {
    private final RequestHandler handler;
    private Path unixSocket;
    private InetSocketAddress tcp;
    private InetSocketAddress udp;
    private List<UdpServer.AddressRange> udpAllowed = List.of();
    private int udpAnswersPerSecond = DEFAULT_UDP_ANSWERS_PER_SECOND;
    private Set<PosixFilePermission> socketPermissions = PosixFilePermissions.fromString("rw-rw----");
    private PeerAuthorizer authorizer = PeerAuthorizer.ALLOW_ALL;
    private int minWorkers = DEFAULT_MIN_WORKERS;
    private int maxWorkers = DEFAULT_MAX_WORKERS;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxConnectionsPerPeer = DEFAULT_MAX_CONNECTIONS_PER_PEER;
    private int ioThreads = defaultIoThreads();
    private int maxPipeline = DEFAULT_MAX_PIPELINE;
    private int parallelism = 4;
    private int capabilities = Capabilities.SUPPORTED;
    private long idleTimeoutMillis = DEFAULT_IDLE_TIMEOUT_MILLIS;
    private long writeTimeoutMillis = DEFAULT_WRITE_TIMEOUT_MILLIS;
    private long requestTimeoutMillis = DEFAULT_REQUEST_TIMEOUT_MILLIS;
    private long shutdownGraceMillis = DEFAULT_SHUTDOWN_GRACE_MILLIS;
    private boolean cCompat;
    private long workerStackSize;
    private long[] sharedFdUids;

    private Builder(RequestHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** Default of {@link #ioThreads}: the processors, at most 4. */
    public static int defaultIoThreads() {
      return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /** Listen on this Unix socket path (a stale socket file there is replaced). */
    public Builder unixSocket(Path path) {
      this.unixSocket = Objects.requireNonNull(path, "path");
      return this;
    }

    /** Also listen on TCP (COPY mode only); port 0 picks a free port. */
    public Builder tcp(InetSocketAddress address) {
      this.tcp = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Also answer UDP datagrams: one V1 request per datagram, one datagram back with the COPY
     * answer when it fits (65,507 bytes), else UNSUPPORTED_OP with an ERROR TLV saying to use
     * TCP or the Unix socket; FDPASS, SPLICE and SEGMENTED answer UNSUPPORTED_OP. Only
     * loopback sources are answered unless {@link #udpAllow} admits others. Port 0 picks a
     * free port.
     */
    public Builder udp(InetSocketAddress address) {
      this.udp = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * Non-loopback UDP sources to answer, as CIDR ranges ({@code 10.0.0.0/8},
     * {@code 192.0.2.7}, {@code fd00::/8}); default none. Their answers are rate-limited
     * per source ({@link #udpAnswersPerSecond}).
     *
     * @throws IllegalArgumentException naming a range that is not one
     */
    public Builder udpAllow(List<String> cidrs) {
      List<UdpServer.AddressRange> ranges = new ArrayList<>();
      for (String c : Objects.requireNonNull(cidrs, "cidrs")) {
        ranges.add(UdpServer.AddressRange.parse(Objects.requireNonNull(c, "cidr")));
      }
      this.udpAllowed = List.copyOf(ranges);
      return this;
    }

    /**
     * Most UDP answers a second to one non-loopback source (bursts of as many); what is over
     * is dropped unanswered. Default {@value ObjectServer#DEFAULT_UDP_ANSWERS_PER_SECOND}.
     */
    public Builder udpAnswersPerSecond(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("udpAnswersPerSecond < 1");
      }
      this.udpAnswersPerSecond = n;
      return this;
    }

    /** Permissions of the socket file; default {@code rw-rw----} (0660). */
    public Builder socketPermissions(Set<PosixFilePermission> permissions) {
      Objects.requireNonNull(permissions, "permissions");
      this.socketPermissions = permissions.isEmpty() ? EnumSet.noneOf(PosixFilePermission.class) : EnumSet.copyOf(permissions);
      return this;
    }

    /** Decides which peers may connect; default: everyone who can open the socket. */
    public Builder authorizer(PeerAuthorizer authorizer) {
      this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
      return this;
    }

    /**
     * Kept for compatibility ({@code thread_pool.min_workers}): connections no longer take a
     * worker each, so this bounds nothing; default {@value ObjectServer#DEFAULT_MIN_WORKERS}.
     */
    public Builder minWorkers(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("minWorkers < 0");
      }
      this.minWorkers = n;
      return this;
    }

    /**
     * Kept for compatibility ({@code thread_pool.max_workers}): connections no longer take a
     * worker each, so this no longer limits them (see {@link #maxConnections}); default
     * {@value ObjectServer#DEFAULT_MAX_WORKERS}.
     */
    public Builder maxWorkers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxWorkers < 1");
      }
      this.maxWorkers = n;
      return this;
    }

    /** Stack size of backend workers in bytes ({@code thread_pool.worker_stack_size}); 0, the default, is the JVM's. */
    public Builder workerStackSize(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("workerStackSize < 0");
      }
      this.workerStackSize = bytes;
      return this;
    }

    /**
     * Most connections per transport (the Unix socket and TCP are counted apart); more are
     * closed at once. Each costs memory only (no thread) and two descriptors at most: keep
     * {@code ulimit -n} above twice the sum. Default {@value ObjectServer#DEFAULT_MAX_CONNECTIONS}.
     */
    public Builder maxConnections(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConnections < 1");
      }
      this.maxConnections = n;
      return this;
    }

    /**
     * Most connections of one peer per transport: one uid on the Unix socket (its kernel
     * credentials), one address on TCP. Default {@value ObjectServer#DEFAULT_MAX_CONNECTIONS_PER_PEER}.
     */
    public Builder maxConnectionsPerPeer(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConnectionsPerPeer < 1");
      }
      this.maxConnectionsPerPeer = n;
      return this;
    }

    /** I/O threads per transport (1..64); default the processors, at most 4. */
    public Builder ioThreads(int n) {
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("ioThreads not in 1..64");
      }
      this.ioThreads = n;
      return this;
    }

    /** Deepest pipeline offered to V2 clients (1..1000); default 100. */
    public Builder maxPipeline(int n) {
      if (n < 1 || n > Protocol.MAX_PIPELINE_DEPTH) {
        throw new IllegalArgumentException("maxPipeline not in 1.." + Protocol.MAX_PIPELINE_DEPTH);
      }
      this.maxPipeline = n;
      return this;
    }

    /** Backend workers for requests that may block (1..255); default 4. */
    public Builder parallelism(int n) {
      if (n < 1 || n > 255) {
        throw new IllegalArgumentException("parallelism not in 1..255");
      }
      this.parallelism = n;
      return this;
    }

    /**
     * Capabilities offered; default every one this implementation supports (OOO_REPLIES,
     * PIPELINING, SEGMENTED).
     *
     * @throws IllegalArgumentException if one is not {@linkplain Capability#supported() supported}
     */
    public Builder capabilities(Set<Capability> capabilities) {
      return capabilities(Capability.mask(Objects.requireNonNull(capabilities, "capabilities")));
    }

    /** {@link #capabilities(Set)} as the wire's u16 mask of {@link Capabilities} bits. */
    public Builder capabilities(int capabilities) {
      if ((capabilities & ~Capabilities.SUPPORTED) != 0) {
        throw new IllegalArgumentException("unsupported capabilities: " + Capabilities.toString(capabilities & ~Capabilities.SUPPORTED));
      }
      this.capabilities = capabilities;
      return this;
    }

    /** Close connections without requests for this long (0 = never); default 300000. */
    public Builder idleTimeoutMillis(long millis) {
      if (millis < 0) {
        throw new IllegalArgumentException("idleTimeoutMillis < 0");
      }
      this.idleTimeoutMillis = millis;
      return this;
    }

    /**
     * Close a connection whose client has read nothing of a waiting answer for this long
     * (0 = never); default {@value ObjectServer#DEFAULT_WRITE_TIMEOUT_MILLIS}.
     */
    public Builder writeTimeoutMillis(long millis) {
      if (millis < 0) {
        throw new IllegalArgumentException("writeTimeoutMillis < 0");
      }
      this.writeTimeoutMillis = millis;
      return this;
    }

    /** Answer TIMEOUT to a backend-served request not done in this long; default 30000. */
    public Builder requestTimeoutMillis(long millis) {
      if (millis < 1) {
        throw new IllegalArgumentException("requestTimeoutMillis < 1");
      }
      this.requestTimeoutMillis = millis;
      return this;
    }

    /** How long {@link #close()} lets connections finish; default 5000. */
    public Builder shutdownGraceMillis(long millis) {
      if (millis < 0) {
        throw new IllegalArgumentException("shutdownGraceMillis < 0");
      }
      this.shutdownGraceMillis = millis;
      return this;
    }

    /**
     * The C server's write behaviour: a request for a missing object creates it empty and
     * every request gets a read-write descriptor; {@code /delete/<uri>} deletes;
     * {@code /list} answers UNSUPPORTED_OP. Off by default.
     */
    public Builder cCompat(boolean on) {
      this.cCompat = on;
      return this;
    }

    /**
     * Unix peers, by uid, that may negotiate SHARED_FD (they promise positional reads only
     * and then get the cached open file description other such peers hold, not one of their
     * own). Default: the uid the server runs as; empty: nobody.
     */
    public Builder sharedDescriptorUids(Collection<Long> uids) {
      long[] u = new long[uids.size()];
      int i = 0;
      for (Long uid : uids) {
        if (uid == null || uid < 0 || uid > 0xFFFF_FFFFL) {
          throw new IllegalArgumentException("not a uid: " + uid);
        }
        u[i++] = uid;
      }
      this.sharedFdUids = u;
      return this;
    }

    public ObjectServer build() {
      if (unixSocket == null && tcp == null && udp == null) {
        throw new IllegalStateException("no listener: set unixSocket, tcp and/or udp");
      }
      if (minWorkers > maxWorkers) {
        throw new IllegalStateException("minWorkers (" + minWorkers + ") > maxWorkers (" + maxWorkers + ")");
      }
      return new ObjectServer(this);
    }
  }
}
