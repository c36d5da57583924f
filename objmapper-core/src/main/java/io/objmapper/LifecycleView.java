package io.objmapper;

import io.objmapper.internal.lifecycle.JournalSlot;
import io.objmapper.internal.lifecycle.LifecycleRunner;
import io.objmapper.internal.lifecycle.MigrationJournal;
import io.objmapper.internal.lifecycle.MigrationRules;
import io.objmapper.internal.lifecycle.Planner;
import io.objmapper.internal.store.Entry;
import io.objmapper.internal.store.GlobalIndex;
import java.util.ArrayList;
import java.util.List;

/**
 * What the {@link LifecycleRunner} sees of the store: the tiers and the copies on them with
 * their heat, and the {@link Mover} that carries a planned move out.
 */
final class LifecycleView implements LifecycleRunner.Store {
  private final TierSet set;
  private final TierSpace space;
  private final GlobalIndex global;
  private final ReadPath read;
  private final Mover mover;
  private final NameLocks locks;
  private final Placements placements;

  LifecycleView(TierSet set, TierSpace space, GlobalIndex global, ReadPath read, Mover mover, NameLocks locks,
      Placements placements) {
    this.set = set;
    this.space = space;
    this.global = global;
    this.read = read;
    this.mover = mover;
    this.locks = locks;
    this.placements = placements;
  }

  @Override
  public List<Planner.TierView> tierViews() {
    List<Planner.TierView> views = new ArrayList<>();
    for (int t : set.bySpeed) {
      TierSet.Side s = set.side(t);
      views.add(new Planner.TierView(t, s.persistent(), s.local(), s.writable(), s.src(), s.dst(),
          set.configs[t].capacityBytes(), space.usedAndPromised(t)));
    }
    return views;
  }

  @Override
  public List<Planner.Copy> hotCopies(long now, double lambda, double hotHeat) {
    List<Planner.Copy> hot = new ArrayList<>();
    global.forEach(e -> {
      double h = e.foldHeat(now, lambda);
      boolean pinned = ObjectFlag.PINNED.in(e.flags());
      if (h > hotHeat && MigrationRules.policyMoves(pinned)) {
        hot.add(new Planner.Copy(e.name(), e.tierId(), e.size(), pinned, ObjectFlag.EPHEMERAL.in(e.flags()), h,
            e.homeTierId()));
      }
    });
    return hot;
  }

  /**
   * The copies on tier {@code t} with their heat. Heat lives in memory only: an object not
   * used since the store opened has none, which means "unused lately" once the store has
   * been open for a half-life, and "not known" before (after a restart the hot set must not
   * be demoted for want of history; a stat or a placement query is not a use).
   */
  @Override
  public List<Planner.Copy> residents(int t, long now, double lambda) {
    if (!mayLeave(t)) {
      return List.of();
    }
    boolean settled = placements.settled(now);
    List<Planner.Copy> out = new ArrayList<>();
    set.indexes[t].forEach("/", (name, r) -> {
      Entry g = global.peek(name);
      double h = g != null ? g.heatAt(now, lambda) : 0;
      int home = g != null && g.tierId() == t ? g.homeTierId() : read.homeOf(name, t, r.flags());
      out.add(new Planner.Copy(name, t, r.size(), ObjectFlag.PINNED.in(r.flags()),
          ObjectFlag.EPHEMERAL.in(r.flags()), h, home, settled || (g != null && g.accesses() > 0)));
    });
    return out;
  }

  /** True if the lifecycle may take objects off tier {@code t}: its residents are worth listing. */
  private boolean mayLeave(int t) {
    if (!set.local(t)) {
      return false;
    }
    if (!set.persistent(t)) {
      return true; // cached copies may be dropped, ephemeral objects moved or evicted
    }
    if (!set.side(t).src()) {
      return false;
    }
    for (int d = 0; d < set.size(); d++) {
      if (d != t && set.configs[d].perfFactor() >= set.configs[t].perfFactor() && set.side(d).dst()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public long carryOut(Planner.Move move, JournalSlot slot) {
    return mover.carryOut(move, slot);
  }

  @Override
  public MigrationJournal journal() {
    return mover.journal();
  }

  @Override
  public long requests() {
    return read.lookups.sum();
  }

  @Override
  public String tierName(int tierId) {
    return set.name(tierId);
  }

  @Override
  public String usageSummary() {
    return set.usageSummary();
  }

  @Override
  public boolean closed() {
    return locks.closed();
  }
}
