package io.objmapper.internal.config;

/**
 * The server builder's defaults, one value per setting: {@code
 * io.objmapper.server.ObjectServer}'s {@code DEFAULT_*} constants are these, and the
 * configuration file fills a key it leaves out with the same value. They live here so that the
 * configuration, which the store reads, does not depend on the server (the server depends on
 * the store, never the other way). Public only for {@code ObjectServer}'s constants.
 */
public final class ServerDefaults {
  /** {@code thread_pool.min_workers}. */
  public static final int MIN_WORKERS = 10;
  /** {@code thread_pool.max_workers}: the value the seed configuration documents. */
  public static final int MAX_WORKERS = 100;
  /** {@code protocol.max_pipeline}. */
  public static final int MAX_PIPELINE = 100;
  /** {@code server.idle_timeout_ms}. */
  public static final long IDLE_TIMEOUT_MILLIS = 300_000;
  /** {@code server.request_timeout_ms}. */
  public static final long REQUEST_TIMEOUT_MILLIS = 30_000;
  /** {@code server.shutdown_grace_ms}. */
  public static final long SHUTDOWN_GRACE_MILLIS = 5_000;
  /** {@code server.max_connections}, per transport. */
  public static final int MAX_CONNECTIONS = 8192;
  /** {@code server.max_connections_per_peer}. */
  public static final int MAX_CONNECTIONS_PER_PEER = 4096;
  /** {@code server.max_pending_puts}: puts staged and not yet ended, server-wide. */
  public static final int MAX_PENDING_PUTS = 1024;
  /** {@code server.write_timeout_ms}. */
  public static final long WRITE_TIMEOUT_MILLIS = 10_000;
  /** {@code server.idle_spin_us}: how long an I/O thread polls before it sleeps, for a lone connection. */
  public static final int IDLE_SPIN_MICROS = 20;
  /** Most of {@code server.idle_spin_us}. */
  public static final int MAX_IDLE_SPIN_MICROS = 1000;

  private ServerDefaults() {}
}
