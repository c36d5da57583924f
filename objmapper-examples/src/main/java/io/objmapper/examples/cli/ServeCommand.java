package io.objmapper.examples.cli;

import io.objmapper.ObjMapper;
import io.objmapper.internal.config.ObjMapperConfig;
import io.objmapper.internal.net.AddressRange;
import io.objmapper.server.ObjectServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @Option(names = "--socket", paramLabel = "PATH",
      description = "Unix socket path (default: the configuration's server.socket_path with --config, else ${DEFAULT-VALUE}).",
      defaultValue = "objmapper.sock")
  Path socket;

  @Option(names = "--tcp", paramLabel = "HOST:PORT",
      description = "Also serve COPY mode over TCP (default: the configuration's server.tcp, if any).")
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
      description = "Put every regular file under DIR into the store as the object /<relative path>, "
          + "replacing objects of the same names (default without --config: the sample objects, "
          + "src-test-data/objects, when present, adding only those not stored yet).")
  Path importDir;

  @Option(names = "--metrics", paramLabel = "HOST:PORT",
      description = "Serve GET /metrics (Prometheus text format) on this address; port 0 picks one.")
  String metrics;

  @Option(names = "--c-compat", description = "The C server's write behaviour, for writers only (--writer-uids, "
      + "--writer-gids): a missing object is created empty and every object comes with a read-write descriptor; "
      + "/delete/<uri> deletes; /list answers UNSUPPORTED_OP. Others read what exists. V1 answers carry no "
      + "metadata, as the C server's.")
  boolean cCompat;

  /** The longest Unix socket path, in bytes: {@code sun_path} holds 108 with its terminating NUL. */
  static final int MAX_SOCKET_PATH_BYTES = 107;

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

  @Option(names = "--max-pending-puts", paramLabel = "N",
      description = "Most puts staged and not yet committed or aborted, over all connections (default: "
          + "server.max_pending_puts, 1024); each holds up to three descriptors.")
  Integer maxPendingPuts;

  @Option(names = "--write-timeout-ms", paramLabel = "MS",
      description = "Close a client that reads nothing of a waiting answer for this long; 0 never (default: server.write_timeout_ms, 10000).")
  Long writeTimeoutMs;

  @Option(names = "--io-threads", paramLabel = "N",
      description = "I/O threads per transport, 1..64 (default: server.io_threads; the processors, at most 4; 16 with --c-compat).")
  Integer ioThreads;

  @Option(names = "--idle-spin-us", paramLabel = "US",
      description = "How long an I/O thread polls for the next request before it sleeps, while one connection is "
          + "the only one served; 0..1000, 0 never (default: server.idle_spin_us, 20).")
  Integer idleSpinUs;

  @Option(names = "--shared-fd-uids", paramLabel = "UID", split = ",",
      description = "Uids of the Unix peers that may negotiate SHARED_FD and share the server's cached "
          + "descriptors (default: the server's own uid; config key server.shared_fd_uids). "
          + "Give an empty value for nobody.")
  List<String> sharedFdUids;

  @Option(names = "--socket-mode", paramLabel = "OCTAL",
      description = "Mode of the socket file, e.g. 0660 or 0600: who can open the socket at all "
          + "(default: server.socket_permissions, 0660).")
  String socketMode;

  @Option(names = "--allow-uids", paramLabel = "UID", split = ",",
      description = "Unix peers that may connect, by uid (the kernel's peer credentials); with --allow-gids, "
          + "a peer whose uid or gid is listed (default: server.allow_uids; none: any peer that can open the socket).")
  List<String> allowUids;

  @Option(names = "--allow-gids", paramLabel = "GID", split = ",",
      description = "Unix peers that may connect, by gid (default: server.allow_gids).")
  List<String> allowGids;

  @Option(names = "--tcp-allow", paramLabel = "CIDR", split = ",",
      description = "TCP sources that may connect, e.g. 10.0.0.0/8,192.0.2.7 (default: server.tcp_allow; "
          + "none: any source, allowed only when --tcp is a loopback address).")
  List<String> tcpAllow;

  @Option(names = "--writer-uids", paramLabel = "UID", split = ",",
      description = "Unix peers, by uid, that may write: create, write and delete (default: server.writer_uids; "
          + "the server's own uid). Give an empty value for no uid.")
  List<String> writerUids;

  @Option(names = "--writer-gids", paramLabel = "GID", split = ",",
      description = "Unix peers, by gid, that may write besides --writer-uids (default: server.writer_gids; none).")
  List<String> writerGids;

  @Override
  public Integer call() throws Exception {
    List<Long> sharedUids = sharedFdUids == null ? null : ids("--shared-fd-uids", "uid", sharedFdUids);
    AccessFlags access = accessFlags(); // bad values are usage errors found before the store is opened
    serverFlags(ObjectServer.builder(uri -> { // so are the server flags' (a builder that serves nothing)
      throw new IllegalStateException("not serving");
    }));
    if (importDir != null && importDir.toString().isEmpty()) { // "--import=": not the working directory
      throw new CommandLine.ParameterException(spec.commandLine(), "--import: empty; name the directory to import");
    }
    Path dir = importDir;
    if (dir == null && config == null && Files.isDirectory(SAMPLE_OBJECTS)) {
      dir = SAMPLE_OBJECTS; // only what is missing: objects already stored under these names are kept
    }
    // Everything that can be wrong with the command is found before anything is imported.
    if (dir != null && (!Files.isDirectory(dir) || !Files.isReadable(dir))) {
      throw new ExitCodes.CommandFailure(ExitCodes.LOCAL_FILE, "--import: cannot read " + dir + ": "
          + (Files.exists(dir) ? (Files.isDirectory(dir) ? "permission denied" : "not a directory") : "no such directory"));
    }
    if (config != null) {
      listenersOf(config);
    }
    checkSocketPath(socket);
    InetSocketAddress tcpAddress = tcp != null ? Endpoints.hostPort(tcp, spec.commandLine()) : null;
    InetSocketAddress metricsAddress = metrics != null ? Endpoints.hostPort(metrics, spec.commandLine()) : null;
    try { // a TCP listener open to other hosts without an allow list: refused before the store is opened
      ObjectServer.checkTcpListener(tcpAddress, access.tcpAllow() != null ? access.tcpAllow() : configTcpAllow);
    } catch (IllegalStateException e) {
      throw new ExitCodes.CommandFailure(ExitCodes.USAGE, e.getMessage(), e);
    }
    try { // a taken address fails before the store is opened (or made)
      ObjectServer.checkAddresses(socket.toAbsolutePath(), tcpAddress,
          udp != null ? Endpoints.hostPort(udp, spec.commandLine()) : null);
      if (metricsAddress != null) {
        try { // the metrics endpoint is a TCP listener too: the same probe
          ObjectServer.checkAddresses(null, metricsAddress, null);
        } catch (IOException e) {
          throw metricsUnavailable(e);
        }
      }
    } catch (IOException e) {
      throw new ExitCodes.CommandFailure(ExitCodes.UNAVAILABLE, StoreOptions.describe(e), e);
    }
    // An import asked for: C2 stays off its methods until it is done (ImportCompilation).
    ImportCompilation compilation = importDir != null ? ImportCompilation.start() : null;
    ObjMapper opened;
    try {
      opened = openStore(); // an invalid configuration fails here, before the import: one line, exit 2
    } catch (IOException e) { // e.g. the store is served by another process: one line, no stack trace
      throw new ExitCodes.CommandFailure(ExitCodes.UNAVAILABLE, "cannot open the store: " + StoreOptions.describe(e), e);
    }
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    MetricsEndpoint endpoint = null;
    if (metricsAddress != null) {
      try {
        endpoint = MetricsEndpoint.start(metricsAddress, opened); // before the import: its progress shows
      } catch (IOException e) {
        opened.close();
        throw metricsUnavailable(e);
      }
    }
    try (ObjMapper store = opened; MetricsEndpoint metricsEndpoint = endpoint) {
      StatsSnapshot snapshot = StatsSnapshot.start(store, StatsSnapshot.location(config, data,
          spec.commandLine().getParseResult().hasMatchedOption("--data")));
      try {
        // The addresses were checked before the store was opened; one taken since fails at start.
        try (ObjectServer built = configure(store, tcpAddress, sharedUids, access)) { // closed unstarted if the import fails
          serve(store, dir, compilation, built, tcpAddress, endpoint, stop);
        }
      } finally {
        if (snapshot != null) {
          snapshot.close(); // before the store closes: the last snapshot, "live": false, needs it open
        }
      }
    }
    System.out.println("stopped");
    return 0;
  }

  /** The access flags as given (null where not given: the configuration's value holds), checked. */
  private record AccessFlags(Integer socketMode, List<Long> allowUids, List<Long> allowGids, List<String> tcpAllow,
      List<Long> writerUids, List<Long> writerGids) {}

  private AccessFlags accessFlags() {
    List<String> ranges = null;
    if (tcpAllow != null) {
      ranges = tcpAllow.stream().filter(c -> !c.isBlank()).map(String::trim).toList();
      for (String c : ranges) {
        try {
          AddressRange.parse(c);
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--tcp-allow: " + e.getMessage());
        }
      }
    }
    return new AccessFlags(socketMode == null ? null : socketMode(socketMode),
        allowUids == null ? null : ids("--allow-uids", "uid", allowUids),
        allowGids == null ? null : ids("--allow-gids", "gid", allowGids), ranges,
        writerUids == null ? null : ids("--writer-uids", "uid", writerUids),
        writerGids == null ? null : ids("--writer-gids", "gid", writerGids));
  }

  /** Uids or gids as {@code flag} lists them (an empty value lists none). */
  private List<Long> ids(String flag, String what, List<String> given) {
    List<Long> ids = new java.util.ArrayList<>();
    for (String u : given) {
      if (u.isBlank()) {
        continue;
      }
      try {
        long id = Long.parseLong(u.trim());
        if (id < 0 || id > 0xFFFF_FFFFL) {
          throw new NumberFormatException();
        }
        ids.add(id);
      } catch (NumberFormatException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), flag + ": not a " + what + ": " + u);
      }
    }
    return ids;
  }

  /** {@code --socket-mode}: three octal digits, optionally after a 0 (no setuid, setgid or sticky bit). */
  private int socketMode(String octal) {
    if (!octal.matches("0?[0-7]{3}")) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--socket-mode: must be an octal mode like 0660 (no setuid, setgid or sticky bit), was " + octal);
    }
    return Integer.parseInt(octal, 8);
  }

  /**
   * Sets the server flags (limits, timeouts, UDP) on {@code b}; a value the builder refuses is
   * a usage error naming the flag.
   */
  private void serverFlags(ObjectServer.Builder b) {
    if (udpAllow != null) {
      flag("--udp-allow", String.join(",", udpAllow), () -> b.udpAllow(udpAllow));
    }
    if (udpRate != null) {
      flag("--udp-rate", udpRate, () -> b.udpAnswersPerSecond(udpRate));
    }
    if (maxConnections != null) {
      flag("--max-connections", maxConnections, () -> b.maxConnections(maxConnections));
    }
    if (maxConnectionsPerPeer != null) {
      flag("--max-connections-per-peer", maxConnectionsPerPeer, () -> b.maxConnectionsPerPeer(maxConnectionsPerPeer));
    }
    if (maxPendingPuts != null) {
      flag("--max-pending-puts", maxPendingPuts, () -> b.maxPendingPuts(maxPendingPuts));
    }
    if (writeTimeoutMs != null) {
      flag("--write-timeout-ms", writeTimeoutMs, () -> b.writeTimeoutMillis(writeTimeoutMs));
    }
    if (ioThreads != null) {
      flag("--io-threads", ioThreads, () -> b.ioThreads(ioThreads));
    }
    if (idleSpinUs != null) {
      flag("--idle-spin-us", idleSpinUs, () -> b.idleSpinMicros(idleSpinUs));
    }
  }

  /**
   * The server of {@code store}: its configuration's settings, then the flags. Built before
   * anything is imported, so that a bad flag or a listener refused (a TCP address open to other
   * hosts without an allow list) fails at once.
   */
  private ObjectServer configure(ObjMapper store, InetSocketAddress tcpAddress, List<Long> sharedUids, AccessFlags access) {
    ObjectServer.Builder b = ObjectServer.builder(store).unixSocket(socket.toAbsolutePath());
    if (cCompat) {
      b.cCompat(true);
    }
    if (sharedUids != null) {
      b.sharedDescriptorUids(sharedUids);
    }
    if (tcpAddress != null) {
      b.tcp(tcpAddress);
    }
    if (udp != null) {
      b.udp(Endpoints.hostPort(udp, spec.commandLine()));
    }
    serverFlags(b);
    try {
      if (access.socketMode() != null) {
        b.socketMode(access.socketMode());
      }
      if (access.allowUids() != null) {
        b.allowUids(access.allowUids());
      }
      if (access.allowGids() != null) {
        b.allowGids(access.allowGids());
      }
      if (access.tcpAllow() != null) {
        b.tcpAllow(access.tcpAllow());
      }
      if (access.writerUids() != null) {
        b.writerUids(access.writerUids());
      }
      if (access.writerGids() != null) {
        b.writerGids(access.writerGids());
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    try {
      return b.build();
    } catch (IllegalStateException e) { // e.g. a TCP listener open to other hosts without an allow list
      throw new ExitCodes.CommandFailure(ExitCodes.USAGE, e.getMessage(), e);
    }
  }

  /** The builder's bounds ("ioThreads not in 1..64", "maxConnections < 1"), said of a flag. */
  private static final java.util.regex.Pattern BOUND =
      java.util.regex.Pattern.compile("[a-zA-Z]+ (?:(not in) (\\S+)|< (\\S+))");

  /** Sets a flag's value on the builder; a value it refuses is a usage error naming the flag. */
  private void flag(String name, Object value, Runnable set) {
    try {
      set.run();
    } catch (IllegalArgumentException e) {
      String why = e.getMessage();
      java.util.regex.Matcher m = BOUND.matcher(why == null ? "" : why);
      if (m.matches()) {
        why = (m.group(1) != null ? "must be in " + m.group(2) : "must be at least " + m.group(3)) + ", was " + value;
      }
      throw new CommandLine.ParameterException(spec.commandLine(), name + ": " + why);
    }
  }

  /** Imports {@code dir} (if any), then starts {@code built} and serves until {@code stop} opens. */
  private void serve(ObjMapper store, Path dir, ImportCompilation compilation, ObjectServer built,
      InetSocketAddress tcpAddress, MetricsEndpoint endpoint, CountDownLatch stop) throws IOException, InterruptedException {
    if (dir != null) {
      // A file that fails is named and skipped: the others are imported and the server starts.
      Importer.Result r;
      try (ImportProgress progress = ImportProgress.forStderr("import", System.err)) {
        r = Importer.importTree(store, dir, "", importDir == null, progress,
            line -> System.err.println("serve: --import: " + ExitCodes.oneLine(line)));
      } finally {
        if (compilation != null) {
          compilation.close(); // what serves from now on is compiled by C2 again
        }
      }
      System.err.println("imported " + r.objects() + " objects from " + dir
          + (r.kept() > 0 ? " (" + r.kept() + " already stored, kept as they were)" : "")
          + (r.failed() > 0 ? " (" + r.failed() + " files failed, named above)" : ""));
    }
    ObjectServer started;
    try {
      started = built.start();
    } catch (IOException e) {
      throw new ExitCodes.CommandFailure(ExitCodes.UNAVAILABLE, "cannot listen on unix:" + socket.toAbsolutePath()
          + (tcpAddress != null ? " tcp:" + tcp : "") + ": " + StoreOptions.describe(e), e);
    }
    try (ObjectServer server = started) {
      StringBuilder line = new StringBuilder("listening on unix:").append(server.unixSocketPath());
      InetSocketAddress t = server.tcpAddress();
      if (t != null) {
        line.append(" tcp:").append(ObjectServer.hostPort(t));
      }
      InetSocketAddress u = server.udpAddress();
      if (u != null) {
        line.append(" udp:").append(ObjectServer.hostPort(u));
      }
      if (endpoint != null) {
        endpoint.bind(server);
        line.append(" metrics:http://").append(ObjectServer.hostPort(endpoint.address())).append("/metrics");
      }
      System.out.println(line);
      System.out.flush();
      stop.await();
    }
  }

  private ObjMapper openStore() throws IOException {
    return StoreOptions.open(config, data, spec.commandLine().getParseResult().hasMatchedOption("--data"), true);
  }

  /**
   * Takes the listeners the configuration file names where the command line names none:
   * {@code server.socket_path} (default {@code /tmp/objmapper.sock}) unless {@code --socket}
   * is given, {@code server.tcp} unless {@code --tcp} is. A missing or invalid file is one line.
   */
  private void listenersOf(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ExitCodes.CommandFailure(ExitCodes.UNAVAILABLE, StoreOptions.noConfigurationFile(file));
    }
    ObjMapperConfig parsed;
    try {
      parsed = ObjMapperConfig.load(file);
    } catch (IllegalArgumentException e) { // the message names the file, the key, its line and column
      throw new ExitCodes.CommandFailure(ExitCodes.USAGE, "invalid configuration: " + e.getMessage());
    }
    if (!spec.commandLine().getParseResult().hasMatchedOption("--socket")) {
      socket = parsed.socketPath();
    }
    if (tcp == null) {
      tcp = parsed.tcpListener().orElse(null);
    }
    configTcpAllow = parsed.serverSettings().access().tcpAllow();
  }

  private ExitCodes.CommandFailure metricsUnavailable(IOException e) {
    String why = StoreOptions.describe(e).replaceFirst("^cannot listen on tcp:\\S+: ", "");
    return new ExitCodes.CommandFailure(ExitCodes.UNAVAILABLE, "--metrics: cannot listen on http://" + metrics + ": " + why, e);
  }

  /** The configuration's {@code server.tcp_allow} (empty without a configuration). */
  private List<String> configTcpAllow = List.of();

  /** Fails unless a server can bind {@code socket}: its directory exists and is writable, and it is short enough. */
  static void checkSocketPath(Path socket) {
    Path abs = socket.toAbsolutePath();
    int bytes = abs.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (bytes > MAX_SOCKET_PATH_BYTES) {
      throw new ExitCodes.CommandFailure(ExitCodes.USAGE, "--socket " + abs + " is " + bytes
          + " bytes long, more than the " + MAX_SOCKET_PATH_BYTES + " a Unix socket path may have");
    }
    Path parent = abs.getParent();
    if (!Files.isDirectory(parent)) {
      throw new ExitCodes.CommandFailure(ExitCodes.LOCAL_FILE, "--socket " + abs + ": no such directory " + parent);
    }
    if (!Files.isWritable(parent)) {
      throw new ExitCodes.CommandFailure(ExitCodes.LOCAL_FILE, "--socket " + abs + ": cannot create it in " + parent
          + ": permission denied");
    }
  }
}
