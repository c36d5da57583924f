package io.objmapper;

import static io.objmapper.TestStores.join;
import static io.objmapper.TestStores.version;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listing taken while objects move between tiers names every object, each once: a move
 * indexes the object's new place before it removes the old record, and a listing that saw a
 * record go while it read the indexes reads them again. The mover does a fixed number of
 * moves; the lister lists until it is done; nothing sleeps.
 */
@Timeout(120)
class ListDuringMovesTest {
  private static final String FAST = "fast";
  private static final String SLOW = "slow";
  private static final int OBJECTS = 12;

  @TempDir Path dir;

  @Test
  void everyListingTakenWhileObjectsMoveNamesEveryObject() throws Exception {
    try (ObjMapper store = ObjMapper.builder()
        .tier(TestStores.migratable(TestStores.disk(FAST, dir.resolve(FAST), 2.0)))
        .tier(TestStores.migratable(TestStores.disk(SLOW, dir.resolve(SLOW), 3.0)))
        .lifecycle(TestStores.manualLifecycle())
        .build()) {
      for (int i = 0; i < OBJECTS; i++) {
        store.put("/o" + i, version(i, 16));
      }
      AtomicReference<Throwable> failed = new AtomicReference<>();
      AtomicBoolean moving = new AtomicBoolean(true);
      // One mover: moves follow one another, each object moves once at a time.
      Thread mover = new Thread(() -> {
        Random random = new Random(1);
        try {
          for (int n = 0; n < 3000; n++) {
            store.move("/o" + random.nextInt(OBJECTS), random.nextBoolean() ? FAST : SLOW);
          }
        } catch (Throwable t) {
          failed.set(t);
        } finally {
          moving.set(false);
        }
      }, "mover");
      mover.start();
      int listings = 0;
      int incomplete = 0;
      String example = null;
      while (moving.get() || listings == 0) {
        List<ObjectInfo> all = store.list("/");
        listings++;
        if (all.size() != OBJECTS) {
          incomplete++;
          example = all.stream().map(ObjectInfo::name).toList().toString();
        }
      }
      join(mover);
      assertThat(failed.get()).as("the moves").isNull();
      assertThat(incomplete).as("listings of %d that did not name each of the %d objects once (e.g. %s)",
          listings, OBJECTS, example).isZero();
      assertThat(store.list("/")).hasSize(OBJECTS);
    }
  }
}
