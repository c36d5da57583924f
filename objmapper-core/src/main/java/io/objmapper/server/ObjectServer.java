package io.objmapper.server;

import io.objmapper.internal.config.ServerDefaults;
import io.objmapper.internal.net.AddressRange;

import io.objmapper.protocol.Capabilities;
import io.objmapper.protocol.Capability;
import io.objmapper.protocol.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
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
 * <p>Who may connect: the socket file's mode ({@link Builder#socketMode}), Unix peers by the
 * uid or gid the kernel reports ({@link Builder#allowUids}, {@link Builder#allowGids}), TCP
 * sources by address ({@link Builder#tcpAllow}; required unless the TCP listener is on a
 * loopback address), then a {@link PeerAuthorizer}. A peer not admitted is closed before
 * anything is read from it and counted ({@link #refusedCount(Refusal)}). Who may write: the
 * writer list ({@link Builder#writerUids}, {@link Builder#writerGids}; {@link #mayWrite}).
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
  /** The TIERS TLV of STAT, LIST and COMMIT answers (empty: the handler names no tiers). */
  final byte[] tiersTlv;
  private final Path unixSocket;
  private final InetSocketAddress udp;
  private final List<AddressRange> udpAllowed;
  private final int udpAnswersPerSecond;
  private UdpServer udpServer;
  private InetSocketAddress udpBound;
  final int maxPipeline;
  final int parallelism;
  final int capabilities;
  final long idleTimeoutNanos;
  final long writeTimeoutNanos;
  final long requestTimeoutMillis;
  private final long shutdownGraceMillis;
  final boolean cCompat;
  /** Which connection was served last, for the I/O loops' {@link IdleSpin}. */
  final IdleSpin.Served<Connection> served = new IdleSpin.Served<>(c -> c.loop);
  /** The I/O loops' longest spin before they sleep ({@link Builder#idleSpinMicros}). */
  final long idleSpinNanos;
  /**
   * Slots for puts staged and not yet committed or aborted, server-wide: each holds a
   * temporary file open (descriptors), so their number is bounded whatever the peers.
   */
  final java.util.concurrent.Semaphore pendingPuts;
  final int maxPendingPuts;
  private final long[] sharedFdUids;
  /** Who may connect and who may write. */
  final PeerAccess access;

  final ThreadPoolExecutor backendWorkers;
  final ScheduledExecutorService timer;
  final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  final LongAdder writeTimeouts = new LongAdder();
  final RequestCounts requests = new RequestCounts();
  /** Connections with answers waiting for their client to read (changes only when a socket fills or drains). */
  final AtomicInteger waitingForReader = new AtomicInteger();
  private final SocketListeners listeners;
  private volatile boolean started;
  volatile boolean shuttingDown;
  private boolean closed;

  private ObjectServer(Builder b) {
    this.handler = b.handler;
    this.tiersTlv = tiersTlv(b.handler.tierNames());
    this.unixSocket = b.unixSocket;
    this.udp = b.udp;
    this.udpAllowed = b.udpAllowed;
    this.udpAnswersPerSecond = b.udpAnswersPerSecond;
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
    long sweepMillis = shortest == Long.MAX_VALUE ? 1000 : Math.max(10, Math.min(1000, shortest / 4));
    this.cCompat = b.cCompat;
    this.idleSpinNanos = TimeUnit.MICROSECONDS.toNanos(b.idleSpinMicros);
    this.maxPendingPuts = b.maxPendingPuts;
    this.pendingPuts = new java.util.concurrent.Semaphore(b.maxPendingPuts);
    long[] own = b.sharedFdUids == null || b.writerUids == null ? ownUid() : null;
    this.access = new PeerAccess(b.allowUids, b.allowGids, b.tcpAllowed, b.writerUids != null ? b.writerUids : own,
        b.writerGids);
    this.listeners = new SocketListeners(this, b.unixSocket, b.tcp, b.socketPermissions, b.authorizer, access,
        b.ioThreads(), sweepMillis, idleSpinNanos, b.maxConnections, b.maxConnectionsPerPeer);
    this.sharedFdUids = b.sharedFdUids != null ? b.sharedFdUids : own;
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
    // Any peer may ask for the extensions; each write is decided by mayWrite.
    int caps = capabilities | Capabilities.WRITE | Capabilities.INSPECT;
    if (peer.isUnix() && peer.uid() >= 0) {
      for (long uid : sharedFdUids) {
        if (uid == peer.uid()) {
          return caps | Capabilities.SHARED_FD;
        }
      }
    }
    return caps;
  }

  /**
   * Whether {@code peer} may create, overwrite or delete objects: a Unix peer whose uid is in
   * the writer uids ({@link Builder#writerUids}, default: the uid the server runs as) or whose
   * gid is in the writer gids ({@link Builder#writerGids}, default none). Peers over TCP or UDP
   * never write. Decides the C-compatible creates and deletes and the write extension's PUT,
   * COMMIT, ABORT and DELETE alike. Allocates nothing.
   */
  public boolean mayWrite(PeerCredentials peer) {
    return access.mayWrite(peer);
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
   * Checks, without listening, that {@link #start} finds its addresses free: no file other
   * than a stale socket at the Unix socket path and no server listening there, the TCP and
   * UDP ports (unless 0) not in use. For a caller with slow work to do before it starts (an
   * import), so that an address taken fails at once. Another process may still take an
   * address between this and {@link #start}.
   *
   * @throws IOException saying which address is taken and why
   */
  public void checkAddresses() throws IOException {
    listeners.check();
    checkUdp(udp);
  }

  /**
   * The check of {@link #checkAddresses()} before any server is built (each may be {@code
   * null}): an application that opens a store only to serve it can fail on a taken address
   * before it opens anything.
   *
   * @throws IOException naming the address that cannot be had
   */
  public static void checkAddresses(Path unixSocket, InetSocketAddress tcp, InetSocketAddress udp) throws IOException {
    SocketListeners.check(unixSocket, tcp);
    checkUdp(udp);
  }

  /**
   * The rule {@link Builder#build()} applies, before any server is built: a TCP listener on
   * an address other hosts can reach needs an allow list.
   *
   * @throws IllegalStateException naming {@code server.tcp_allow} if {@code tcp} is not a
   *     loopback address and {@code cidrs} is empty
   * @throws IllegalArgumentException naming a range that is not one
   */
  public static void checkTcpListener(InetSocketAddress tcp, List<String> cidrs) {
    PeerAccess.checkTcpListener(tcp, AddressRange.parseAll(cidrs));
  }

  private static void checkUdp(InetSocketAddress udp) throws IOException {
    if (udp != null && udp.getPort() != 0) {
      try (DatagramChannel probe = DatagramChannel.open()) {
        probe.bind(udp);
      } catch (IOException e) {
        throw new IOException("cannot listen on udp:" + hostPort(udp) + ": " + e.getMessage(), e);
      }
    }
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
      listeners.bind();
      listeners.startLoops();
      if (udpServer != null) {
        udpServer.thread.start();
      }
      listeners.startAcceptors();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    log.info("objmapper server listening{}{}{}",
        unixSocket != null ? " on unix:" + unixSocket : "", listeners.tcpBound() != null ? " on tcp:" + hostPort(listeners.tcpBound()) : "",
        udpBound != null ? " on udp:" + hostPort(udpBound) : "");
    return this;
  }

  /** The Unix socket's path, or {@code null} if the server does not listen on one. */
  public Path unixSocketPath() {
    return unixSocket;
  }

  /** The bound TCP address (with the real port if 0 was asked), or {@code null}. */
  public InetSocketAddress tcpAddress() {
    return listeners.tcpBound();
  }

  /** The bound UDP address (with the real port if 0 was asked), or {@code null}. */
  public InetSocketAddress udpAddress() {
    return udpBound;
  }

  /** Datagrams left unanswered: from a source not admitted, or over its source's rate. */
  public long udpDroppedCount() {
    return udpServer != null ? udpServer.dropped.sum() : 0;
  }

  /** Requests answered so far, by transport, version, mode and status. */
  public RequestCounts requestCounts() {
    return requests;
  }

  /**
   * Most bytes the TIERS TLV may take: with SIZE, MTIME and BACKEND an answer's metadata stays
   * far inside the protocol's {@value io.objmapper.protocol.Protocol#MAX_METADATA_LENGTH}.
   */
  static final int TIERS_TLV_BUDGET = 512;

  private static byte[] tiersTlv(List<String> names) {
    if (names.isEmpty()) {
      return new byte[0];
    }
    io.objmapper.protocol.Metadata m = io.objmapper.protocol.Metadata.builder().tierNames(names).build();
    if (m.encodedLength() > TIERS_TLV_BUDGET) {
      return new byte[0]; // clients fall back to the ids (and their configuration's names)
    }
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(m.encodedLength());
    io.objmapper.protocol.ProtocolEncoder.metadata(out, m);
    return out.array();
  }

  /** Connections being served now. */
  public int connectionCount() {
    return connections.size();
  }

  /** {@code host:port} of an address, for messages. */
  public static String hostPort(InetSocketAddress a) {
    String host = a.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort(); // an IPv6 literal in brackets
  }

  void connectionClosed(Connection c) {
    if (connections.remove(c)) {
      listeners.release(c);
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

  /**
   * Connections closed at once, before anything was read from them, for any {@link Refusal}
   * reason: a peer not admitted, or a connection limit reached.
   */
  public long refusedCount() {
    long n = 0;
    for (Refusal r : Refusal.values()) {
      n += listeners.refusedCount(r);
    }
    return n;
  }

  /** Connections closed at once, before anything was read from them, for {@code why}. */
  public long refusedCount(Refusal why) {
    return listeners.refusedCount(Objects.requireNonNull(why, "why"));
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
    listeners.closeChannels();
    if (udpServer != null) {
      udpServer.close();
      join(udpServer.thread);
    }
    listeners.joinAcceptors();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(shutdownGraceMillis);
    List<IoLoop> loops = listeners.loops();
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
    listeners.removeSocketFile();
    log.info("objmapper server stopped");
  }

  void notifyConnectionsChanged() {
    synchronized (connections) {
      connections.notifyAll();
    }
  }

  static void join(Thread t) {
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

  /** Default of {@link Builder#maxPendingPuts} and of the file's {@code server.max_pending_puts}: 3,072 descriptors at most. */
  public static final int DEFAULT_MAX_PENDING_PUTS = ServerDefaults.MAX_PENDING_PUTS;

  /** Default of {@link Builder#maxConnectionsPerPeer} and of the file's {@code server.max_connections_per_peer}. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_PEER = ServerDefaults.MAX_CONNECTIONS_PER_PEER;

  /** Default of {@link Builder#writeTimeoutMillis} and of the file's {@code server.write_timeout_ms}. */
  public static final long DEFAULT_WRITE_TIMEOUT_MILLIS = ServerDefaults.WRITE_TIMEOUT_MILLIS;

  /** Default of {@link Builder#idleSpinMicros} and of the file's {@code server.idle_spin_us}. */
  public static final int DEFAULT_IDLE_SPIN_MICROS = ServerDefaults.IDLE_SPIN_MICROS;

  /** Most of {@link Builder#idleSpinMicros} and of the file's {@code server.idle_spin_us}. */
  public static final int MAX_IDLE_SPIN_MICROS = ServerDefaults.MAX_IDLE_SPIN_MICROS;

  /** Default of {@link Builder#udpAnswersPerSecond}. */
  public static final int DEFAULT_UDP_ANSWERS_PER_SECOND = 100;

  /** Settings of an {@link ObjectServer}; every one has a default but the listener. */
  public static final class Builder {
    private final RequestHandler handler;
    private Path unixSocket;
    private InetSocketAddress tcp;
    private InetSocketAddress udp;
    private List<AddressRange> udpAllowed = List.of();
    private int udpAnswersPerSecond = DEFAULT_UDP_ANSWERS_PER_SECOND;
    private Set<PosixFilePermission> socketPermissions = PosixFilePermissions.fromString("rw-rw----");
    private PeerAuthorizer authorizer = PeerAuthorizer.ALLOW_ALL;
    private int minWorkers = DEFAULT_MIN_WORKERS;
    private int maxWorkers = DEFAULT_MAX_WORKERS;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxConnectionsPerPeer = DEFAULT_MAX_CONNECTIONS_PER_PEER;
    /** 0: not set, {@link #ioThreads()} picks. */
    private int ioThreads;
    private int idleSpinMicros = DEFAULT_IDLE_SPIN_MICROS;
    private int maxPipeline = DEFAULT_MAX_PIPELINE;
    private int maxPendingPuts = DEFAULT_MAX_PENDING_PUTS;
    private int parallelism = 4;
    private int capabilities = Capabilities.SUPPORTED;
    private long idleTimeoutMillis = DEFAULT_IDLE_TIMEOUT_MILLIS;
    private long writeTimeoutMillis = DEFAULT_WRITE_TIMEOUT_MILLIS;
    private long requestTimeoutMillis = DEFAULT_REQUEST_TIMEOUT_MILLIS;
    private long shutdownGraceMillis = DEFAULT_SHUTDOWN_GRACE_MILLIS;
    private boolean cCompat;
    private long workerStackSize;
    private long[] sharedFdUids;
    private List<AddressRange> tcpAllowed = List.of();
    private long[] allowUids = new long[0];
    private long[] allowGids = new long[0];
    private long[] writerUids;
    private long[] writerGids = new long[0];

    private Builder(RequestHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** Default of {@link #ioThreads}: the processors, at most 4. */
    public static int defaultIoThreads() {
      return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Default of {@link #ioThreads} in the C-compatible mode: its clients (the C project's
     * client library) send one request at a time per connection and block on each of the two
     * writes of a descriptor's answer (header, then the byte carrying the descriptor). An I/O
     * thread serving many such connections rarely sleeps, so the client its header wakes
     * preempts it before the descriptor is sent, and every request costs the client two
     * sleeps instead of one (measured with the C benchmark: 1.8–2.0 client context switches
     * per request with 2 I/O threads, 1.1 with 16, as with the C server's thread per
     * connection). Sixteen threads, each sleeping between its few connections' requests, keep
     * that to one; connections still cost no thread.
     */
    public static final int C_COMPAT_IO_THREADS = 16;

    /** The I/O threads per transport: as set, else the default of the mode. */
    int ioThreads() {
      return ioThreads > 0 ? ioThreads : cCompat ? C_COMPAT_IO_THREADS : defaultIoThreads();
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
      this.udpAllowed = AddressRange.parseAll(Objects.requireNonNull(cidrs, "cidrs"));
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

    /**
     * The TCP sources that may connect, as CIDR ranges ({@code 10.0.0.0/8}, {@code 192.0.2.7},
     * {@code fd00::/8}; {@code 0.0.0.0/0} and {@code ::/0} for any host); the configuration
     * file's {@code server.tcp_allow}. A connection from any other source is closed before
     * anything is read from it and counted ({@link Refusal#TCP_SOURCE}). Default: none, which
     * admits every source but is only allowed on a loopback listener: {@link #build()} refuses
     * a TCP listener on any other address without an allow list.
     *
     * @throws IllegalArgumentException naming a range that is not one
     */
    public Builder tcpAllow(List<String> cidrs) {
      this.tcpAllowed = AddressRange.parseAll(Objects.requireNonNull(cidrs, "cidrs"));
      return this;
    }

    /**
     * Unix peers that may connect, by uid (the kernel's peer credentials, {@code SO_PEERCRED});
     * the configuration file's {@code server.allow_uids}. With {@link #allowGids}: a peer is
     * admitted if its uid or its gid is listed, every other one is closed before anything is
     * read from it and counted ({@link Refusal#UNIX_PEER}). Default (both empty): every peer
     * that can open the socket file ({@link #socketPermissions}).
     *
     * @throws IllegalArgumentException if one is not a uid (0 to 4294967295)
     */
    public Builder allowUids(Collection<Long> uids) {
      this.allowUids = ids("uid", uids);
      return this;
    }

    /**
     * Unix peers that may connect, by their (effective, primary) gid; the configuration
     * file's {@code server.allow_gids}. See {@link #allowUids}.
     *
     * @throws IllegalArgumentException if one is not a gid (0 to 4294967295)
     */
    public Builder allowGids(Collection<Long> gids) {
      this.allowGids = ids("gid", gids);
      return this;
    }

    /**
     * Unix peers, by uid, that may write ({@link ObjectServer#mayWrite}): in the C-compatible
     * mode, create objects on a miss, get writable descriptors and delete; the configuration
     * file's {@code server.writer_uids}. Default: the uid the server runs as; empty: no uid.
     *
     * @throws IllegalArgumentException if one is not a uid (0 to 4294967295)
     */
    public Builder writerUids(Collection<Long> uids) {
      this.writerUids = ids("uid", uids);
      return this;
    }

    /**
     * Unix peers, by gid, that may write besides {@link #writerUids}; the configuration file's
     * {@code server.writer_gids}. Default none.
     *
     * @throws IllegalArgumentException if one is not a gid (0 to 4294967295)
     */
    public Builder writerGids(Collection<Long> gids) {
      this.writerGids = ids("gid", gids);
      return this;
    }

    private static long[] ids(String what, Collection<Long> ids) {
      long[] u = new long[Objects.requireNonNull(ids, what + "s").size()];
      int i = 0;
      for (Long id : ids) {
        if (id == null || id < 0 || id > 0xFFFF_FFFFL) {
          throw new IllegalArgumentException("not a " + what + ": " + id);
        }
        u[i++] = id;
      }
      return u;
    }

    /**
     * Mode of the socket file as its octal number ({@code 0660}): who can open the socket at
     * all. Only the permission bits (at most {@code 0777}) are taken.
     *
     * @throws IllegalArgumentException if {@code mode} has bits beyond {@code 0777}
     */
    public Builder socketMode(int mode) {
      if (mode < 0 || mode > 0777) {
        throw new IllegalArgumentException(String.format("socket mode %o is not in 0..0777", mode));
      }
      Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
      for (PosixFilePermission perm : PosixFilePermission.values()) {
        // The enum lists OWNER_READ (0400) first and OTHERS_EXECUTE (0001) last.
        if ((mode & (1 << (8 - perm.ordinal()))) != 0) {
          p.add(perm);
        }
      }
      return socketPermissions(p);
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

    /**
     * I/O threads per transport (1..64); default the processors, at most 4
     * ({@link #C_COMPAT_IO_THREADS} in the C-compatible mode).
     */
    public Builder ioThreads(int n) {
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("ioThreads not in 1..64");
      }
      this.ioThreads = n;
      return this;
    }

    /**
     * How long an I/O thread about to sleep first polls for its connection's next request, in
     * microseconds (0..{@value #MAX_IDLE_SPIN_MICROS}; 0 never): only while one connection is
     * the only one the server has served for a millisecond (a client that waits for each
     * answer before it asks again), never on a machine of one processor, and a thread gives
     * up after eight spins in a row that found nothing until its next sweep of its
     * connections. Default {@value #DEFAULT_IDLE_SPIN_MICROS}: such a client's requests then
     * cost no wake-up of a sleeping thread (one C client: 23,000 requests/s sleeping,
     * 35,000–38,000 polling; README, "Connections").
     */
    public Builder idleSpinMicros(int micros) {
      if (micros < 0 || micros > MAX_IDLE_SPIN_MICROS) {
        throw new IllegalArgumentException("idleSpinMicros not in 0.." + MAX_IDLE_SPIN_MICROS);
      }
      this.idleSpinMicros = micros;
      return this;
    }

    /**
     * Most puts (write extension) staged and not yet committed or aborted, over all
     * connections; a PUT past it answers UNAVAILABLE. Each holds up to three descriptors
     * until it ends (one connection may hold {@value Connection#MAX_PENDING_PUTS}). Default
     * {@value ObjectServer#DEFAULT_MAX_PENDING_PUTS}.
     */
    public Builder maxPendingPuts(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxPendingPuts < 1");
      }
      this.maxPendingPuts = n;
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
     * {@code /list} answers UNSUPPORTED_OP. Off by default. Only peers that
     * {@linkplain ObjectServer#mayWrite may write} create, get read-write descriptors and
     * delete; any other peer gets read-only descriptors of existing objects, and
     * PERMISSION_DENIED (with an ERROR TLV naming {@code server.writer_uids}) where a writer's
     * request would create or delete.
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
      this.sharedFdUids = ids("uid", uids);
      return this;
    }

    /**
     * The server, not yet listening.
     *
     * @throws IllegalStateException if there is no listener, if {@code minWorkers > maxWorkers},
     *     or if the TCP listener is not on a loopback address and {@link #tcpAllow} is empty
     *     (the message names {@code server.tcp_allow})
     */
    public ObjectServer build() {
      if (unixSocket == null && tcp == null && udp == null) {
        throw new IllegalStateException("no listener: set unixSocket, tcp and/or udp");
      }
      if (minWorkers > maxWorkers) {
        throw new IllegalStateException("minWorkers (" + minWorkers + ") > maxWorkers (" + maxWorkers + ")");
      }
      PeerAccess.checkTcpListener(tcp, tcpAllowed);
      return new ObjectServer(this);
    }
  }
}
