package io.objmapper.server;

/**
 * Whether an I/O loop about to sleep polls its selector first, and for how long: the one
 * connection the whole server is serving (none other for {@link #ALONE_NANOS}) is a client
 * waiting for each answer before it sends its next request, and sleeping in {@code poll}
 * between them costs it the wake-up of a sleeping thread per request (measured with one C
 * client on two CPUs: 23,000 requests/s sleeping, 35,000–38,000 polling, as many as a thread
 * per connection blocked in {@code read}). With more than one connection served the loop
 * sleeps at once: the other CPUs are serving, and a spin would take time the clients need.
 *
 * <p>A loop gives up after {@link #MAX_EMPTY} spins in a row that found nothing (a client
 * that thinks between requests) until {@link #reset()}, which a spin that finds a request (or
 * a wake-up) and each sweep of the loop call: a client that always thinks longer than the spin
 * costs at most {@code MAX_EMPTY} missed spins per sweep, any client at most one missed spin
 * per request. One instance per loop; its thread only.
 */
final class IdleSpin {
  /** How long one connection must have been the only one served before its loop spins. */
  static final long ALONE_NANOS = 1_000_000;
  /** Empty spins in a row after which a loop sleeps at once until it is reset. */
  static final int MAX_EMPTY = 8;

  private final long nanos;
  private int empty;

  /** {@code nanos}: the longest spin; 0 never spins (nor on a machine of one processor). */
  IdleSpin(long nanos) {
    this.nanos = Runtime.getRuntime().availableProcessors() > 1 ? nanos : 0;
  }

  /** The longest spin, 0 for none. */
  long nanos() {
    return nanos;
  }

  /**
   * True if the loop may spin now, as far as this loop knows (spinning is on and it has not
   * given up); whether its connection is the only one served is {@link Served}'s to say.
   */
  boolean mayTry() {
    return nanos > 0 && empty < MAX_EMPTY;
  }

  /** The spin found nothing. */
  void missed() {
    empty++;
  }

  /** The spin found work (or was woken), or the loop swept: the next may spin again. */
  void reset() {
    empty = 0;
  }

  /**
   * Which connection the server served last and since when it has been the only one: shared
   * by every loop of a server, written by the loop that serves a read (only when spinning is
   * on). The connection is the one published field; its loop is the connection's own, so a
   * loop and a connection can never be seen out of step, and {@code since} is written before
   * the connection and read after it. Two loops writing at once may leave the time of the
   * other one's write: a spin starts a little early or late, nothing else depends on it.
   *
   * @param <C> the connection
   */
  static final class Served<C> {
    private final java.util.function.Function<C, Object> loopOf;
    private final java.util.concurrent.atomic.AtomicReference<C> last = new java.util.concurrent.atomic.AtomicReference<>();
    private long since;

    /** {@code loopOf}: the loop a connection belongs to. */
    Served(java.util.function.Function<C, Object> loopOf) {
      this.loopOf = loopOf;
    }

    /** {@code connection} was served at {@code now}. */
    void served(C connection, long now) {
      if (last.get() != connection) {
        since = now;
        last.set(connection);
      }
    }

    /** {@code connection} is closed: no loop spins for it, and it is not kept from the collector. */
    void forget(C connection) {
      last.compareAndSet(connection, null);
    }

    /** True if a connection of {@code loop} has been the only one served for {@link #ALONE_NANOS}. */
    boolean alone(Object loop, long now) {
      C c = last.get();
      return c != null && loopOf.apply(c) == loop && now - since >= ALONE_NANOS;
    }
  }
}
