package io.objmapper.internal.config;


import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code server} section (not in the seed file): where the socket server listens and how
 * it treats connections.
 *
 * @param socketPath the Unix socket; absolute, at most {@value #MAX_SOCKET_PATH_BYTES} bytes
 *     in UTF-8 (the limit of a Unix socket address)
 * @param socketPermissions mode of the socket file, written in the file as an octal string
 *     such as {@code "0660"}
 * @param tcp also listen on this TCP address (content is then copied, not passed as an FD);
 *     empty for none
 * @param maxConnections most connections at once per transport (the Unix socket and TCP are
 *     counted apart), {@code >= 1}
 * @param idleTimeoutMs close a connection idle this long; 0 never
 * @param requestTimeoutMs give up on a request after this long; 0 keeps the default (30000),
 *     it does not mean never: every request has one deadline
 * @param shutdownGraceMs on shutdown, how long connections may finish owed responses; 0 none
 * @param cCompat enable the C server's write behaviour (create on miss with a writable FD,
 *     {@code /delete/<uri>}), so that the C project's client and benchmark can run against
 *     this server; off by default, when missing objects are NOT_FOUND and FDs read-only
 * @param maxConnectionsPerPeer most connections of one peer per transport (a uid on the Unix
 *     socket, an address on TCP), {@code >= 1}
 * @param writeTimeoutMs close a connection whose client has read nothing of a waiting answer
 *     for this long; 0 never
 * @param ioThreads I/O threads per transport, 1..64; 0 picks the processors, at most 4
 * @param sharedFdUids {@code shared_fd_uids}: uids of the Unix peers that may negotiate
 *     SHARED_FD (and then share the cached open file description); empty for the default, the
 *     uid the server runs as; an empty list for nobody
 * @param access who may connect ({@code allow_uids}, {@code allow_gids}, {@code tcp_allow})
 *     and who may write ({@code writer_uids}, {@code writer_gids})
 * @param maxPendingPuts most puts of the write extension staged and not yet committed or
 *     aborted, over all connections, {@code >= 1}
 * @param idleSpinUs how long an I/O thread about to sleep first polls for the next request
 *     while one connection is the only one served, in microseconds, 0..{@value
 *     ServerDefaults#MAX_IDLE_SPIN_MICROS}; 0 never
 */
record ServerConfig(Path socketPath, Set<PosixFilePermission> socketPermissions,
    Optional<HostPort> tcp, int maxConnections, long idleTimeoutMs, long requestTimeoutMs,
    long shutdownGraceMs, boolean cCompat, int maxConnectionsPerPeer, long writeTimeoutMs,
    int ioThreads, Optional<List<Long>> sharedFdUids, PeerAccessConfig access, int maxPendingPuts,
    int idleSpinUs) {
  /** Longest socket path in UTF-8 bytes ({@code sun_path} is 108 bytes with its NUL). */
  public static final int MAX_SOCKET_PATH_BYTES = 107;

  private static final Pattern OCTAL_MODE = Pattern.compile("0?([0-7]{3})");

  /**
   * Socket {@code /tmp/objmapper.sock} (the path the seed's client example connects to), mode
   * 0660, no TCP, 8192 connections per transport and 4096 per peer, idle timeout 5 minutes,
   * write timeout 10 s, request timeout 30 s, shutdown grace 5 s, C compatibility off, I/O
   * threads picked from the processors: the server builder's defaults (one default per setting).
   */
  public static final ServerConfig DEFAULTS = new ServerConfig(Path.of("/tmp/objmapper.sock"),
      parsePermissions("socket_permissions", "0660"), Optional.empty(), ServerDefaults.MAX_CONNECTIONS,
      ServerDefaults.IDLE_TIMEOUT_MILLIS, ServerDefaults.REQUEST_TIMEOUT_MILLIS,
      ServerDefaults.SHUTDOWN_GRACE_MILLIS, false, ServerDefaults.MAX_CONNECTIONS_PER_PEER,
      ServerDefaults.WRITE_TIMEOUT_MILLIS, 0);

  /** The settings before the connection limits per peer, the write timeout and the I/O threads: those at their defaults. */
  ServerConfig(Path socketPath, Set<PosixFilePermission> socketPermissions, Optional<HostPort> tcp,
      int maxConnections, long idleTimeoutMs, long requestTimeoutMs, long shutdownGraceMs, boolean cCompat) {
    this(socketPath, socketPermissions, tcp, maxConnections, idleTimeoutMs, requestTimeoutMs, shutdownGraceMs,
        cCompat, ServerDefaults.MAX_CONNECTIONS_PER_PEER, ServerDefaults.WRITE_TIMEOUT_MILLIS, 0);
  }

  /** @throws ConfigException naming the key that is missing or out of range */
  public ServerConfig {
    socketPath = Check.absolute("socket_path", socketPath);
    if (socketPath.getFileName() == null) {
      throw ConfigException.invalid("socket_path", "must name a file, was \"" + socketPath + "\"");
    }
    int bytes = socketPath.toString().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_SOCKET_PATH_BYTES) {
      throw ConfigException.invalid("socket_path", "must be at most " + MAX_SOCKET_PATH_BYTES
          + " bytes (the limit of a Unix socket address), was " + bytes + " bytes");
    }
    socketPermissions = Check.immutable(Check.required("socket_permissions", socketPermissions),
        PosixFilePermission.class);
    Check.required("tcp", tcp);
    Check.atLeast("max_connections", maxConnections, 1);
    Check.atLeast("idle_timeout_ms", idleTimeoutMs, 0);
    Check.atLeast("request_timeout_ms", requestTimeoutMs, 0);
    Check.atLeast("shutdown_grace_ms", shutdownGraceMs, 0);
    Check.atLeast("max_connections_per_peer", maxConnectionsPerPeer, 1);
    Check.atLeast("write_timeout_ms", writeTimeoutMs, 0);
    Check.atLeast("io_threads", ioThreads, 0);
    if (ioThreads > 64) {
      throw ConfigException.invalid("io_threads", "must be at most 64, was " + ioThreads);
    }
    sharedFdUids = Check.required("shared_fd_uids", sharedFdUids).map(ServerConfig::uids);
    Check.required("access", access);
    Check.atLeast("max_pending_puts", maxPendingPuts, 1);
    Check.atLeast("idle_spin_us", idleSpinUs, 0);
    Check.atMost("idle_spin_us", idleSpinUs, ServerDefaults.MAX_IDLE_SPIN_MICROS);
  }

  /** Without {@code idle_spin_us} (its default). */
  ServerConfig(Path socketPath, Set<PosixFilePermission> socketPermissions, Optional<HostPort> tcp,
      int maxConnections, long idleTimeoutMs, long requestTimeoutMs, long shutdownGraceMs, boolean cCompat,
      int maxConnectionsPerPeer, long writeTimeoutMs, int ioThreads, Optional<List<Long>> sharedFdUids,
      PeerAccessConfig access, int maxPendingPuts) {
    this(socketPath, socketPermissions, tcp, maxConnections, idleTimeoutMs, requestTimeoutMs, shutdownGraceMs,
        cCompat, maxConnectionsPerPeer, writeTimeoutMs, ioThreads, sharedFdUids, access, maxPendingPuts,
        ServerDefaults.IDLE_SPIN_MICROS);
  }

  /** Without {@code max_pending_puts} (its default). */
  ServerConfig(Path socketPath, Set<PosixFilePermission> socketPermissions, Optional<HostPort> tcp,
      int maxConnections, long idleTimeoutMs, long requestTimeoutMs, long shutdownGraceMs, boolean cCompat,
      int maxConnectionsPerPeer, long writeTimeoutMs, int ioThreads, Optional<List<Long>> sharedFdUids,
      PeerAccessConfig access) {
    this(socketPath, socketPermissions, tcp, maxConnections, idleTimeoutMs, requestTimeoutMs, shutdownGraceMs,
        cCompat, maxConnectionsPerPeer, writeTimeoutMs, ioThreads, sharedFdUids, access,
        ServerDefaults.MAX_PENDING_PUTS);
  }

  /** Without the access keys (all at their defaults). */
  ServerConfig(Path socketPath, Set<PosixFilePermission> socketPermissions, Optional<HostPort> tcp,
      int maxConnections, long idleTimeoutMs, long requestTimeoutMs, long shutdownGraceMs, boolean cCompat,
      int maxConnectionsPerPeer, long writeTimeoutMs, int ioThreads, Optional<List<Long>> sharedFdUids) {
    this(socketPath, socketPermissions, tcp, maxConnections, idleTimeoutMs, requestTimeoutMs, shutdownGraceMs,
        cCompat, maxConnectionsPerPeer, writeTimeoutMs, ioThreads, sharedFdUids, PeerAccessConfig.DEFAULTS);
  }

  /** Without {@code shared_fd_uids} (the default: the server's own uid). */
  ServerConfig(Path socketPath, Set<PosixFilePermission> socketPermissions, Optional<HostPort> tcp,
      int maxConnections, long idleTimeoutMs, long requestTimeoutMs, long shutdownGraceMs, boolean cCompat,
      int maxConnectionsPerPeer, long writeTimeoutMs, int ioThreads) {
    this(socketPath, socketPermissions, tcp, maxConnections, idleTimeoutMs, requestTimeoutMs, shutdownGraceMs,
        cCompat, maxConnectionsPerPeer, writeTimeoutMs, ioThreads, Optional.empty());
  }

  private static List<Long> uids(List<Long> uids) {
    for (Long uid : uids) {
      if (uid == null || uid < 0 || uid > 0xFFFF_FFFFL) {
        throw ConfigException.invalid("shared_fd_uids", "must list uids (0 to 4294967295), had " + uid);
      }
    }
    return List.copyOf(uids);
  }

  /**
   * Reads a mode such as {@code "0660"} or {@code "660"}: three octal digits, optionally after
   * a leading 0; setuid, setgid and sticky bits are refused.
   *
   * @throws ConfigException naming {@code key} if {@code octal} is not such a mode
   */
  public static Set<PosixFilePermission> parsePermissions(String key, String octal) {
    Matcher m = OCTAL_MODE.matcher(Check.required(key, octal));
    if (!m.matches()) {
      throw ConfigException.invalid(key,
          "must be an octal mode like \"0660\" (no setuid, setgid or sticky bit), was "
              + Check.quote(octal));
    }
    StringBuilder rwx = new StringBuilder(9);
    for (char digit : m.group(1).toCharArray()) {
      int bits = digit - '0';
      rwx.append((bits & 4) != 0 ? 'r' : '-')
          .append((bits & 2) != 0 ? 'w' : '-')
          .append((bits & 1) != 0 ? 'x' : '-');
    }
    return PosixFilePermissions.fromString(rwx.toString());
  }

  /** {@link #socketPermissions} as a four-digit octal string, such as {@code 0660}. */
  public String socketPermissionsOctal() {
    int mode = 0;
    for (PosixFilePermission p : socketPermissions) {
      // The enum lists OWNER_READ (0400) first and OTHERS_EXECUTE (0001) last.
      mode |= 1 << (8 - p.ordinal());
    }
    return String.format("0%03o", mode);
  }

  /** This configuration listening on {@code path} instead. */
  public ServerConfig withSocketPath(Path path) {
    return new ServerConfig(path, socketPermissions, tcp, maxConnections, idleTimeoutMs,
        requestTimeoutMs, shutdownGraceMs, cCompat, maxConnectionsPerPeer, writeTimeoutMs, ioThreads,
        sharedFdUids, access, maxPendingPuts);
  }

  /** This configuration also listening on TCP at {@code address}, or not if it is null. */
  public ServerConfig withTcp(HostPort address) {
    return new ServerConfig(socketPath, socketPermissions, Optional.ofNullable(address),
        maxConnections, idleTimeoutMs, requestTimeoutMs, shutdownGraceMs, cCompat, maxConnectionsPerPeer,
        writeTimeoutMs, ioThreads, sharedFdUids, access, maxPendingPuts);
  }

  /** This configuration with {@code shared_fd_uids} set to {@code uids}. */
  public ServerConfig withSharedFdUids(List<Long> uids) {
    return new ServerConfig(socketPath, socketPermissions, tcp, maxConnections, idleTimeoutMs,
        requestTimeoutMs, shutdownGraceMs, cCompat, maxConnectionsPerPeer, writeTimeoutMs, ioThreads,
        Optional.of(uids), access, maxPendingPuts);
  }

  /** This configuration with the access keys {@code access}. */
  public ServerConfig withAccess(PeerAccessConfig access) {
    return new ServerConfig(socketPath, socketPermissions, tcp, maxConnections, idleTimeoutMs,
        requestTimeoutMs, shutdownGraceMs, cCompat, maxConnectionsPerPeer, writeTimeoutMs, ioThreads,
        sharedFdUids, access, maxPendingPuts);
  }
}
