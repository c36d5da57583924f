package io.objmapper;

import static io.objmapper.TestStores.await;
import static io.objmapper.TestStores.join;
import static io.objmapper.TestStores.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.internal.lifecycle.MigrationStep;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierProviders;
import io.objmapper.testing.ForwardingTier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An open that looks an object up while moves carry it from tier to tier: the file is gone
 * from each place the lookup found it, but the object never stops existing, so the open must
 * follow it to where the moves put it, never answer not-found. Made deterministic by tiers
 * that run the moves while the opening thread is inside {@link Tier#stat}, before the tier
 * answers it.
 */
@Timeout(60)
class OpenDuringMoveTest {
  private static final String FAST = "fast";
  private static final String SLOW = "slow";

  @TempDir Path dir;

  /** The thread whose stats run {@link #steps}; other threads' stats are not hooked. */
  private volatile Thread opener;
  /**
   * What the opener's next stats do, in order: a step runs at the next stat of its tier (a stat
   * of another tier passes), before the tier answers; a step without an action only passes.
   */
  private final Queue<Step> steps = new ConcurrentLinkedQueue<>();
  private final ThreadLocal<Boolean> inStep = ThreadLocal.withInitial(() -> false);
  private final AtomicReference<java.util.function.Consumer<MigrationStep>> onMigrationStep =
      new AtomicReference<>(s -> { });
  /** Runs after each deletion of a file by any thread, with the tier's name. */
  private final AtomicReference<java.util.function.Consumer<String>> afterDelete = new AtomicReference<>(t -> { });

  private record Step(String tier, Runnable action) {}

  private ObjMapper store() throws IOException {
    return ObjMapper.builder().providers(TierProviders.of(ForwardingTier.wrappingFs(HookedTier::new)))
        .tier(TestStores.migratable(TestStores.disk(FAST, dir.resolve(FAST), 2.0)))
        .tier(TestStores.migratable(TestStores.disk(SLOW, dir.resolve(SLOW), 3.0)))
        .lifecycle(TestStores.manualLifecycle())
        .migrationSteps(s -> onMigrationStep.get().accept(s))
        .build();
  }

  /**
   * The lookup finds the object on fast, whose file a move to slow has just taken away; under
   * the name's lock it finds it on slow; before it looks at the file there, a move takes it
   * back to fast.
   */
  @Test
  void openFollowsAnObjectMovedAwayFromWhereItsLookupFoundIt() throws Exception {
    try (ObjMapper store = store()) {
      store.put("/x", version(7, 100)); // on fast
      opener = Thread.currentThread();
      steps.add(new Step(FAST, () -> store.move("/x", SLOW))); // the global index's entry was fast
      steps.add(new Step(SLOW, null)); // the check under the lock: the move is done, slow has it
      steps.add(new Step(SLOW, () -> store.move("/x", FAST))); // the lock is free again: moved back

      try (ObjectLease lease = store.open("/x")) {
        assertThat(lease.readAllBytes()).isEqualTo(version(7, 100));
        assertThat(lease.tier()).isEqualTo(FAST);
      }
      assertThat(steps).as("the moves ran where the open looked").isEmpty();
    }
  }

  /**
   * The same while a move holds the name's lock, so the lookup does not wait for it and looks
   * past the vanished file on its own: it finds the object where that move put it, and before
   * it looks at the file there, another move takes the object away again.
   */
  @Test
  void openFollowsAnObjectMovedAwayWhileAnotherMoveHoldsItsLock() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    AtomicReference<Throwable> moverFailed = new AtomicReference<>();
    try (ObjMapper store = store()) {
      store.put("/x", version(7, 100)); // on fast
      Thread mover = new Thread(() -> {
        try {
          store.move("/x", SLOW);
        } catch (Throwable t) {
          moverFailed.set(t);
        }
      }, "mover");
      // The mover stops once it has switched to slow and removed the copy on fast, holding the lock.
      onMigrationStep.set(s -> {
        if (Thread.currentThread() == mover && s == MigrationStep.SOURCE_REMOVED) {
          holding.countDown();
          await(letGo);
        }
      });
      opener = Thread.currentThread();
      steps.add(new Step(FAST, () -> {
        mover.start();
        await(holding);
      }));
      steps.add(new Step(SLOW, () -> {
        letGo.countDown();
        join(mover);
        store.move("/x", FAST);
      }));

      try {
        try (ObjectLease lease = store.open("/x")) {
          assertThat(lease.readAllBytes()).isEqualTo(version(7, 100));
          assertThat(lease.tier()).isEqualTo(FAST);
        }
      } finally {
        letGo.countDown();
        if (mover.getState() != Thread.State.NEW) {
          join(mover);
        }
      }
      assertThat(moverFailed.get()).as("the move that held the lock").isNull();
      assertThat(steps).as("the moves ran where the open looked").isEmpty();
    }
  }

  /**
   * A put that stores a new version on fast while the object is on slow removes the copy on
   * slow: the open that found the object on slow, then that file gone, finds the new version,
   * because the put names it in the global index before it removes the older copy.
   */
  @Test
  void openFindsTheNewVersionOfAPutThatRemovedTheCopyItFound() throws Exception {
    CountDownLatch removed = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    AtomicReference<Throwable> writerFailed = new AtomicReference<>();
    try (ObjMapper store = store()) {
      store.put("/x", version(1, 100)); // on fast
      Thread writer = new Thread(() -> {
        try {
          store.put("/x", version(2, 200)); // on fast again, the copy on slow removed
        } catch (Throwable t) {
          writerFailed.set(t);
        }
      }, "writer");
      // The writer stops once it has removed the copy on slow, holding the name's lock.
      afterDelete.set(tier -> {
        if (Thread.currentThread() == writer && tier.equals(SLOW)) {
          removed.countDown();
          await(letGo);
        }
      });
      opener = Thread.currentThread();
      steps.add(new Step(FAST, () -> store.move("/x", SLOW))); // the global index's entry was fast
      steps.add(new Step(SLOW, null)); // the check under the lock: the move is done, slow has it
      steps.add(new Step(SLOW, () -> { // the lock is free again: the put comes
        writer.start();
        await(removed);
      }));

      try {
        try (ObjectLease lease = store.open("/x")) {
          assertThat(lease.readAllBytes()).isEqualTo(version(2, 200));
          assertThat(lease.tier()).isEqualTo(FAST);
        }
      } finally {
        letGo.countDown();
        if (writer.getState() != Thread.State.NEW) {
          join(writer);
        }
      }
      assertThat(writerFailed.get()).as("the put").isNull();
      assertThat(steps).as("the moves and the put ran where the open looked").isEmpty();
      try (ObjectLease lease = store.open("/x")) {
        assertThat(lease.readAllBytes()).isEqualTo(version(2, 200));
      }
    }
  }

  /**
   * An object deleted while it is being opened, where the lookup found it or after a move took
   * it on, is not found: the open follows moves, not deletions, and does not fail as if the
   * object kept moving.
   */
  @Test
  void openOfAnObjectDeletedWhileItIsLookedUpIsNotFound() throws Exception {
    try (ObjMapper store = store()) {
      store.put("/x", version(7, 100)); // on fast
      store.put("/y", version(8, 100));
      opener = Thread.currentThread();
      steps.add(new Step(FAST, () -> store.delete("/x")));
      assertThatThrownBy(() -> store.open("/x")).isInstanceOf(ObjectNotFoundException.class);
      assertThat(steps).as("the delete ran where the open looked").isEmpty();

      steps.add(new Step(FAST, () -> store.move("/y", SLOW)));
      steps.add(new Step(SLOW, () -> store.delete("/y")));
      assertThatThrownBy(() -> store.open("/y")).isInstanceOf(ObjectNotFoundException.class);
      assertThat(steps).as("the move and the delete ran where the open looked").isEmpty();
    }
  }

  /** A tier that runs the opener's next {@link Step} of this tier before answering its stat. */
  private final class HookedTier extends ForwardingTier {
    HookedTier(Tier tier) {
      super(tier);
    }

    @Override
    public ObjectStat stat(String name) throws IOException {
      Step next = steps.peek();
      if (Thread.currentThread() == opener && !inStep.get() && next != null
          && next.tier().equals(config().name())) {
        steps.remove();
        if (next.action() != null) {
          inStep.set(true); // what the step does asks the tiers too: not hooked
          try {
            next.action().run();
          } finally {
            inStep.set(false);
          }
        }
      }
      return delegate.stat(name);
    }

    @Override
    public boolean delete(String name) throws IOException {
      boolean deleted = delegate.delete(name);
      afterDelete.get().accept(config().name());
      return deleted;
    }
  }
}
