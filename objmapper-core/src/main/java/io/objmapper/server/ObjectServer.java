package io.objmapper.server;

import io.objmapper.protocol.Capabilities;
import io.objmapper.protocol.Capability;
import io.objmapper.protocol.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.newsclub.net.unix.AFUNIXServerSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves objects over a Unix socket (V1 and V2, descriptors passed with SCM_RIGHTS) and
 * optionally TCP (COPY only), asking a {@link RequestHandler} for them.
 *
 * <p>Each connection is served by one worker from a bounded pool (connection-level
 * workers); V2 requests the handler says {@link RequestHandler#mayBlock may block} are
 * served by a small pool of backend workers when out-of-order replies were negotiated.
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
  private final Set<PosixFilePermission> socketPermissions;
  private final PeerAuthorizer authorizer;
  private final int maxConnections;
  final int maxPipeline;
  final int parallelism;
  final int capabilities;
  final long idleTimeoutMillis;
  final long requestTimeoutMillis;
  private final long shutdownGraceMillis;
  final boolean cCompat;

  private final ThreadPoolExecutor connectionWorkers;
  final ThreadPoolExecutor backendWorkers;
  final ScheduledExecutorService timer;
  private final ThreadPoolExecutor sideWriters;
  final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connectionCount = new AtomicInteger();
  private final List<Thread> acceptors = new ArrayList<>();
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
    this.socketPermissions = b.socketPermissions;
    this.authorizer = b.authorizer;
    this.maxConnections = b.maxConnections > 0 ? b.maxConnections : b.maxWorkers;
    this.maxPipeline = b.maxPipeline;
    this.parallelism = b.parallelism;
    this.capabilities = b.capabilities;
    this.idleTimeoutMillis = b.idleTimeoutMillis;
    this.requestTimeoutMillis = b.requestTimeoutMillis;
    this.shutdownGraceMillis = b.shutdownGraceMillis;
    this.cCompat = b.cCompat;
    this.connectionWorkers = new ThreadPoolExecutor(b.minWorkers, b.maxWorkers, 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), daemon("objmapper-conn-", b.workerStackSize));
    this.backendWorkers = new ThreadPoolExecutor(b.parallelism, b.parallelism, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(Math.max(16, b.parallelism * Protocol.MAX_PIPELINE_DEPTH)),
        daemon("objmapper-backend-"));
    this.backendWorkers.allowCoreThreadTimeOut(true);
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemon("objmapper-timer-"));
    t.setRemoveOnCancelPolicy(true); // every answered async request cancels its timeout: do not keep them queued
    this.timer = t;
    this.sideWriters = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
        daemon("objmapper-side-"));
  }

  /** A builder for a server that asks {@code handler} for objects. */
  public static Builder builder(RequestHandler handler) {
    return new Builder(handler);
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
      connectionWorkers.prestartAllCoreThreads();
      if (unixSocket != null) {
        removeStaleSocket(unixSocket);
        unixChannel = AFUNIXServerSocketChannel.open();
        unixChannel.bind(AFUNIXSocketAddress.of(unixSocket), 128);
        Files.setPosixFilePermissions(unixSocket, socketPermissions);
        startAcceptor("objmapper-accept-unix", this::acceptUnix);
      }
      if (tcp != null) {
        tcpChannel = ServerSocketChannel.open();
        tcpChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        tcpChannel.bind(tcp, 128);
        tcpBound = (InetSocketAddress) tcpChannel.getLocalAddress();
        startAcceptor("objmapper-accept-tcp", this::acceptTcp);
      }
      if (idleTimeoutMillis > 0) {
        long period = Math.max(10, Math.min(1000, idleTimeoutMillis / 4));
        timer.scheduleWithFixedDelay(this::closeIdleConnections, period, period, TimeUnit.MILLISECONDS);
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    log.info("objmapper server listening{}{}",
        unixSocket != null ? " on unix:" + unixSocket : "", tcpBound != null ? " on tcp:" + hostPort(tcpBound) : "");
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

  /** Connections being served now. */
  public int connectionCount() {
    return connectionCount.get();
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
        log.warn("accept failed on {}: {}", unixSocket, e.toString());
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
        admit(ch, ch, peer);
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
        log.warn("accept failed on {}: {}", tcpBound, e.toString());
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
      try {
        admit(ch, null, new PeerCredentials(-1, -1, -1, remote));
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

  private void admit(SocketChannel ch, AFUNIXSocketChannel unix, PeerCredentials peer) {
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
    if (connectionCount.incrementAndGet() > maxConnections || shuttingDown) {
      connectionCount.decrementAndGet();
      log.debug("connection from {} refused: {} connections already", peer, maxConnections);
      closeQuietly(ch);
      return;
    }
    Connection c = new Connection(this, ch, unix, peer);
    connections.add(c);
    try {
      connectionWorkers.execute(c);
    } catch (RejectedExecutionException e) {
      connectionClosed(c);
      closeQuietly(ch);
    }
  }

  /**
   * Runs a write the timer decided on (a TIMEOUT answer, an idle CLOSE) off the timer
   * thread: such a write may block on a client that stopped reading, and the timer serves
   * every connection.
   */
  void sideWriter(Runnable write) {
    try {
      sideWriters.execute(write);
    } catch (RejectedExecutionException e) {
      // shutting down: the connection is closed anyway
    }
  }

  void connectionClosed(Connection c) {
    if (connections.remove(c)) {
      connectionCount.decrementAndGet();
    }
  }

  private void closeIdleConnections() {
    long now = System.nanoTime();
    long idle = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
    for (Connection c : connections) {
      c.closeIfIdle(now, idle);
    }
  }

  /**
   * Shuts down gracefully: stops accepting, tells V2 clients (CLOSE, reason 3), lets
   * connections finish for the grace period, then closes whatever is left and removes the
   * socket file. Idempotent.
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
    for (Thread t : acceptors) {
      join(t);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(shutdownGraceMillis);
    // Announced from a thread of its own: a write to a client that stopped reading blocks
    // until the channel is closed below, and must not keep close() from getting there.
    Thread announcer = new Thread(() -> {
      for (Connection c : connections) {
        c.announceShutdown(deadline);
      }
    }, "objmapper-shutdown");
    announcer.setDaemon(true);
    announcer.start();
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
    for (Connection c : connections) {
      c.closeChannel();
    }
    join(announcer);
    connectionWorkers.shutdown();
    backendWorkers.shutdown();
    timer.shutdownNow();
    sideWriters.shutdown();
    try {
      if (!connectionWorkers.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("connection workers still running after close");
      }
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
  public static final int DEFAULT_MIN_WORKERS = 10;

  /**
   * Default of {@link Builder#maxWorkers} and of the configuration file's
   * {@code thread_pool.max_workers} (the value the seed configuration documents).
   */
  public static final int DEFAULT_MAX_WORKERS = 100;

  /** Default of {@link Builder#maxPipeline} and of the file's {@code protocol.max_pipeline}. */
  public static final int DEFAULT_MAX_PIPELINE = 100;

  /** Default of {@link Builder#idleTimeoutMillis} and of the file's {@code server.idle_timeout_ms}. */
  public static final long DEFAULT_IDLE_TIMEOUT_MILLIS = 300_000;

  /** Default of {@link Builder#requestTimeoutMillis} and of the file's {@code server.request_timeout_ms}. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MILLIS = 30_000;

  /** Default of {@link Builder#shutdownGraceMillis} and of the file's {@code server.shutdown_grace_ms}. */
  public static final long DEFAULT_SHUTDOWN_GRACE_MILLIS = 5_000;

  /** Settings of an {@link ObjectServer}; every one has a default but the listener. */
  public static final class Builder {
    private final RequestHandler handler;
    private Path unixSocket;
    private InetSocketAddress tcp;
    private Set<PosixFilePermission> socketPermissions = PosixFilePermissions.fromString("rw-rw----");
    private PeerAuthorizer authorizer = PeerAuthorizer.ALLOW_ALL;
    private int minWorkers = DEFAULT_MIN_WORKERS;
    private int maxWorkers = DEFAULT_MAX_WORKERS;
    private int maxConnections;
    private int maxPipeline = DEFAULT_MAX_PIPELINE;
    private int parallelism = 4;
    private int capabilities = Capabilities.SUPPORTED;
    private long idleTimeoutMillis = DEFAULT_IDLE_TIMEOUT_MILLIS;
    private long requestTimeoutMillis = DEFAULT_REQUEST_TIMEOUT_MILLIS;
    private long shutdownGraceMillis = DEFAULT_SHUTDOWN_GRACE_MILLIS;
    private boolean cCompat;
    private long workerStackSize;

    private Builder(RequestHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
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

    /** Connection workers kept alive when idle; default {@value ObjectServer#DEFAULT_MIN_WORKERS}. */
    public Builder minWorkers(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("minWorkers < 0");
      }
      this.minWorkers = n;
      return this;
    }

    /** Most connection workers, hence most connections served at once; default {@value ObjectServer#DEFAULT_MAX_WORKERS}. */
    public Builder maxWorkers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxWorkers < 1");
      }
      this.maxWorkers = n;
      return this;
    }

    /** Stack size of connection workers in bytes ({@code thread_pool.worker_stack_size}); 0, the default, is the JVM's. */
    public Builder workerStackSize(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("workerStackSize < 0");
      }
      this.workerStackSize = bytes;
      return this;
    }

    /** Most connections; more are closed at once. Default and upper bound: maxWorkers. */
    public Builder maxConnections(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConnections < 1");
      }
      this.maxConnections = n;
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

    public ObjectServer build() {
      if (unixSocket == null && tcp == null) {
        throw new IllegalStateException("no listener: set unixSocket and/or tcp");
      }
      if (minWorkers > maxWorkers) {
        throw new IllegalStateException("minWorkers (" + minWorkers + ") > maxWorkers (" + maxWorkers + ")");
      }
      if (maxConnections > maxWorkers) {
        throw new IllegalStateException("maxConnections (" + maxConnections + ") > maxWorkers (" + maxWorkers
            + "): every connection needs a worker");
      }
      return new ObjectServer(this);
    }
  }
}
