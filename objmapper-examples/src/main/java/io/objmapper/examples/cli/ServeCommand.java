package io.objmapper.examples.cli;

import io.objmapper.ObjMapper;
import io.objmapper.server.ObjectServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code serve}: opens a store and serves it until SIGTERM or SIGINT, then shuts down
 * gracefully and exits 0. Meanwhile it keeps the snapshot {@code stats} answers from while
 * the store is held ({@link StatsSnapshot}).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve a store on a Unix socket (and optionally TCP and UDP) until SIGTERM.")
public final class ServeCommand implements Callable<Integer> {
  /** Where the sample objects live in a checkout. */
  static final Path SAMPLE_OBJECTS = Path.of("src-test-data", "objects");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--socket", paramLabel = "PATH", description = "Unix socket path (default: ${DEFAULT-VALUE}).",
      defaultValue = "objmapper.sock")
  Path socket;

  @Option(names = "--tcp", paramLabel = "HOST:PORT", description = "Also serve COPY mode over TCP.")
  String tcp;

  @Option(names = "--config", paramLabel = "FILE",
      description = "A JSON configuration (tiers, index, server settings); its paths are used as written.")
  Path config;

  @Option(names = "--data", paramLabel = "DIR",
      description = "Data directory: without --config, a memory tier and a persistent fs tier DIR/disk; "
          + "with --config, every tier is moved under DIR (default: ${DEFAULT-VALUE}).",
      defaultValue = "objmapper-data")
  Path data;

  @Option(names = "--import", paramLabel = "DIR",
      description = "Put every regular file under DIR into the store as the object /<relative path> "
          + "(default without --config: the sample objects, src-test-data/objects, when present).")
  Path importDir;

  @Option(names = "--c-compat", description = "The C server's answers to /delete/<uri> and /list.")
  boolean cCompat;

  @Option(names = "--udp", paramLabel = "HOST:PORT",
      description = "Also answer V1 COPY requests over UDP, one per datagram (loopback sources only, unless --udp-allow).")
  String udp;

  @Option(names = "--udp-allow", paramLabel = "CIDR", split = ",",
      description = "Non-loopback UDP sources to answer (e.g. 10.0.0.0/8,192.0.2.7), rate-limited per source.")
  List<String> udpAllow;

  @Option(names = "--udp-rate", paramLabel = "N",
      description = "Most UDP answers a second to one non-loopback source (default: 100).")
  Integer udpRate;

  @Option(names = "--max-connections", paramLabel = "N",
      description = "Most connections per transport, Unix and TCP counted apart (default: server.max_connections, 8192).")
  Integer maxConnections;

  @Option(names = "--max-connections-per-peer", paramLabel = "N",
      description = "Most connections of one uid (Unix) or address (TCP) per transport (default: server.max_connections_per_peer, 4096).")
  Integer maxConnectionsPerPeer;

  @Option(names = "--write-timeout-ms", paramLabel = "MS",
      description = "Close a client that reads nothing of a waiting answer for this long; 0 never (default: server.write_timeout_ms, 10000).")
  Long writeTimeoutMs;

  @Option(names = "--io-threads", paramLabel = "N",
      description = "I/O threads per transport, 1..64 (default: server.io_threads; the processors, at most 4).")
  Integer ioThreads;

  @Option(names = "--shared-fd-uids", paramLabel = "UID", split = ",",
      description = "Uids of the Unix peers that may negotiate SHARED_FD and share the server's cached "
          + "descriptors (default: the server's own uid; config key server.shared_fd_uids). "
          + "Give an empty value for nobody.")
  List<String> sharedFdUids;

  @Override
  public Integer call() throws Exception {
    List<Long> sharedUids = sharedFdUids == null ? null : uids(sharedFdUids);
    Path dir = importDir;
    if (dir == null && config == null && Files.isDirectory(SAMPLE_OBJECTS)) {
      dir = SAMPLE_OBJECTS;
    }
    if (dir != null && !Files.isDirectory(dir)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--import: not a directory: " + dir);
    }
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    ObjMapper opened;
    try {
      opened = openStore();
    } catch (IOException e) { // e.g. the store is served by another process: one line, no stack trace
      System.err.println("serve: cannot open the store: " + StoreOptions.describe(e));
      return 1;
    }
    try (ObjMapper store = opened) {
      StatsSnapshot snapshot = StatsSnapshot.start(store, StatsSnapshot.location(config, data,
          spec.commandLine().getParseResult().hasMatchedOption("--data")));
      try {
        serve(store, dir, stop, sharedUids);
      } finally {
        if (snapshot != null) {
          snapshot.close(); // before the store closes: the last snapshot, "live": false, needs it open
        }
      }
    }
    System.out.println("stopped");
    return 0;
  }

  private List<Long> uids(List<String> given) {
    List<Long> uids = new java.util.ArrayList<>();
    for (String u : given) {
      if (u.isBlank()) {
        continue;
      }
      try {
        long uid = Long.parseLong(u.trim());
        if (uid < 0 || uid > 0xFFFF_FFFFL) {
          throw new NumberFormatException();
        }
        uids.add(uid);
      } catch (NumberFormatException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--shared-fd-uids: not a uid: " + u);
      }
    }
    return uids;
  }

  /** Imports {@code dir} (if any), then serves {@code store} until {@code stop} opens. */
  private void serve(ObjMapper store, Path dir, CountDownLatch stop, List<Long> sharedUids)
      throws IOException, InterruptedException {
    if (dir != null) {
      long n = importTree(store, dir);
      System.err.println("imported " + n + " objects from " + dir);
    }
    ObjectServer.Builder b = ObjectServer.builder(store).unixSocket(socket.toAbsolutePath());
    if (cCompat) {
      b.cCompat(true);
    }
    if (sharedUids != null) {
      b.sharedDescriptorUids(sharedUids);
    }
    if (tcp != null) {
      b.tcp(Endpoints.hostPort(tcp, spec.commandLine()));
    }
    if (udp != null) {
      b.udp(Endpoints.hostPort(udp, spec.commandLine()));
    }
    try {
      if (udpAllow != null) {
        b.udpAllow(udpAllow);
      }
      if (udpRate != null) {
        b.udpAnswersPerSecond(udpRate);
      }
      if (maxConnections != null) {
        b.maxConnections(maxConnections);
      }
      if (maxConnectionsPerPeer != null) {
        b.maxConnectionsPerPeer(maxConnectionsPerPeer);
      }
      if (writeTimeoutMs != null) {
        b.writeTimeoutMillis(writeTimeoutMs);
      }
      if (ioThreads != null) {
        b.ioThreads(ioThreads);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    try (ObjectServer server = b.build().start()) {
      StringBuilder line = new StringBuilder("listening on unix:").append(server.unixSocketPath());
      InetSocketAddress t = server.tcpAddress();
      if (t != null) {
        line.append(" tcp:").append(ObjectServer.hostPort(t));
      }
      InetSocketAddress u = server.udpAddress();
      if (u != null) {
        line.append(" udp:").append(ObjectServer.hostPort(u));
      }
      System.out.println(line);
      System.out.flush();
      stop.await();
    }
  }

  private ObjMapper openStore() throws IOException {
    return StoreOptions.open(config, data, spec.commandLine().getParseResult().hasMatchedOption("--data"), true);
  }

  /** Puts every regular file under {@code root} as {@code /<relative path>}; returns the count. */
  static long importTree(ObjMapper store, Path root) throws IOException {
    long[] n = {0};
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          StringBuilder name = new StringBuilder();
          for (Path part : root.relativize(file)) {
            name.append('/').append(part);
          }
          store.put(name.toString(), file);
          n[0]++;
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return n[0];
  }
}
