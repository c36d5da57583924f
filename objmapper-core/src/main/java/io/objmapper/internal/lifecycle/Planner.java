package io.objmapper.internal.lifecycle;

import io.objmapper.LifecyclePolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Picks one round's moves from a snapshot of the tiers and the objects' heat: first the
 * evictions that bring a full tier back to its target, then promotions of hot objects, then
 * demotions of cold ones, at most {@code budget} in all.
 *
 * <p>Fill levels: a tier past {@code evictWhenFull} is <em>draining</em> until it is at
 * {@code evictTarget}, over as many rounds as the budget needs (the caller carries the
 * draining tiers from round to round). Promotions and demotions fill a tier only up to
 * {@code evictTarget}; the room above it is for new writes, and past it a hot object only
 * takes the place of a much colder one. It only plans: the store carries
 * each move out under the object's lock and checks again that it still applies.
 *
 * <p>Rules every planned move obeys ({@link MigrationRules} states them): the tier an object leaves has {@code migration_src} and
 * the tier it reaches {@code migration_dst} (and is writable and local); an EPHEMERAL object
 * never reaches a persistent tier; a persistent object reaches a volatile tier only as a
 * cached copy above its persistent copy, and a cached copy is dropped rather than moved down
 * (except a copy staged from a remote tier: it moves down to a local persistent tier with room,
 * still a cached copy of the remote one, so a working set larger than the fast tier is not
 * fetched from the remote tier again and again); PINNED objects are never planned; no object
 * moves twice in a round.
 */
public final class Planner {
  /** What a move does. */
  public enum Kind {
    /** Up to a faster tier (a persistent object onto a volatile tier: a cached copy). */
    PROMOTE,
    /** A cold object down one tier, or its cached copy dropped. */
    DEMOTE,
    /** Down (or deleted) to bring a tier over its high watermark back to its target. */
    EVICT
  }

  /**
   * One tier as the planner sees it.
   *
   * @param id the tier's id
   * @param capacity bytes, or {@link io.objmapper.spi.TierConfig#UNLIMITED}
   * @param used bytes on it now
   */
  public record TierView(int id, boolean persistent, boolean local, boolean writable, boolean src, boolean dst,
      long capacity, long used) implements MigrationRules.Side {
    boolean bounded() {
      return capacity != io.objmapper.spi.TierConfig.UNLIMITED;
    }
  }

  /**
   * One copy of an object.
   *
   * @param tier the tier holding this copy
   * @param homeTier for a cached copy on a volatile tier, the persistent tier holding the
   *     lasting copy; else -1
   * @param pinned never moved by the policy
   * @param ephemeral never on a persistent tier
   * @param heat its heat; 0 if not {@code known}
   * @param known false if the heat is not known: the object was not used since the store
   *     opened, less than a half-life ago, so it may well be hot. Such a copy goes first
   *     when a full tier must make room, but is not demoted as cold.
   */
  public record Copy(String name, int tier, long size, boolean pinned, boolean ephemeral, double heat,
      int homeTier, boolean known) {
    /** A copy whose heat is known. */
    public Copy(String name, int tier, long size, boolean pinned, boolean ephemeral, double heat, int homeTier) {
      this(name, tier, size, pinned, ephemeral, heat, homeTier, true);
    }

    boolean cached() {
      return homeTier >= 0;
    }
  }

  /**
   * A planned move.
   *
   * @param from the tier the object is served from
   * @param to the tier it goes to; -1: the object is deleted (eviction from the last tier of
   *     a store without persistent tiers)
   * @param keepSource true if the source copy stays (a persistent object cached on a volatile tier)
   * @param dropCache true if only a cached copy on {@code from} is dropped ({@code to} is its home)
   */
  public record Move(String name, int from, int to, long size, Kind kind, boolean keepSource, boolean dropCache) {}

  private final LifecyclePolicy policy;
  /** Tiers fastest first. */
  private final TierView[] tiers;
  private final long[] used;
  private final boolean cacheOnly;
  private final Set<String> planned = new HashSet<>();
  private final Set<Integer> draining;
  private final List<Move> moves = new ArrayList<>();
  private int budget;

  /**
   * @param tiersBySpeed the tiers, fastest first
   * @param budget most moves to plan
   * @param draining ids of the tiers the previous round left draining
   */
  public Planner(LifecyclePolicy policy, List<TierView> tiersBySpeed, int budget, Set<Integer> draining) {
    this.draining = new HashSet<>(draining);
    this.policy = policy;
    this.tiers = tiersBySpeed.toArray(new TierView[0]);
    this.used = new long[tiers.length];
    boolean anyPersistent = false;
    for (int i = 0; i < tiers.length; i++) {
      used[i] = tiers[i].used();
      anyPersistent |= tiers[i].persistent();
    }
    this.cacheOnly = !anyPersistent;
    this.budget = budget;
  }

  /**
   * Plans the round.
   *
   * @param residents per tier (in the order of {@code tiersBySpeed}) the copies on it that
   *     may leave it; an empty list for a tier nothing can leave
   * @param hot copies being served, scoring above the hot threshold, in any order
   */
  public List<Move> plan(List<List<Copy>> residents, List<Copy> hot) {
    List<List<Copy>> coldestFirst = new ArrayList<>();
    for (List<Copy> r : residents) {
      List<Copy> sorted = new ArrayList<>(r);
      sorted.sort(Comparator.comparingDouble(Copy::heat));
      coldestFirst.add(sorted);
    }
    evict(coldestFirst);
    promote(hot, coldestFirst);
    demote(coldestFirst);
    return moves;
  }

  /** Ids of the tiers still draining once the planned moves are made: pass them to the next round. */
  public Set<Integer> draining() {
    return draining;
  }

  private void evict(List<List<Copy>> coldestFirst) {
    for (int i = 0; i < tiers.length; i++) {
      TierView t = tiers[i];
      long low = target(t);
      if (!t.bounded() || used[i] <= low) {
        draining.remove(t.id());
        continue;
      }
      if (used[i] > high(t)) {
        draining.add(t.id());
      }
      if (!draining.contains(t.id())) {
        continue;
      }
      for (Copy c : coldestFirst.get(i)) {
        if (used[i] <= low || budget == 0) {
          break;
        }
        if (!MigrationRules.policyMoves(c.pinned()) || planned.contains(c.name())) {
          continue;
        }
        if (c.cached()) {
          leaveCache(c, i, false, Kind.EVICT);
          continue;
        }
        int d = below(i, c, false);
        if (d >= 0) {
          add(new Move(c.name(), t.id(), tiers[d].id(), c.size(), Kind.EVICT, false, false), i, d, c.size());
        } else if (cacheOnly && lastLocal(i) && gives(t)) {
          add(new Move(c.name(), t.id(), -1, c.size(), Kind.EVICT, false, false), i, -1, c.size());
        }
      }
      if (used[i] <= low) {
        draining.remove(t.id());
      }
    }
  }

  private void promote(List<Copy> hot, List<List<Copy>> coldestFirst) {
    double hotHeat = Hotness.heatOf(policy.hotThreshold());
    List<Copy> hottestFirst = new ArrayList<>(hot);
    hottestFirst.sort(Comparator.comparingDouble(Copy::heat).reversed());
    int[] nextColdest = new int[tiers.length];
    for (Copy c : hottestFirst) {
      if (budget == 0) {
        return;
      }
      if (!MigrationRules.policyMoves(c.pinned()) || c.heat() <= hotHeat || planned.contains(c.name())) {
        continue;
      }
      int from = position(c.tier());
      if (from < 0) {
        continue;
      }
      // The fastest tier faster than the object's that takes it and has (or can make) room.
      for (int u = 0; u < from; u++) {
        TierView t = tiers[u];
        if (!MigrationRules.policyPromotes(tiers[from], t, c.ephemeral(), c.cached())) {
          continue;
        }
        // A persistent object onto a volatile tier: a cached copy, the persistent one stays.
        // An existing cached copy moving up is moved (its old place is dropped).
        boolean keep = MigrationRules.keepsSource(t, c.ephemeral(), c.cached());
        if (!t.bounded() || used[u] + c.size() <= target(t)) {
          add(new Move(c.name(), c.tier(), t.id(), c.size(), Kind.PROMOTE, keep, false), keep ? -1 : from, u, c.size());
          break;
        }
        if (budget >= 2 && makeRoom(u, c, coldestFirst.get(u), nextColdest)) {
          add(new Move(c.name(), c.tier(), t.id(), c.size(), Kind.PROMOTE, keep, false), keep ? -1 : from, u, c.size());
          break;
        }
      }
    }
  }

  /**
   * Sends down tier {@code u}'s coldest movable copy if {@code hot} is at least twice as hot
   * and that frees room for it; true if it did.
   */
  private boolean makeRoom(int u, Copy hot, List<Copy> coldest, int[] next) {
    TierView t = tiers[u];
    while (next[u] < coldest.size()) {
      Copy v = coldest.get(next[u]);
      if (!MigrationRules.policyMoves(v.pinned()) || planned.contains(v.name())) {
        next[u]++;
        continue;
      }
      if (v.heat() * 2 >= hot.heat() || used[u] - v.size() + hot.size() > target(t)) {
        return false;
      }
      if (v.cached()) {
        next[u]++;
        leaveCache(v, u, true, Kind.DEMOTE);
        return true;
      }
      int d = below(u, v, true);
      if (d < 0) {
        next[u]++;
        continue;
      }
      next[u]++;
      add(new Move(v.name(), t.id(), tiers[d].id(), v.size(), Kind.DEMOTE, false, false), u, d, v.size());
      return true;
    }
    return false;
  }

  private void demote(List<List<Copy>> coldestFirst) {
    double coldHeat = Hotness.heatOf(policy.coldThreshold());
    for (int i = 0; i < tiers.length && budget > 0; i++) {
      for (Copy c : coldestFirst.get(i)) {
        if (budget == 0 || c.heat() >= coldHeat) {
          break;
        }
        if (!MigrationRules.policyMoves(c.pinned()) || !c.known() || planned.contains(c.name())) {
          continue;
        }
        if (c.cached()) {
          leaveCache(c, i, true, Kind.DEMOTE);
          continue;
        }
        int d = below(i, c, true);
        if (d >= 0) {
          add(new Move(c.name(), tiers[i].id(), tiers[d].id(), c.size(), Kind.DEMOTE, false, false), i, d, c.size());
        }
      }
    }
  }

  /**
   * The first tier slower than position {@code i} that may take {@code c} as its only copy
   * and has room for it (within its fill target if {@code withinTarget}, else within its
   * capacity: an eviction may push the next tier past its watermark, which then drains it in
   * turn); -1 if none.
   */
  private int below(int i, Copy c, boolean withinTarget) {
    if (!gives(tiers[i])) {
      return -1;
    }
    for (int d = i + 1; d < tiers.length; d++) {
      TierView t = tiers[d];
      // Only an ephemeral object's copy may be on a volatile tier alone; only a persistent
      // object's on a persistent one.
      if (!accepts(t, c) || t.persistent() == c.ephemeral()) {
        continue;
      }
      long limit = withinTarget ? target(t) : t.capacity();
      if (!t.bounded() || used[d] + c.size() <= limit) {
        return d;
      }
    }
    return -1;
  }

  /**
   * Plans cached copy {@code c} off position {@code i}: a copy staged from a remote tier onto a
   * volatile tier down to the first local persistent tier below that has room ({@link
   * #below}), where it stays a cached copy of the remote one; any other cached copy (or a
   * staged one with nowhere to go, or on a persistent tier already: the journal of staged
   * copies could not keep two copies of a name recorded) is dropped, its home serving the
   * object.
   */
  private void leaveCache(Copy c, int i, boolean withinTarget, Kind kind) {
    int h = position(c.homeTier());
    int d = h >= 0 && !tiers[h].local() && !tiers[i].persistent() ? below(i, c, withinTarget) : -1;
    if (d >= 0) {
      add(new Move(c.name(), tiers[i].id(), tiers[d].id(), c.size(), kind, false, false), i, d, c.size());
    } else {
      add(new Move(c.name(), tiers[i].id(), c.homeTier(), c.size(), kind, false, true), i, -1, c.size());
    }
  }

  private static boolean gives(TierView t) {
    return MigrationRules.gives(t);
  }

  private static boolean accepts(TierView t, Copy c) {
    return MigrationRules.policyTakes(t, c.ephemeral());
  }

  private boolean lastLocal(int i) {
    for (int d = i + 1; d < tiers.length; d++) {
      if (tiers[d].local()) {
        return false;
      }
    }
    return true;
  }

  /** The fill a tier is kept at: {@code evictTarget} of its capacity. */
  private long target(TierView t) {
    return (long) Math.floor(t.capacity() * policy.evictTarget());
  }

  private long high(TierView t) {
    return (long) Math.floor(t.capacity() * policy.evictWhenFull());
  }

  private int position(int tierId) {
    for (int i = 0; i < tiers.length; i++) {
      if (tiers[i].id() == tierId) {
        return i;
      }
    }
    return -1;
  }

  /** Records {@code m}: {@code size} bytes leave position {@code from} and reach {@code to} (-1: none). */
  private void add(Move m, int from, int to, long size) {
    moves.add(m);
    planned.add(m.name());
    budget--;
    if (from >= 0) {
      used[from] -= size;
    }
    if (to >= 0) {
      used[to] += size;
    }
  }
}
