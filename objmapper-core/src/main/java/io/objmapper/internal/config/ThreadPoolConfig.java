package io.objmapper.internal.config;


/**
 * The {@code thread_pool} section, kept for the seed configuration's files: connections take
 * no worker (I/O threads multiplex them), so {@code min_workers} and {@code max_workers} are
 * checked and passed to the server builder, which bounds nothing with them; see README's
 * configuration keys.
 *
 * @param minWorkers workers kept alive when idle, {@code >= 0}
 * @param maxWorkers most workers at once, {@code >= 1} and {@code >= minWorkers}
 * @param workerStackSize stack size of a worker thread in bytes; {@code 0} means the JVM's
 *     default ({@code -Xss}), otherwise at least {@value #MIN_STACK_SIZE}
 */
record ThreadPoolConfig(int minWorkers, int maxWorkers, long workerStackSize) {
  /** Smallest non-zero {@code worker_stack_size} accepted (64 KiB). */
  public static final long MIN_STACK_SIZE = 64 * 1024;

  /**
   * The server builder's defaults (one default per setting): 10 to 100 workers
   * ({@link ServerDefaults#MIN_WORKERS}, {@link ServerDefaults#MAX_WORKERS}, the
   * seed configuration's values) with the JVM's default stack size.
   */
  public static final ThreadPoolConfig DEFAULTS = new ThreadPoolConfig(
      ServerDefaults.MIN_WORKERS, ServerDefaults.MAX_WORKERS, 0);

  /** @throws ConfigException naming the key ({@code min_workers}, ...) that is out of range */
  public ThreadPoolConfig {
    Check.atLeast("min_workers", minWorkers, 0);
    Check.atLeast("max_workers", maxWorkers, 1);
    if (minWorkers > maxWorkers) {
      throw ConfigException.relation("min_workers", minWorkers, "must be <=", "max_workers",
          maxWorkers);
    }
    if (workerStackSize != 0 && workerStackSize < MIN_STACK_SIZE) {
      throw ConfigException.invalid("worker_stack_size",
          "must be 0 (the JVM default) or >= " + MIN_STACK_SIZE + ", was " + workerStackSize);
    }
  }
}
