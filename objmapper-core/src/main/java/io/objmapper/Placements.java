package io.objmapper;

import io.objmapper.internal.lifecycle.Hotness;
import io.objmapper.internal.lifecycle.MigrationRules;
import io.objmapper.internal.store.Entry;
import io.objmapper.spi.ObjectNames;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Says where an object is served from and why ({@link ObjMapper#placement}), by the lifecycle's rules. */
final class Placements {
  private final TierSet set;
  private final ReadPath read;
  private final LifecyclePolicy policy;
  private final Hotness hotness;
  private final LongSupplier clock;
  private final long openedNanos;

  Placements(TierSet set, ReadPath read, LifecyclePolicy policy, Hotness hotness, LongSupplier clock,
      long openedNanos) {
    this.set = set;
    this.read = read;
    this.policy = policy;
    this.hotness = hotness;
    this.clock = clock;
    this.openedNanos = openedNanos;
  }

  /** True once the store has been open for a half-life: an object unused since is known to be cold. */
  boolean settled(long now) {
    return now - openedNanos >= TimeUnit.MILLISECONDS.toNanos(policy.hotnessHalfLifeMillis());
  }

  Optional<Placement> placement(String name) {
    ObjectNames.validate(name);
    Entry e = read.locate(name);
    if (e == null) {
      return Optional.empty();
    }
    double heat = e.heatAt(clock.getAsLong(), hotness.lambdaPerNano());
    double score = Hotness.score(heat);
    int t = e.tierId();
    String home = set.name(e.cached() ? e.homeTierId() : t);
    return Optional.of(new Placement(name, set.name(t), t, home, score, heat, e.accesses(), reason(e, score)));
  }

  private String reason(Entry e, double score) {
    StringBuilder r = new StringBuilder();
    boolean pinned = ObjectFlag.PINNED.in(e.flags());
    if (!MigrationRules.policyMoves(pinned)) {
      r.append("pinned: the policy never moves it");
    } else if (e.accesses() == 0 && !settled(clock.getAsLong())) {
      r.append("not used since the store opened: its heat is not known yet, so it is not demoted as cold")
          .append(" before a half-life has passed");
    } else if (score > policy.hotThreshold()) {
      int up = fasterTierFor(e);
      r.append("hot (").append(fmt(score)).append(" > ").append(fmt(policy.hotThreshold())).append(')')
          .append(up >= 0 ? ": moves up to " + set.name(up) + " when it has room"
              : ", on the fastest tier it may use");
    } else if (score < policy.coldThreshold()) {
      r.append("cold (").append(fmt(score)).append(" < ").append(fmt(policy.coldThreshold())).append(')')
          .append(e.cached() ? ": its cached copy is dropped next round" : "");
    } else {
      r.append("warm (").append(fmt(score)).append(" between ").append(fmt(policy.coldThreshold())).append(" and ")
          .append(fmt(policy.hotThreshold())).append("): stays");
    }
    if (e.cached()) {
      r.append("; a cached copy of the one on ").append(set.name(e.homeTierId()));
    }
    if (ObjectFlag.EPHEMERAL.in(e.flags())) {
      r.append("; EPHEMERAL: volatile tiers only");
    }
    return r.toString();
  }

  /** The fastest tier faster than {@code e}'s that the rules let the policy promote it to; -1 if none. */
  private int fasterTierFor(Entry e) {
    int t = e.tierId();
    boolean ephemeral = ObjectFlag.EPHEMERAL.in(e.flags());
    for (int u : set.bySpeed) {
      if (set.configs[u].perfFactor() >= set.configs[t].perfFactor()) {
        return -1;
      }
      if (MigrationRules.policyPromotes(set.side(t), set.side(u), ephemeral, e.cached())) {
        return u;
      }
    }
    return -1;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
