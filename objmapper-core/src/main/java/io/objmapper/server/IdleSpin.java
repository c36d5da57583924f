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
 * that thinks between requests) until {@link #rearm()}, so an idle or slow client costs at
 * most {@code MAX_EMPTY} spins per sweep of the loop. One instance per loop; its thread only.
 */
final class IdleSpin {
  /** How long one connection must have been the only one served before its loop spins. */
  static final long ALONE_NANOS = 1_000_000;
  /** Empty spins in a row after which a loop sleeps at once until it is rearmed. */
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

  /** True if the loop may spin now ({@code alone}: its connection is the only one served). */
  boolean mayTry(boolean alone) {
    return nanos > 0 && empty < MAX_EMPTY && alone;
  }

  /** The spin found work (or was woken): the next may spin again. */
  void found() {
    empty = 0;
  }

  /** The spin found nothing. */
  void missed() {
    empty++;
  }

  /** Spinning allowed again (each sweep of the loop). */
  void rearm() {
    empty = 0;
  }

  /**
   * Which connection the server served last and since when it has been the only one: shared
   * by every loop of a server, written by the loop that serves a read. Two fields written
   * without a lock: a reader that sees them out of step spins once when it need not, or not
   * once when it could; nothing else depends on them.
   */
  static final class Served {
    private volatile Object connection;
    private volatile Object loop;
    private volatile long since;

    /** {@code connection}, of {@code loop}, was served at {@code now}. */
    void served(Object connection, Object loop, long now) {
      if (this.connection != connection) {
        this.loop = loop;
        this.since = now;
        this.connection = connection;
      }
    }

    /** {@code connection} is closed: no loop spins for it, and it is not kept from the collector. */
    void forget(Object connection) {
      if (this.connection == connection) {
        this.connection = null;
        this.loop = null;
      }
    }

    /** True if a connection of {@code loop} has been the only one served for {@link #ALONE_NANOS}. */
    boolean alone(Object loop, long now) {
      return this.loop == loop && connection != null && now - since >= ALONE_NANOS;
    }
  }
}
