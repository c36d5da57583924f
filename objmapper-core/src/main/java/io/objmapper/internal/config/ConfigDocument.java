package io.objmapper.internal.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.objmapper.protocol.Capability;
import io.objmapper.spi.TierFlag;
import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The configuration file as Jackson binds it: one field per key, named as in the file,
 * holding the default until the file sets it. {@link #toConfig()} turns it into the checked
 * records, putting the section's path in front of any problem they report.
 *
 * <p>Only fields annotated with {@link JsonProperty} are keys (the loader turns off every
 * other auto-detection), so the annotations here are the complete list of accepted keys.
 */
final class ConfigDocument {
  @JsonProperty("thread_pool")
  ThreadPool threadPool = new ThreadPool();

  @JsonProperty("protocol")
  Protocol protocol = new Protocol();

  @JsonProperty("index")
  Index index = new Index();

  /** Null when the file has no {@code backends} key. */
  @JsonProperty("backends")
  List<Backend> backends;

  @JsonProperty("lifecycle")
  Lifecycle lifecycle = new Lifecycle();

  @JsonProperty("server")
  Server server = new Server();

  ObjMapperConfig toConfig() {
    if (backends == null) {
      throw ConfigException.invalid("backends", "missing; at least one backend is required");
    }
    List<BackendConfig> checked = new ArrayList<>(backends.size());
    for (int i = 0; i < backends.size(); i++) {
      Backend b = backends.get(i);
      checked.add(within("backends[" + i + "]", b::toConfig));
    }
    return new ObjMapperConfig(
        within("thread_pool", threadPool::toConfig),
        within("protocol", protocol::toConfig),
        within("index", index::toConfig),
        checked,
        within("lifecycle", lifecycle::toConfig),
        within("server", server::toConfig));
  }

  private static <T> T within(String path, Supplier<T> section) {
    try {
      return section.get();
    } catch (ConfigException e) {
      throw e.under(path);
    }
  }

  private static Path path(String key, String text) {
    if (text == null) {
      return null;
    }
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw ConfigException.invalid(key, "not a valid path: " + e.getReason(), e);
    }
  }

  static final class ThreadPool {
    @JsonProperty("min_workers")
    int minWorkers = ThreadPoolConfig.DEFAULTS.minWorkers();

    @JsonProperty("max_workers")
    int maxWorkers = ThreadPoolConfig.DEFAULTS.maxWorkers();

    @JsonProperty("worker_stack_size")
    long workerStackSize = ThreadPoolConfig.DEFAULTS.workerStackSize();

    ThreadPoolConfig toConfig() {
      return new ThreadPoolConfig(minWorkers, maxWorkers, workerStackSize);
    }
  }

  static final class Protocol {
    @JsonProperty("version")
    int version = ProtocolConfig.DEFAULTS.version();

    @JsonProperty("max_pipeline")
    int maxPipeline = ProtocolConfig.DEFAULTS.maxPipeline();

    @JsonProperty("capabilities")
    List<String> capabilities = ProtocolConfig.DEFAULTS.capabilities().stream()
        .map(Capability::name).toList();

    ProtocolConfig toConfig() {
      return new ProtocolConfig(version, maxPipeline, Check.enumSet("capabilities", "capability",
          capabilities, Capability.class, Capability::name));
    }
  }

  static final class Index {
    @JsonProperty("global_buckets")
    int globalBuckets = IndexConfig.DEFAULTS.globalBuckets();

    @JsonProperty("max_open_fds")
    int maxOpenFds = IndexConfig.DEFAULTS.maxOpenFds();

    @JsonProperty("fd_evict_threshold")
    double fdEvictThreshold = IndexConfig.DEFAULTS.fdEvictThreshold();

    @JsonProperty("enable_persistence")
    boolean enablePersistence = IndexConfig.DEFAULTS.enablePersistence();

    @JsonProperty("sync_interval_secs")
    long syncIntervalSecs = IndexConfig.DEFAULTS.syncIntervalSecs();

    IndexConfig toConfig() {
      return new IndexConfig(globalBuckets, maxOpenFds, fdEvictThreshold, enablePersistence,
          syncIntervalSecs);
    }
  }

  static final class Backend {
    @JsonProperty("name")
    String name;

    @JsonProperty("type")
    String type;

    @JsonProperty("mount_path")
    String mountPath;

    @JsonProperty("capacity_gb")
    BigDecimal capacityGb;

    @JsonProperty("perf_factor")
    double perfFactor = BackendConfig.DEFAULT_PERF_FACTOR;

    @JsonProperty("flags")
    List<String> flags = BackendConfig.DEFAULT_FLAGS.stream()
        .sorted().map(TierFlag::configName).toList();

    @JsonProperty("persist_index")
    boolean persistIndex;

    /** Null for the default, {@code mount_path/.objmapper_index}. */
    @JsonProperty("index_path")
    String indexPath;

    /** Strings the backend's tier type reads (an s3 backend's bucket, endpoint, ...). */
    @JsonProperty("options")
    java.util.LinkedHashMap<String, String> options;
    /** Null for the store's default sizing of a new index file. */
    @JsonProperty("expected_objects")
    Long expectedObjects;

    BackendConfig toConfig() {
      Check.required("name", name);
      Check.required("type", type);
      if (!BackendConfig.TYPES_WITHOUT_MOUNT_PATH.contains(type)) {
        Check.required("mount_path", mountPath);
      }
      long capacityBytes = capacityGb == null ? io.objmapper.spi.TierConfig.UNLIMITED
          : BackendConfig.gigabytesToBytes("capacity_gb", capacityGb);
      return new BackendConfig(name, type, path("mount_path", mountPath), capacityBytes,
          perfFactor, Check.enumSet("flags", "flag", flags, TierFlag.class,
              TierFlag::configName),
          persistIndex, path("index_path", indexPath), options, expectedObjects(expectedObjects));
    }
  }

  /** {@code expected_objects}: absent is 0 (the default); present, it must be {@code > 0}. */
  private static long expectedObjects(Long value) {
    if (value == null) {
      return 0;
    }
    if (value < 1) {
      throw ConfigException.invalid("expected_objects", "must be > 0, was " + value);
    }
    return value;
  }

  static final class Lifecycle {
    @JsonProperty("hot_threshold")
    double hotThreshold = LifecycleConfig.DEFAULTS.hotThreshold();

    @JsonProperty("cold_threshold")
    double coldThreshold = LifecycleConfig.DEFAULTS.coldThreshold();

    @JsonProperty("evict_when_full")
    double evictWhenFull = LifecycleConfig.DEFAULTS.evictWhenFull();

    @JsonProperty("evict_target")
    double evictTarget = LifecycleConfig.DEFAULTS.evictTarget();

    @JsonProperty("hotness_decay_secs")
    long hotnessDecaySecs = LifecycleConfig.DEFAULTS.hotnessDecaySecs();

    @JsonProperty("migration_batch_size")
    int migrationBatchSize = LifecycleConfig.DEFAULTS.migrationBatchSize();

    @JsonProperty("interval_ms")
    long intervalMs = LifecycleConfig.DEFAULTS.intervalMs();

    @JsonProperty("busy_requests_per_sec")
    long busyRequestsPerSec = LifecycleConfig.DEFAULTS.busyRequestsPerSec();

    LifecycleConfig toConfig() {
      return new LifecycleConfig(hotThreshold, coldThreshold, evictWhenFull, evictTarget,
          hotnessDecaySecs, migrationBatchSize, intervalMs, busyRequestsPerSec);
    }
  }

  static final class Server {
    @JsonProperty("socket_path")
    String socketPath = ServerConfig.DEFAULTS.socketPath().toString();

    @JsonProperty("socket_permissions")
    String socketPermissions = ServerConfig.DEFAULTS.socketPermissionsOctal();

    /** Null for no TCP listener. */
    @JsonProperty("tcp")
    String tcp;

    @JsonProperty("max_connections")
    int maxConnections = ServerConfig.DEFAULTS.maxConnections();

    @JsonProperty("idle_timeout_ms")
    long idleTimeoutMs = ServerConfig.DEFAULTS.idleTimeoutMs();

    @JsonProperty("request_timeout_ms")
    long requestTimeoutMs = ServerConfig.DEFAULTS.requestTimeoutMs();

    @JsonProperty("shutdown_grace_ms")
    long shutdownGraceMs = ServerConfig.DEFAULTS.shutdownGraceMs();

    @JsonProperty("c_compat")
    boolean cCompat = ServerConfig.DEFAULTS.cCompat();

    @JsonProperty("max_connections_per_peer")
    int maxConnectionsPerPeer = ServerConfig.DEFAULTS.maxConnectionsPerPeer();

    @JsonProperty("write_timeout_ms")
    long writeTimeoutMs = ServerConfig.DEFAULTS.writeTimeoutMs();

    @JsonProperty("max_pending_puts")
    int maxPendingPuts = ServerConfig.DEFAULTS.maxPendingPuts();

    @JsonProperty("io_threads")
    int ioThreads = ServerConfig.DEFAULTS.ioThreads();

    @JsonProperty("idle_spin_us")
    int idleSpinUs = ServerConfig.DEFAULTS.idleSpinUs();

    /** Null for the default (the server's own uid). */
    @JsonProperty("shared_fd_uids")
    List<Long> sharedFdUids;

    @JsonProperty("allow_uids")
    List<Long> allowUids = PeerAccessConfig.DEFAULTS.allowUids();

    @JsonProperty("allow_gids")
    List<Long> allowGids = PeerAccessConfig.DEFAULTS.allowGids();

    @JsonProperty("tcp_allow")
    List<String> tcpAllow = PeerAccessConfig.DEFAULTS.tcpAllow();

    /** Null for the default (the server's own uid). */
    @JsonProperty("writer_uids")
    List<Long> writerUids;

    @JsonProperty("writer_gids")
    List<Long> writerGids = PeerAccessConfig.DEFAULTS.writerGids();

    ServerConfig toConfig() {
      return new ServerConfig(path("socket_path", socketPath),
          ServerConfig.parsePermissions("socket_permissions", socketPermissions),
          Optional.ofNullable(tcp).map(t -> HostPort.parse("tcp", t)), maxConnections,
          idleTimeoutMs, requestTimeoutMs, shutdownGraceMs, cCompat, maxConnectionsPerPeer, writeTimeoutMs,
          ioThreads, Optional.ofNullable(sharedFdUids),
          new PeerAccessConfig(allowUids, allowGids, tcpAllow, Optional.ofNullable(writerUids), writerGids),
          maxPendingPuts, idleSpinUs);
    }
  }
}
