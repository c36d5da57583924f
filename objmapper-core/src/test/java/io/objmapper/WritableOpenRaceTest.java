package io.objmapper;

import static io.objmapper.TestStores.await;
import static io.objmapper.TestStores.join;
import static io.objmapper.TestStores.version;
import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.internal.serving.StoreAccess;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierProviders;
import io.objmapper.testing.ForwardingTier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C-compatible write mode's open ({@link StoreAccess#openWritable}) creates a missing
 * object empty. A put of the same name by another client must never come between its finding
 * the name missing and its creating it: the empty object would then replace what the put
 * stored. Made deterministic by a tier that holds the opening thread inside its stat of the
 * name, after the tier answered "missing", while another thread puts the name.
 */
@Timeout(60)
class WritableOpenRaceTest {
  private static final String NAME = "/new.bin";

  @TempDir Path dir;

  /** The thread whose second stat of {@link #NAME} is held. */
  private volatile Thread opener;
  private final AtomicInteger openerStats = new AtomicInteger();
  private final CountDownLatch held = new CountDownLatch(1);
  private final CountDownLatch resume = new CountDownLatch(1);

  /**
   * Holds the opener in its second stat of the name (the first is the lookup before the slow
   * way; the second is the slow way's check that the object is missing), the tier's answer
   * already taken.
   */
  private final class HoldingTier extends ForwardingTier {
    HoldingTier(Tier tier) {
      super(tier);
    }

    @Override
    public ObjectStat stat(String name) throws IOException {
      ObjectStat s = delegate.stat(name);
      if (Thread.currentThread() == opener && name.equals(NAME) && openerStats.incrementAndGet() == 2) {
        held.countDown();
        await(resume);
      }
      return s;
    }
  }

  @Test
  void aWritableOpenCreatingTheObjectNeverReplacesWhatAConcurrentPutStored() throws Exception {
    byte[] stored = version(5, 300);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    try (ObjMapper store = ObjMapper.builder().providers(TierProviders.of(ForwardingTier.wrappingFs(HoldingTier::new)))
        .tier(TestStores.disk("disk", dir.resolve("disk"), 3.0)).build()) {
      Thread writer = new Thread(() -> {
        try {
          store.put(NAME, stored);
        } catch (Throwable t) {
          failed.set(t);
        }
      }, "writer");
      // Once the opener is held, the writer puts the name; the opener goes on once the put is
      // done or waits (for the name's lock, which the opener must hold).
      Thread releaser = new Thread(() -> {
        try {
          await(held);
          writer.start();
          while (!doneOrWaitingForALock(writer)) {
            Thread.onSpinWait();
          }
        } finally {
          resume.countDown();
        }
      }, "releaser");
      releaser.start();
      opener = Thread.currentThread();

      StoreAccess.WritableFile w = ((StoreAccess) store).openWritable(NAME);
      w.stream().close();
      join(releaser);
      join(writer);

      assertThat(failed.get()).as("the concurrent put").isNull();
      assertThat(openerStats.get()).as("the opener's stats of the name").isGreaterThanOrEqualTo(2);
      assertThat(w.size()).as("the opener created the object empty, before the put").isZero();
      try (ObjectLease lease = store.open(NAME)) {
        assertThat(lease.readAllBytes()).as("what the put stored, not the empty object").isEqualTo(stored);
      }
    }
  }

  private static boolean doneOrWaitingForALock(Thread t) {
    Thread.State s = t.getState();
    return s == Thread.State.TERMINATED
        || (s == Thread.State.WAITING && LockSupport.getBlocker(t) instanceof AbstractQueuedSynchronizer);
  }
}
