package io.objmapper.internal.lifecycle;

import io.objmapper.CapacityException;
import io.objmapper.LifecyclePolicy;
import io.objmapper.MigrationRound;
import io.objmapper.internal.log.LogText;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs lifecycle rounds: plans them ({@link Planner}) from what the store reports, has the
 * store carry the moves out on one or two movers, limits a round's moves by the request
 * rate, and runs rounds in the background on a timer.
 *
 * <p>A move that fails, expectedly or not, is logged and counted in the round's failures;
 * it never ends the round, however many movers run.
 */
public final class LifecycleRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LifecycleRunner.class);
  /** Moves made at once by a round on a quiet store: two overlap one's syncs with the other's copy. */
  static final int MIGRATION_THREADS = 2;

  /** What a round needs of the store. */
  public interface Store {
    /** The tiers as the planner sees them, fastest first. */
    List<Planner.TierView> tierViews();

    /** Per tier of {@link #tierViews()}, the copies on it that may leave it (empty if none may). */
    List<Planner.Copy> residents(int tierId, long nowNanos, double lambdaPerNano);

    /** The copies being served whose heat is above {@code hotHeat} and that the policy may move. */
    List<Planner.Copy> hotCopies(long nowNanos, double lambdaPerNano, double hotHeat);

    /**
     * Carries out {@code move} if the object is still where the plan saw it.
     *
     * @param slot its registration in the journal, or null
     * @return bytes copied, or -1 if the object moved, changed or went since the plan
     */
    long carryOut(Planner.Move move, JournalSlot slot);

    /** The journal moves are registered in, or null. */
    MigrationJournal journal();

    /** Lookups served so far (the request rate is taken from it). */
    long requests();

    String tierName(int tierId);

    /** The tiers' use, for the round's log line. */
    String usageSummary();

    boolean closed();
  }

  private final LifecyclePolicy policy;
  private final Hotness hotness;
  private final Store store;
  private final LongSupplier clock;
  private final ReentrantLock roundLock = new ReentrantLock();
  private ScheduledExecutorService timer;
  /** The threads of a round's moves (made when a round first has two); round lock held. */
  private ExecutorService movers;
  private long lastRoundNanos;
  private long lastRoundLookups;
  /** Requests per second between the last two rounds. */
  private double requestRate;
  /** Tiers being brought down to their fill target, over as many rounds as it takes. */
  private Set<Integer> draining = Set.of();
  private final Counters counters = new Counters();

  /** Totals over all rounds. */
  public static final class Counters {
    private final java.util.concurrent.atomic.LongAdder rounds = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder promotions = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder demotions = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder evictions = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder failures = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder busyRounds = new java.util.concurrent.atomic.LongAdder();

    public long rounds() {
      return rounds.sum();
    }

    public long promotions() {
      return promotions.sum();
    }

    public long demotions() {
      return demotions.sum();
    }

    public long evictions() {
      return evictions.sum();
    }

    public long failures() {
      return failures.sum();
    }

    public long busyRounds() {
      return busyRounds.sum();
    }
  }

  public LifecycleRunner(LifecyclePolicy policy, Hotness hotness, Store store, LongSupplier clock) {
    this.policy = policy;
    this.hotness = hotness;
    this.store = store;
    this.clock = clock;
    this.lastRoundNanos = clock.getAsLong();
  }

  public Counters counters() {
    return counters;
  }

  /** Starts the background rounds, every {@code intervalMillis} of the policy (none if 0). */
  public void start() {
    if (policy.intervalMillis() == 0) {
      return;
    }
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "objmapper-lifecycle");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::backgroundRound, policy.intervalMillis(), policy.intervalMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void backgroundRound() {
    try {
      runRound();
    } catch (RuntimeException ex) {
      if (!store.closed()) { // a closing store ends its round with "closed"
        log.warn("lifecycle round failed: {}", ex.toString(), ex);
      }
    } catch (Error ex) {
      // Thrown out of here it would cancel every later round, silently (a scheduled task's failure).
      log.error("lifecycle round failed; the next one runs as planned: {}", ex.toString(), ex);
    }
  }

  /** Runs one round now, after any round in progress. */
  public MigrationRound runRound() {
    roundLock.lock();
    try {
      if (store.closed()) {
        throw new IllegalStateException("closed");
      }
      long started = clock.getAsLong();
      int allowed = allowedMoves(started);
      List<Planner.Move> moves = plan(started, allowed);
      Map<String, JournalSlot> slots = registerMoves(moves);
      Tally tally = new Tally();
      // Moves that make room first, then the promotions that may need it. Within each group the
      // moves run on two threads while the store is quiet (one move's syncs overlap another's
      // copy), on one while requests come faster than a quarter of the busy rate: a second
      // mover would take the CPU the requests need.
      int threads = requestRate < policy.busyRequestsPerSecond() / 4.0 ? MIGRATION_THREADS : 1;
      List<Planner.Move> down = new ArrayList<>();
      List<Planner.Move> up = new ArrayList<>();
      for (Planner.Move m : moves) {
        (m.kind() == Planner.Kind.PROMOTE ? up : down).add(m);
      }
      carryOutAll(down, slots, tally, threads);
      carryOutAll(up, slots, tally, threads);
      for (JournalSlot slot : slots.values()) {
        endUnused(slot); // moves not reached (the store is closing)
      }
      return finish(tally, moves.isEmpty(), allowed, threads, clock.getAsLong() - started);
    } finally {
      roundLock.unlock();
    }
  }

  private List<Planner.Move> plan(long now, int allowed) {
    double lambda = hotness.lambdaPerNano();
    List<Planner.Copy> hot = store.hotCopies(now, lambda, Hotness.heatOf(policy.hotThreshold()));
    List<Planner.TierView> views = store.tierViews();
    List<List<Planner.Copy>> residents = new ArrayList<>();
    for (Planner.TierView v : views) {
      residents.add(store.residents(v.id(), now, lambda));
    }
    Planner planner = new Planner(policy, views, allowed, draining);
    List<Planner.Move> moves = planner.plan(residents, hot);
    draining = planner.draining();
    return moves;
  }

  private MigrationRound finish(Tally tally, boolean nothing, int allowed, int threads, long nanos) {
    int promoted = tally.promoted.get();
    int demoted = tally.demoted.get();
    int evicted = tally.evicted.get();
    int failed = tally.failed.get();
    long bytes = tally.bytes.get();
    counters.rounds.increment();
    counters.promotions.add(promoted);
    counters.demotions.add(demoted);
    counters.evictions.add(evicted);
    counters.failures.add(failed);
    if (!nothing) {
      log.info("lifecycle round: {} promoted, {} demoted, {} evicted, {} bytes moved, {} failed in {} ms"
          + " ({} requests/s, at most {} moves on {} threads); tiers {}", promoted, demoted, evicted, bytes, failed,
          nanos / 1_000_000, Math.round(requestRate), allowed, threads, store.usageSummary());
    } else {
      log.debug("lifecycle round: nothing to move (at most {} moves); tiers {}", allowed, store.usageSummary());
    }
    return new MigrationRound(promoted, demoted, evicted, bytes, failed, allowed, threads, nanos);
  }

  /** What a round's moves did, counted from the threads that made them. */
  private static final class Tally {
    final AtomicInteger promoted = new AtomicInteger();
    final AtomicInteger demoted = new AtomicInteger();
    final AtomicInteger evicted = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicLong bytes = new AtomicLong();
  }

  /** Carries out {@code moves} on up to {@code threads} threads and waits for them all. */
  private void carryOutAll(List<Planner.Move> moves, Map<String, JournalSlot> slots, Tally tally, int threads) {
    if (moves.size() <= 1 || threads <= 1) {
      moves.forEach(m -> carryOutCounted(m, slots.get(m.name()), tally));
      return;
    }
    if (movers == null) {
      movers = Executors.newFixedThreadPool(MIGRATION_THREADS, r -> {
        Thread t = new Thread(r, "objmapper-migrate");
        t.setDaemon(true);
        return t;
      });
    }
    AtomicInteger next = new AtomicInteger();
    Runnable worker = () -> {
      for (int i; (i = next.getAndIncrement()) < moves.size(); ) {
        Planner.Move m = moves.get(i);
        carryOutCounted(m, slots.get(m.name()), tally);
      }
    };
    List<Future<?>> running = new ArrayList<>();
    for (int w = 0; w < Math.min(threads, MIGRATION_THREADS); w++) {
      running.add(movers.submit(worker));
    }
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while moving objects", e);
      } catch (ExecutionException e) {
        // carryOutCounted catches every exception: only an Error gets here
        throw new IllegalStateException("a mover died: " + e.getCause(), e.getCause());
      }
    }
  }

  /** Carries out one move; whatever it throws is logged and counted here, on the mover's thread. */
  private void carryOutCounted(Planner.Move m, JournalSlot slot, Tally tally) {
    if (store.closed()) {
      return;
    }
    try {
      long n = store.carryOut(m, slot);
      if (n < 0) {
        return; // the object changed since the plan
      }
      tally.bytes.addAndGet(n);
      switch (m.kind()) {
        case PROMOTE -> tally.promoted.incrementAndGet();
        case DEMOTE -> tally.demoted.incrementAndGet();
        case EVICT -> tally.evicted.incrementAndGet();
      }
    } catch (CapacityException ex) {
      // The room the plan counted on went meanwhile (a write took it, or the object grew):
      // the object stays where it is; the next round plans with what is there then.
      log.debug("lifecycle: {} stays on {}: {}", LogText.name(m.name()), store.tierName(m.from()),
          LogText.cut(ex.getMessage(), LogText.MAX_ERROR_CHARS));
    } catch (io.objmapper.ObjMapperException | IllegalStateException ex) {
      if (store.closed()) {
        return; // the store closed under the move
      }
      tally.failed.incrementAndGet();
      log.warn("lifecycle: cannot move {} from {} to {}: {}", LogText.name(m.name()), store.tierName(m.from()),
          target(m), LogText.cut(ex.getMessage(), LogText.MAX_ERROR_CHARS));
    } catch (RuntimeException ex) {
      tally.failed.incrementAndGet();
      log.warn("lifecycle: moving {} from {} to {} failed unexpectedly: {}", LogText.name(m.name()), store.tierName(m.from()),
          target(m), ex.toString(), ex);
    } finally {
      endUnused(slot);
    }
  }

  private String target(Planner.Move m) {
    return m.to() < 0 ? "nowhere (delete)" : store.tierName(m.to());
  }

  /**
   * Puts the round's moves that delete their source in the journal at once (one sync), so
   * that each does not sync on its own.
   */
  private Map<String, JournalSlot> registerMoves(List<Planner.Move> moves) {
    Map<String, JournalSlot> slots = new HashMap<>();
    MigrationJournal journal = store.journal();
    if (journal == null) {
      return slots;
    }
    List<MigrationJournal.Pending> real = new ArrayList<>();
    for (Planner.Move m : moves) {
      if (m.to() >= 0 && !m.keepSource() && !m.dropCache()) {
        real.add(new MigrationJournal.Pending(m.name(), m.from(), m.to()));
      }
    }
    if (real.isEmpty()) {
      return slots;
    }
    try {
      long[] seqs = journal.beginAll(real);
      for (int i = 0; i < seqs.length; i++) {
        MigrationJournal.Pending p = real.get(i);
        slots.put(p.name(), new JournalSlot(seqs[i], p.from(), p.to()));
      }
    } catch (IOException ex) {
      log.warn("migration journal: cannot register the round's moves, each registers itself: {}", ex.toString());
    }
    return slots;
  }

  /** Ends a registered move that was not made (synced: see {@link MigrationJournal#beginAll}). */
  private void endUnused(JournalSlot slot) {
    if (slot != null && slot.seq != 0) {
      try {
        store.journal().end(slot.seq, true);
      } catch (IOException ex) {
        log.warn("migration journal: {}", ex.toString());
      }
      slot.seq = 0;
    }
  }

  /** The batch size, scaled down by the request rate since the last round when it is above the busy rate. */
  private int allowedMoves(long now) {
    long requests = store.requests();
    double secs = (now - lastRoundNanos) / 1e9;
    double rate = secs > 0 ? (requests - lastRoundLookups) / secs : 0;
    requestRate = rate;
    lastRoundNanos = now;
    lastRoundLookups = requests;
    int batch = policy.migrationBatchSize();
    if (rate <= policy.busyRequestsPerSecond()) {
      return batch;
    }
    counters.busyRounds.increment();
    return (int) Math.max(1, Math.floor(batch * policy.busyRequestsPerSecond() / rate));
  }

  /** Stops the timer (a round in progress stops at its next move). */
  public void stopTimer() {
    if (timer != null) {
      timer.shutdown();
    }
  }

  /** Waits for a round in progress to notice the store closed, then stops the movers. */
  @Override
  public void close() {
    stopTimer();
    roundLock.lock();
    try {
      if (movers != null) {
        movers.shutdown();
      }
    } finally {
      roundLock.unlock();
    }
  }
}
