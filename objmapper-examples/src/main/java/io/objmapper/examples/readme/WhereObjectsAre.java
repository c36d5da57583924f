package io.objmapper.examples.readme;

// readme:begin where
import io.objmapper.ObjMapperStats;
import io.objmapper.Placement;
// readme:end
import io.objmapper.ObjMapper;

/** README, "Tier lifecycle": where an object is and the lifecycle totals. */
final class WhereObjectsAre {
  private WhereObjectsAre() {}

  static void run(ObjMapper store) {
    // readme:begin where
    Placement p = store.placement("/photos/cat.jpg").orElseThrow();
    // p.tier() "NVMe Hot Tier", p.tierId() 1, p.homeTier(), p.score() 0.91, p.heat(), p.accesses(),
    // p.reason() "hot (0.91 > 0.70), on the fastest tier it may use"
    ObjMapperStats.Lifecycle totals = store.stats().lifecycle(); // rounds, promotions, demotions, evictions, bytes moved, failures
    // readme:end
  }
}
