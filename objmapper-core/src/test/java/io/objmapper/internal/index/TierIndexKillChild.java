package io.objmapper.internal.index;

import static io.objmapper.internal.index.TierIndexFixtures.entry;
import static io.objmapper.internal.index.TierIndexFixtures.name;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Run in a child JVM by {@link TierIndexKillTest}: opens the index given as first argument
 * (declared small, so that it grows while writing), puts entries 0, 1, 2, ... and prints
 * {@code committed N} after every 100 completed puts, until killed.
 */
public final class TierIndexKillChild {
  private TierIndexKillChild() {}

  public static void main(String[] args) throws Exception {
    PersistentTierIndex index = PersistentTierIndex.open(Path.of(args[0]), 2_000);
    int limit = Integer.parseInt(args[1]);
    System.out.println("opened " + index.openState());
    System.out.flush();
    for (int i = 0; i < limit; i++) {
      index.put(name(i), entry(i));
      if ((i + 1) % 100 == 0) {
        System.out.println("committed " + (i + 1));
        System.out.flush();
      }
    }
    System.out.println("done");
    System.out.flush();
    new CountDownLatch(1).await(); // never closes: only a kill ends this process
  }
}
