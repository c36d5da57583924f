package io.objmapper.internal.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.LifecyclePolicy;
import io.objmapper.MigrationRound;
import io.objmapper.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A failing move never ends a lifecycle round nor goes uncounted, whether the round runs its
 * moves on one mover or on two: the store fakes a volatile cache tier over a persistent one
 * whose cold cached copies the round drops.
 */
class LifecycleRunnerTest {
  private static final int COPIES = 6;
  private static final long BUSY = 1_000;
  private static final LifecyclePolicy POLICY = LifecyclePolicy.builder().intervalMillis(0)
      .busyRequestsPerSecond(BUSY).build();

  /** The fake store; {@code busy}: requests come faster than a quarter of the busy rate, so one mover runs. */
  private static final class FakeStore implements LifecycleRunner.Store {
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final AtomicLong requests = new AtomicLong();
    final Set<String> tried = ConcurrentHashMap.newKeySet();
    final Function<Planner.Move, Long> move;
    final boolean busy;
    final CountDownLatch roundEnded = new CountDownLatch(1);

    FakeStore(boolean busy, Function<Planner.Move, Long> move) {
      this.busy = busy;
      this.move = move;
    }

    @Override
    public List<Planner.TierView> tierViews() {
      return List.of(new Planner.TierView(0, false, true, true, true, true, 1 << 20, 0),
          new Planner.TierView(1, true, true, true, true, true, 1 << 30, 0));
    }

    @Override
    public List<Planner.Copy> residents(int tierId, long now, double lambda) {
      List<Planner.Copy> out = new ArrayList<>();
      for (int i = 0; tierId == 0 && i < COPIES; i++) {
        out.add(new Planner.Copy("/cold" + i, 0, 10, false, false, 0, 1, true)); // cached copies, cold
      }
      return out;
    }

    @Override
    public List<Planner.Copy> hotCopies(long now, double lambda, double hotHeat) {
      return List.of();
    }

    @Override
    public long carryOut(Planner.Move m, JournalSlot slot) {
      tried.add(m.name());
      return move.apply(m);
    }

    @Override
    public MigrationJournal journal() {
      return null;
    }

    @Override
    public long requests() {
      return requests.get();
    }

    @Override
    public String tierName(int tierId) {
      return "t" + tierId;
    }

    @Override
    public String usageSummary() {
      roundEnded.countDown(); // asked for the round's log line, after the round was counted
      return "[]";
    }

    @Override
    public boolean closed() {
      return false;
    }

    /** One second later, with the request rate of a busy or a quiet store since. */
    void nextSecond() {
      clock.addAndGet(1_000_000_000L);
      requests.addAndGet(busy ? BUSY : 0);
    }
  }

  private static LifecycleRunner runner(FakeStore store) {
    return new LifecycleRunner(POLICY, new Hotness(POLICY.hotnessHalfLifeMillis() * 1_000_000L), store,
        store.clock::get);
  }

  @ParameterizedTest(name = "busy store (one mover): {0}")
  @ValueSource(booleans = {false, true})
  void anUnexpectedExceptionOfAMoveIsCountedAndTheRoundGoesOn(boolean busy) {
    FakeStore store = new FakeStore(busy, m -> {
      if (m.name().equals("/cold1") || m.name().equals("/cold4")) {
        throw new NullPointerException("a bug in the move of " + m.name());
      }
      return 10L;
    });
    try (LifecycleRunner runner = runner(store)) {
      store.nextSecond();
      MigrationRound round = runner.runRound();
      assertThat(round.threads()).isEqualTo(busy ? 1 : 2);
      assertThat(store.tried).as("every planned move was tried").hasSize(COPIES);
      assertThat(round.failures()).isEqualTo(2);
      assertThat(round.demoted()).isEqualTo(COPIES - 2);
      assertThat(runner.counters().failures()).isEqualTo(2);
      assertThat(runner.counters().rounds()).isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "busy store (one mover): {0}")
  @ValueSource(booleans = {false, true})
  void aMoveFailingWithAStoreErrorIsCounted(boolean busy) {
    FakeStore store = new FakeStore(busy, m -> {
      throw new StorageException("disk gone", null);
    });
    try (LifecycleRunner runner = runner(store)) {
      store.nextSecond();
      MigrationRound round = runner.runRound();
      assertThat(round.failures()).isEqualTo(COPIES);
      assertThat(round.moved()).isZero();
      assertThat(runner.counters().failures()).isEqualTo(COPIES);
    }
  }

  @ParameterizedTest(name = "busy store (one mover): {0}")
  @ValueSource(booleans = {false, true})
  void anIllegalStateOfAMoveOnAnOpenStoreIsAFailureNotAClosingStore(boolean busy) {
    FakeStore store = new FakeStore(busy, m -> {
      throw new IllegalStateException("not closing: a bug");
    });
    try (LifecycleRunner runner = runner(store)) {
      store.nextSecond();
      MigrationRound round = runner.runRound();
      assertThat(round.failures()).isEqualTo(COPIES);
      assertThat(runner.counters().failures()).isEqualTo(COPIES);
    }
  }

  @org.junit.jupiter.api.Test
  void aBackgroundRoundCountsAnUnexpectedFailureOnTwoMovers() throws Exception {
    FakeStore store = new FakeStore(false, m -> {
      throw new NullPointerException("a bug in the move of " + m.name());
    });
    LifecyclePolicy everyMilli = POLICY.toBuilder().intervalMillis(1).build();
    try (LifecycleRunner runner = new LifecycleRunner(everyMilli,
        new Hotness(everyMilli.hotnessHalfLifeMillis() * 1_000_000L), store, store.clock::get)) {
      runner.start();
      assertThat(store.roundEnded.await(60, TimeUnit.SECONDS)).as("a background round ended").isTrue();
      assertThat(runner.counters().failures()).isGreaterThanOrEqualTo(COPIES);
    }
  }
}
