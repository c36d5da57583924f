package io.objmapper.internal.config;

import io.objmapper.ObjMapper;
import io.objmapper.protocol.Capability;
import io.objmapper.spi.TierConfig;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A complete, checked objmapper configuration: the sections of the configuration file.
 * Public only for {@link ObjMapper.Builder#configFile}, which gives it to the public builders
 * ({@link #tierConfigs()}, {@link #configure(ObjMapper.Builder)},
 * {@link #serverSettings()}); no other module uses it.
 *
 * <p>Read one with {@link #load(Path)} or {@link #parse(String)}; build one in code with
 * {@link #of(List)} and the {@code with...} methods. Every instance is valid: each section
 * checks its own values, and this record checks what spans backends (unique names, mount
 * paths neither shared nor nested, index files not shared).
 *
 * <pre>{@code
 * ObjMapperConfig config = ObjMapperConfig.load(Path.of("/etc/objmapper.conf"))
 *     .withDataDirectory(Path.of("/var/tmp/objmapper-test"));
 * }</pre>
 *
 * @param threadPool the {@code thread_pool} section
 * @param protocol the {@code protocol} section
 * @param index the {@code index} section
 * @param backends the {@code backends} array, at least one, in file order
 * @param lifecycle the {@code lifecycle} section
 * @param server the {@code server} section
 */
public record ObjMapperConfig(ThreadPoolConfig threadPool, ProtocolConfig protocol,
    IndexConfig index, List<BackendConfig> backends, LifecycleConfig lifecycle,
    ServerConfig server) {

  /**
   * @throws ConfigException if there is no backend, or two backends share a name, a mount
   *     path (or one lies inside the other's) or a persisted index file
   */
  public ObjMapperConfig {
    Objects.requireNonNull(threadPool, "threadPool");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(lifecycle, "lifecycle");
    Objects.requireNonNull(server, "server");
    backends = List.copyOf(Check.required("backends", backends));
    if (backends.isEmpty()) {
      throw ConfigException.invalid("backends", "at least one backend is required");
    }
    if (backends.size() > io.objmapper.ObjMapper.Builder.MAX_TIERS) {
      throw ConfigException.invalid("backends", "at most " + io.objmapper.ObjMapper.Builder.MAX_TIERS
          + " backends (a tier's id is one byte on the wire), was " + backends.size());
    }
    checkAcrossBackends(backends);
  }

  /**
   * Reads and checks the configuration file at {@code file}: JSON with {@code /* *}{@code /}
   * and {@code //} comments, as in the seed's example.
   *
   * @throws ConfigException for any problem, naming the key, the file, and the line and column
   */
  public static ObjMapperConfig load(Path file) {
    return ConfigLoader.load(file);
  }

  /**
   * A problem found after {@code file} was loaded (a tier type no provider has, options the
   * tier refuses), at JSON path {@code path}: located in the file, read again, as a load's
   * problems are; without line and column if it cannot be read now.
   */
  public static io.objmapper.ConfigurationException problemIn(Path file, String path, String reason,
      Throwable cause) {
    return ConfigLoader.locate(file, ConfigException.invalid(path, reason, cause)).toPublic();
  }

  /**
   * Reads and checks a configuration given as text.
   *
   * @throws ConfigException for any problem, naming the key and the line and column
   */
  public static ObjMapperConfig parse(String json) {
    return ConfigLoader.parse(json, null);
  }

  /** The given backends with every other section at its defaults. */
  static ObjMapperConfig of(List<BackendConfig> backends) {
    return new ObjMapperConfig(ThreadPoolConfig.DEFAULTS, ProtocolConfig.DEFAULTS,
        IndexConfig.DEFAULTS, backends, LifecycleConfig.DEFAULTS, ServerConfig.DEFAULTS);
  }

  /**
   * This configuration with every backend rooted where {@code newMountPath} says; each index
   * file follows its backend as {@link BackendConfig#relocatedTo} describes.
   *
   * @throws ConfigException if the new paths are not absolute, or collide
   */
  ObjMapperConfig withBackendRoots(Function<BackendConfig, Path> newMountPath) {
    List<BackendConfig> moved = new ArrayList<>(backends.size());
    for (int i = 0; i < backends.size(); i++) {
      BackendConfig b = backends.get(i);
      try {
        moved.add(b.relocatedTo(newMountPath.apply(b)));
      } catch (ConfigException e) {
        throw e.under("backends[" + i + "]");
      }
    }
    return withBackends(moved);
  }

  /**
   * This configuration with every backend moved under {@code directory}, keeping the last
   * element of its mount path: {@code /mnt/objmapper/nvme} becomes {@code directory/nvme},
   * and its index {@code directory/nvme/.objmapper_index}. This is what tests and the
   * launcher's {@code --data} option use. The socket path is left alone.
   *
   * @throws ConfigException if two backends' mount paths end in the same element
   */
  public ObjMapperConfig withDataDirectory(Path directory) {
    Path root = directory.toAbsolutePath().normalize();
    // A backend without a mount path (a bucket) keeps only its index file there.
    return withBackendRoots(b -> b.mountPath() == null ? root
        : root.resolve(b.mountPath().getFileName().toString()));
  }

  /**
   * The tiers of the {@code backends} array, each one's id its position: what
   * {@link BackendConfig#tierConfig} gives {@link io.objmapper.spi.TierConfig#builder()}.
   */
  public List<TierConfig> tierConfigs() {
    List<TierConfig> tiers = new ArrayList<>(backends.size());
    for (int i = 0; i < backends.size(); i++) {
      tiers.add(backends.get(i).tierConfig(i));
    }
    return tiers;
  }

  /**
   * Gives the {@code index} and {@code lifecycle} sections to the store builder's public
   * setters, as a Java user would ({@code backends} are the builder's to place: see
   * {@link #tierConfigs()}).
   */
  public ObjMapper.Builder configure(ObjMapper.Builder store) {
    for (BackendConfig b : backends) {
      if (b.expectedObjects() > 0) {
        store.expectedObjects(b.name(), b.expectedObjects());
      }
    }
    return store.maxOpenFds(index.maxOpenFds())
        .fdEvictThreshold(index.fdEvictThreshold())
        .globalIndexEntries(index.globalBuckets())
        .persistIndexes(index.enablePersistence())
        .lifecycle(lifecycle.policy());
  }

  /**
   * The {@code thread_pool}, {@code protocol} and {@code server} sections, for a server
   * builder's public setters (the server applies them, as a Java user would). The listeners
   * ({@code socket_path}, {@code tcp}) are left to the caller, who may move them.
   * Capabilities this implementation cannot negotiate (COMPRESSION, MULTIPLEXING) are not
   * offered.
   */
  public ServerSettings serverSettings() {
    Set<Capability> offered = EnumSet.noneOf(Capability.class);
    for (Capability c : protocol.capabilities()) {
      if (c.supported()) {
        offered.add(c);
      }
    }
    return new ServerSettings(threadPool.minWorkers(), threadPool.maxWorkers(),
        threadPool.workerStackSize(), protocol.maxPipeline(), offered, server.socketPermissions(),
        server.maxConnections(), server.maxConnectionsPerPeer(), server.writeTimeoutMs(),
        server.idleTimeoutMs(), server.shutdownGraceMs(), server.cCompat(),
        server.requestTimeoutMs(), server.ioThreads(), server.sharedFdUids(), server.access(),
        server.maxPendingPuts(), server.idleSpinUs());
  }

  /**
   * The Unix socket a server of this configuration listens on: {@code server.socket_path}
   * (default {@code /tmp/objmapper.sock}, the C server's).
   */
  public Path socketPath() {
    return server.socketPath();
  }

  /** The TCP listener {@code server.tcp} as {@code host:port}, if the file names one. */
  public Optional<String> tcpListener() {
    return server.tcp().map(HostPort::toString);
  }

  /** This configuration with another {@code thread_pool} section. */
  ObjMapperConfig withThreadPool(ThreadPoolConfig threadPool) {
    return new ObjMapperConfig(threadPool, protocol, index, backends, lifecycle, server);
  }

  /** This configuration with another {@code protocol} section. */
  ObjMapperConfig withProtocol(ProtocolConfig protocol) {
    return new ObjMapperConfig(threadPool, protocol, index, backends, lifecycle, server);
  }

  /** This configuration with another {@code index} section. */
  ObjMapperConfig withIndex(IndexConfig index) {
    return new ObjMapperConfig(threadPool, protocol, index, backends, lifecycle, server);
  }

  /** This configuration with another {@code backends} array. */
  ObjMapperConfig withBackends(List<BackendConfig> backends) {
    return new ObjMapperConfig(threadPool, protocol, index, backends, lifecycle, server);
  }

  /** This configuration with another {@code lifecycle} section. */
  ObjMapperConfig withLifecycle(LifecycleConfig lifecycle) {
    return new ObjMapperConfig(threadPool, protocol, index, backends, lifecycle, server);
  }

  /** This configuration with another {@code server} section. */
  ObjMapperConfig withServer(ServerConfig server) {
    return new ObjMapperConfig(threadPool, protocol, index, backends, lifecycle, server);
  }

  private static void checkAcrossBackends(List<BackendConfig> backends) {
    Map<String, Integer> names = new HashMap<>();
    Map<Path, Integer> indexFiles = new HashMap<>();
    for (int i = 0; i < backends.size(); i++) {
      BackendConfig b = backends.get(i);
      String at = "backends[" + i + "]";
      try {
        b.tierConfig(i); // the builder a Java user calls accepts it too
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw ConfigException.invalid(at, "not a valid tier: " + e.getMessage(), e);
      }
      Integer first = names.putIfAbsent(b.name(), i);
      if (first != null) {
        throw ConfigException.invalid(at + ".name", "duplicate name " + Check.quote(b.name())
            + " (already used by backends[" + first + "])");
      }
      for (int j = 0; j < i && b.mountPath() != null; j++) {
        Path other = backends.get(j).mountPath();
        if (other == null) {
          continue;
        }
        if (b.mountPath().equals(other)) {
          throw ConfigException.invalid(at + ".mount_path", "\"" + b.mountPath()
              + "\" is also the mount_path of backends[" + j + "]");
        }
        if (b.mountPath().startsWith(other) || other.startsWith(b.mountPath())) {
          throw ConfigException.invalid(at + ".mount_path", "\"" + b.mountPath()
              + "\" and the mount_path of backends[" + j + "] (\"" + other
              + "\") lie inside one another");
        }
      }
      if (b.persistIndex()) {
        first = indexFiles.putIfAbsent(b.indexPath(), i);
        if (first != null) {
          throw ConfigException.invalid(at + ".index_path", "\"" + b.indexPath()
              + "\" is also the index_path of backends[" + first + "]");
        }
      }
    }
  }
}
