package io.objmapper.server;

import io.objmapper.protocol.Protocol;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One I/O thread and its selector: reads, decodes and answers the requests of every
 * connection registered with it, and writes the answers workers post for it. Nothing it
 * does blocks: a socket that cannot take an answer keeps it queued (per connection) until
 * it can, and work that may block goes to the server's workers.
 *
 * <p>About to sleep, the loop may first poll its selector for a while ({@link IdleSpin}: only
 * while one of its connections is the only one the server serves).
 *
 * <p>Buffers are the loop's, not the connection's: an idle connection holds no buffer, and
 * one whose request arrived whole (the usual case) needs none of its own.
 */
final class IoLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(IoLoop.class);
  static final int READ_CAPACITY = 64 * 1024;
  /** Answers one read may hold back before they are written ({@link #batch}). */
  static final int BATCH = 32;
  /** Bytes of one held-back answer: a header with its metadata; longer ones are not held. */
  static final int SLOT_CAPACITY = 512;
  static final int OUT_CAPACITY = Protocol.SEGMENTED_HEADER_LENGTH + Protocol.MAX_METADATA_LENGTH
      + Protocol.MAX_SEGMENTS * Protocol.SEGMENT_ENTRY_LENGTH + 1024;

  final ObjectServer server;
  final Selector selector;
  final boolean unix;
  final Thread thread;
  final ByteBuffer readBuf = ByteBuffer.allocateDirect(READ_CAPACITY);
  final ByteBuffer out = ByteBuffer.allocateDirect(OUT_CAPACITY);
  final ByteBuffer marker = ByteBuffer.allocateDirect(1);
  final FileDescriptor[] outboundFd = new FileDescriptor[1];
  /** The reusable answer of the request being served now. */
  final Answer scratch = new Answer();
  /**
   * Answers to the requests of one read, held until all of them are decoded and their
   * descriptors opened, then written back to back ({@link Connection}'s batch): a client
   * then wakes for a run of answers, not for each one while the next is still being opened.
   */
  final Answer[] batch = new Answer[BATCH];
  /** How many of {@link #batch} hold an answer. */
  int batched;
  private final Set<Connection> connections = new HashSet<>();
  private final ConcurrentLinkedQueue<Connection> added = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Connection> ready = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean awake = new AtomicBoolean();
  private final long sweepNanos;
  private final IdleSpin spin;
  private final boolean spins;
  private volatile boolean stopped;

  IoLoop(ObjectServer server, Selector selector, boolean unix, String name, long sweepMillis, long spinNanos) {
    this.server = server;
    this.selector = selector;
    this.unix = unix;
    this.sweepNanos = TimeUnit.MILLISECONDS.toNanos(sweepMillis);
    this.spin = new IdleSpin(spinNanos);
    this.spins = spin.nanos() > 0;
    marker.put(0, Protocol.FD_MARKER);
    ByteBuffer slots = ByteBuffer.allocateDirect(BATCH * SLOT_CAPACITY);
    for (int i = 0; i < BATCH; i++) {
      batch[i] = new Answer(slots.slice(i * SLOT_CAPACITY, SLOT_CAPACITY));
    }
    this.thread = new Thread(this, name);
    thread.setDaemon(true);
  }

  /** Hands a new connection to this loop (any thread). */
  void add(Connection c) {
    added.add(c);
    wakeup();
  }

  /** Tells the loop that {@code c} has answers posted (any thread). */
  void ready(Connection c) {
    ready.add(c);
    wakeup();
  }

  /** Runs {@code task} on this loop's thread (any thread). */
  void execute(Runnable task) {
    tasks.add(task);
    wakeup();
  }

  private void wakeup() {
    if (awake.compareAndSet(false, true)) {
      selector.wakeup();
    }
  }

  /** Stops the loop and closes every connection it still has (any thread); returns at once. */
  void stop() {
    stopped = true;
    selector.wakeup();
  }

  @Override
  public void run() {
    long nextSweep = System.nanoTime() + sweepNanos;
    try {
      while (!stopped) {
        if (!awake.get()) {
          long now = System.nanoTime();
          if (!spun(now)) {
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextSweep - now)));
          }
        } else {
          selector.selectNow();
        }
        awake.set(false);
        runTasks();
        registerAdded();
        serveReady();
        // No isEmpty() first: junixsocket's selected-key set walks its map (and allocates) for it.
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey k = it.next();
          it.remove();
          Connection c = (Connection) k.attachment();
          if (k.isValid()) {
            c.onSelected(k.readyOps());
          } else {
            c.close();
          }
        }
        long now = System.nanoTime();
        if (now - nextSweep >= 0) {
          spin.reset();
          sweep(now);
          nextSweep = now + sweepNanos;
        }
      }
    } catch (ClosedSelectorException e) {
      // closing
    } catch (IOException | RuntimeException e) {
      log.error("I/O loop {} failed; closing its connections", thread.getName(), e);
    } catch (Error e) {
      log.error("I/O loop {} failed; closing its connections", thread.getName(), e);
      closeAll();
      throw e;
    }
    closeAll();
  }

  /**
   * Polls the selector for up to the spin's time when {@link IdleSpin} says so; true if that
   * found a ready connection (or the loop was woken or stopped), false if the loop should
   * sleep. A {@code selectNow} consumes a pending {@link Selector#wakeup()}: every waker sets
   * {@link #awake} or {@link #stopped} before it calls it, and the spin looks at both after
   * each poll, so no wake-up is lost to it.
   */
  private boolean spun(long now) throws IOException {
    if (!spin.mayTry() || !server.served.alone(this, now)) {
      return false;
    }
    long end = now + spin.nanos();
    do {
      if (selector.selectNow() > 0) {
        spin.reset();
        return true;
      }
      Thread.onSpinWait();
    } while (!awake.get() && !stopped && System.nanoTime() - end < 0);
    if (awake.get() || stopped) {
      spin.reset();
      return true;
    }
    spin.missed();
    return false;
  }

  /** True if this loop may spin: its reads must then tell the server which connection it served. */
  boolean spins() {
    return spins;
  }

  private void runTasks() {
    Runnable t;
    while ((t = tasks.poll()) != null) {
      try {
        t.run();
      } catch (RuntimeException e) {
        log.warn("{}: a task failed", thread.getName(), e);
      }
    }
  }

  private void registerAdded() {
    Connection c;
    while ((c = added.poll()) != null) {
      if (stopped) {
        c.close();
        continue;
      }
      try {
        c.register();
        connections.add(c);
      } catch (IOException | RuntimeException e) {
        log.debug("could not register a connection from {}: {}", c.peer, e.toString());
        c.close();
      }
    }
  }

  private void serveReady() {
    Connection c;
    while ((c = ready.poll()) != null) {
      c.onPosted();
    }
  }

  private void sweep(long now) {
    List<Connection> expired = null;
    for (Connection c : connections) {
      c.trim(now, sweepNanos);
      if (c.expired(now)) {
        if (expired == null) {
          expired = new ArrayList<>();
        }
        expired.add(c);
      }
    }
    if (expired != null) {
      for (Connection c : expired) {
        c.closeExpired(now);
      }
    }
  }

  /** Called by a connection closing on this loop's thread. */
  void removed(Connection c) {
    connections.remove(c);
  }

  /** Every connection of this loop (its thread only). */
  List<Connection> connections() {
    return new ArrayList<>(connections);
  }

  private void closeAll() {
    for (Connection c : connections()) {
      c.close();
    }
    Connection c;
    while ((c = added.poll()) != null) {
      c.close();
    }
    while ((c = ready.poll()) != null) {
      c.close();
    }
    try {
      selector.close();
    } catch (IOException e) {
      // closing
    }
  }
}
