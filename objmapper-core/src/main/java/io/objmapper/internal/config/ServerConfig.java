package io.objmapper.internal.config;

import io.objmapper.server.ObjectServer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
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
 * @param maxConnections most connections at once, {@code >= 1}
 * @param idleTimeoutMs close a connection idle this long; 0 never
 * @param requestTimeoutMs give up on a request after this long; 0 never
 * @param shutdownGraceMs on shutdown, how long connections may finish owed responses; 0 none
 * @param cCompat enable the C server's write behaviour (create on miss with a writable FD,
 *     {@code /delete/<uri>}), so that the C project's client and benchmark can run against
 *     this server; off by default, when missing objects are NOT_FOUND and FDs read-only
 */
record ServerConfig(Path socketPath, Set<PosixFilePermission> socketPermissions,
    Optional<HostPort> tcp, int maxConnections, long idleTimeoutMs, long requestTimeoutMs,
    long shutdownGraceMs, boolean cCompat) {
  /** Longest socket path in UTF-8 bytes ({@code sun_path} is 108 bytes with its NUL). */
  public static final int MAX_SOCKET_PATH_BYTES = 107;

  private static final Pattern OCTAL_MODE = Pattern.compile("0?([0-7]{3})");

  /**
   * Socket {@code /tmp/objmapper.sock} (the path the seed's client example connects to), mode
   * 0660, no TCP, 1024 connections, idle timeout 5 minutes, request timeout 30 s, shutdown
   * grace 5 s, C compatibility off: the server builder's defaults (one default per setting).
   */
  public static final ServerConfig DEFAULTS = new ServerConfig(Path.of("/tmp/objmapper.sock"),
      parsePermissions("socket_permissions", "0660"), Optional.empty(), 1024,
      ObjectServer.DEFAULT_IDLE_TIMEOUT_MILLIS, ObjectServer.DEFAULT_REQUEST_TIMEOUT_MILLIS,
      ObjectServer.DEFAULT_SHUTDOWN_GRACE_MILLIS, false);

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
        requestTimeoutMs, shutdownGraceMs, cCompat);
  }

  /** This configuration also listening on TCP at {@code address}, or not if it is null. */
  public ServerConfig withTcp(HostPort address) {
    return new ServerConfig(socketPath, socketPermissions, Optional.ofNullable(address),
        maxConnections, idleTimeoutMs, requestTimeoutMs, shutdownGraceMs, cCompat);
  }
}
