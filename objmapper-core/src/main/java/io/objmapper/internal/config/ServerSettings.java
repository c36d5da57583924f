package io.objmapper.internal.config;

import io.objmapper.protocol.Capability;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the configuration file's {@code thread_pool}, {@code protocol} and {@code server}
 * sections say a server should run with, for the server's builder to take (the server reads
 * the configuration; the configuration knows nothing of the server). Keys left out hold
 * {@link ServerDefaults}. Public only for {@code io.objmapper.server}.
 *
 * @param capabilities the capabilities to offer: those the file lists that this
 *     implementation can negotiate (COMPRESSION and MULTIPLEXING are left out)
 * @param requestTimeoutMillis 0 when the file says "never"
 * @param ioThreads 0 when the file leaves the choice to the server
 * @param sharedFdUids empty when the file leaves the default (the server's own uid)
 * @param access who may connect and who may write
 * @param idleSpinMicros how long an I/O thread polls before it sleeps, for a lone connection
 */
public record ServerSettings(int minWorkers, int maxWorkers, long workerStackSize, int maxPipeline,
    Set<Capability> capabilities, Set<PosixFilePermission> socketPermissions, int maxConnections,
    int maxConnectionsPerPeer, long writeTimeoutMillis, long idleTimeoutMillis,
    long shutdownGraceMillis, boolean cCompat, long requestTimeoutMillis, int ioThreads,
    Optional<List<Long>> sharedFdUids, PeerAccessConfig access, int maxPendingPuts, int idleSpinMicros) {
  public ServerSettings {
    capabilities = Set.copyOf(capabilities);
    socketPermissions = Set.copyOf(socketPermissions);
  }
}
