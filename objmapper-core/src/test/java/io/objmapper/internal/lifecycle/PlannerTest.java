package io.objmapper.internal.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.objmapper.LifecyclePolicy;
import io.objmapper.internal.lifecycle.Planner.Copy;
import io.objmapper.internal.lifecycle.Planner.Kind;
import io.objmapper.internal.lifecycle.Planner.Move;
import io.objmapper.internal.lifecycle.Planner.TierView;
import io.objmapper.spi.TierConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The planner's decisions on snapshots: what moves, where, and what never does. */
class PlannerTest {
  private static final LifecyclePolicy POLICY = LifecyclePolicy.defaults(); // hot 0.7, cold 0.3, 0.95 → 0.85
  private static final double HOT = 5; // score 0.97
  private static final double WARM = 1; // score 0.5
  private static final double COLD = 0.1; // score 0.07

  private static TierView fs(int id, long capacity, long used) {
    return new TierView(id, true, true, true, true, true, capacity, used);
  }

  private static TierView memory(int id, long capacity, long used) {
    return new TierView(id, false, true, true, true, true, capacity, used);
  }

  private static Copy copy(String name, int tier, double heat) {
    return new Copy(name, tier, 10, false, false, heat, -1);
  }

  private static List<Move> plan(List<TierView> tiers, int budget, List<List<Copy>> residents, List<Copy> hot) {
    return new Planner(POLICY, tiers, budget, java.util.Set.of()).plan(residents, hot);
  }

  private static List<List<Copy>> residents(List<Copy>... perTier) {
    return new ArrayList<>(List.of(perTier));
  }

  @Test
  void aHotObjectOnTheSlowTierMovesToTheFastTierWithRoom() {
    Copy h = copy("/h", 1, HOT);
    List<Move> moves = plan(List.of(fs(0, 100, 0), fs(1, TierConfig.UNLIMITED, 10)), 10,
        residents(List.of(), List.of(h)), List.of(h));
    assertThat(moves).containsExactly(new Move("/h", 1, 0, 10, Kind.PROMOTE, false, false));
  }

  @Test
  void aWarmObjectStaysWhereItIs() {
    Copy w = copy("/w", 1, WARM);
    Copy f = copy("/f", 0, WARM);
    assertThat(plan(List.of(fs(0, 100, 10), fs(1, TierConfig.UNLIMITED, 10)), 10,
        residents(List.of(f), List.of(w)), List.of())).isEmpty();
  }

  @Test
  void promotionsFillTheFastTierOnlyToItsTarget() {
    List<Copy> hot = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      hot.add(copy("/h" + i, 1, HOT + i));
    }
    // 100 bytes, target 85 (the room above it is for writes): eight 10-byte objects fit.
    List<Move> moves = plan(List.of(fs(0, 100, 0), fs(1, TierConfig.UNLIMITED, 200)), 50,
        residents(List.of(), hot), hot);
    assertThat(moves).hasSize(8).allMatch(m -> m.kind() == Kind.PROMOTE && m.to() == 0);
    // The hottest go first.
    assertThat(moves.get(0).name()).isEqualTo("/h19");
  }

  @Test
  void aMuchHotterObjectTakesThePlaceOfTheColdestOnAFullTier() {
    Copy resident = copy("/r", 0, WARM);
    Copy h = copy("/h", 1, HOT);
    // 17 of 20 bytes used: at its target (17), no room for 10 more.
    List<Move> moves = plan(List.of(fs(0, 20, 17), fs(1, TierConfig.UNLIMITED, 10)), 10,
        residents(List.of(resident), List.of(h)), List.of(h));
    assertThat(moves).containsExactly(
        new Move("/r", 0, 1, 10, Kind.DEMOTE, false, false),
        new Move("/h", 1, 0, 10, Kind.PROMOTE, false, false));
  }

  @Test
  void aHotObjectDoesNotDisplaceOneNearlyAsHot() {
    Copy resident = copy("/r", 0, HOT);
    Copy h = copy("/h", 1, HOT * 1.5);
    assertThat(plan(List.of(fs(0, 20, 17), fs(1, TierConfig.UNLIMITED, 10)), 10,
        residents(List.of(resident), List.of(h)), List.of(h))).isEmpty();
  }

  @Test
  void aTierPastItsHighWatermarkSendsItsColdestDownToItsTarget() {
    List<Copy> on0 = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      on0.add(copy("/o" + i, 0, WARM + i)); // warm: only the fill makes them move
    }
    // 100 of 100 bytes used: down to 85 means two objects (90, then 80).
    List<Move> moves = plan(List.of(fs(0, 100, 100), fs(1, TierConfig.UNLIMITED, 0)), 10,
        residents(on0, List.of()), List.of());
    assertThat(moves).extracting(Move::name).containsExactly("/o0", "/o1");
    assertThat(moves).allMatch(m -> m.kind() == Kind.EVICT && m.to() == 1);
  }

  @Test
  void aCopyOfUnknownHeatIsNotDemotedButGoesFirstWhenATierMustMakeRoom() {
    Copy unknown = new Copy("/u", 0, 10, false, false, 0, -1, false);
    assertThat(plan(List.of(fs(0, 100, 10), fs(1, TierConfig.UNLIMITED, 0)), 10,
        residents(List.of(unknown), List.of()), List.of())).isEmpty();
    Copy warm = copy("/w", 0, WARM);
    List<Move> moves = plan(List.of(fs(0, 20, 20), fs(1, TierConfig.UNLIMITED, 0)), 10,
        residents(List.of(warm, unknown), List.of()), List.of());
    assertThat(moves).extracting(Move::name).containsExactly("/u");
  }

  @Test
  void aTierKeepsDrainingToItsTargetInLaterRoundsWhenOneRoundsBudgetIsNotEnough() {
    List<Copy> on0 = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      on0.add(copy("/o" + i, 0, WARM + i));
    }
    Planner first = new Planner(POLICY, List.of(fs(0, 100, 100), fs(1, TierConfig.UNLIMITED, 0)), 1,
        java.util.Set.of());
    assertThat(first.plan(residents(on0, List.of()), List.of())).extracting(Move::name).containsExactly("/o0");
    assertThat(first.draining()).containsExactly(0);
    // Next round: at 90, below the watermark (95) but above the target (85): it goes on.
    Planner second = new Planner(POLICY, List.of(fs(0, 100, 90), fs(1, TierConfig.UNLIMITED, 10)), 5,
        first.draining());
    assertThat(second.plan(residents(on0.subList(1, 10), List.of()), List.of())).extracting(Move::name)
        .containsExactly("/o1");
    assertThat(second.draining()).isEmpty();
    // A tier at 90 that was not draining is left alone.
    assertThat(plan(List.of(fs(0, 100, 90), fs(1, TierConfig.UNLIMITED, 10)), 5, residents(on0, List.of()),
        List.of())).isEmpty();
  }

  @Test
  void pinnedObjectsAreNeverEvictedNorDemoted() {
    Copy pinned = new Copy("/p", 0, 100, true, false, 0, -1);
    assertThat(plan(List.of(fs(0, 100, 100), fs(1, TierConfig.UNLIMITED, 0)), 10,
        residents(List.of(pinned), List.of()), List.of())).isEmpty();
    Copy hotPinned = new Copy("/hp", 1, 10, true, false, HOT, -1);
    assertThat(plan(List.of(fs(0, 100, 0), fs(1, TierConfig.UNLIMITED, 0)), 10,
        residents(List.of(), List.of(hotPinned)), List.of(hotPinned))).isEmpty();
  }

  @Test
  void theLastTierOfAStoreWithoutPersistentTiersDeletesWhatItEvicts() {
    Copy c = new Copy("/c", 1, 10, false, true, COLD, -1);
    List<Move> moves = plan(List.of(memory(0, 100, 0), memory(1, 10, 10)), 10,
        residents(List.of(), List.of(c)), List.of());
    assertThat(moves).containsExactly(new Move("/c", 1, -1, 10, Kind.EVICT, false, false));
  }

  @Test
  void aLastTierWithoutMigrationSrcKeepsWhatItHoldsEvenWhenFull() {
    Copy c = new Copy("/c", 1, 10, false, true, COLD, -1);
    TierView noSrc = new TierView(1, false, true, true, false, true, 10, 10);
    assertThat(plan(List.of(memory(0, 100, 0), noSrc), 10, residents(List.of(), List.of(c)), List.of())).isEmpty();
  }

  @Test
  void aStoreWithAPersistentTierNeverDeletesToMakeRoom() {
    Copy c = new Copy("/c", 1, 10, false, true, COLD, -1);
    assertThat(plan(List.of(fs(0, TierConfig.UNLIMITED, 0), memory(1, 10, 10)), 10,
        residents(List.of(), List.of(c)), List.of())).isEmpty();
  }

  @Test
  void anEphemeralObjectNeverReachesAPersistentTier() {
    Copy e = new Copy("/e", 1, 10, false, true, HOT, -1);
    assertThat(plan(List.of(fs(0, 100, 0), memory(1, 100, 10)), 10, residents(List.of(), List.of(e)), List.of(e)))
        .isEmpty();
    Copy cold = new Copy("/e", 0, 10, false, true, COLD, -1);
    assertThat(plan(List.of(memory(0, 100, 10), fs(1, TierConfig.UNLIMITED, 0)), 10,
        residents(List.of(cold), List.of()), List.of())).isEmpty();
  }

  @Test
  void aPersistentObjectPromotedOntoAVolatileTierKeepsItsPersistentCopy() {
    Copy h = copy("/h", 1, HOT);
    List<Move> moves = plan(List.of(memory(0, 100, 0), fs(1, TierConfig.UNLIMITED, 10)), 10,
        residents(List.of(), List.of(h)), List.of(h));
    assertThat(moves).containsExactly(new Move("/h", 1, 0, 10, Kind.PROMOTE, true, false));
  }

  @Test
  void aColdCachedCopyIsDroppedNotMovedDown() {
    Copy cached = new Copy("/c", 0, 10, false, false, COLD, 1);
    List<Move> moves = plan(List.of(memory(0, 100, 10), fs(1, TierConfig.UNLIMITED, 10)), 10,
        residents(List.of(cached), List.of()), List.of());
    assertThat(moves).containsExactly(new Move("/c", 0, 1, 10, Kind.DEMOTE, false, true));
  }

  private static TierView remote(int id) {
    return new TierView(id, true, false, true, true, true, TierConfig.UNLIMITED, 0);
  }

  @Test
  void aColdCopyStagedFromARemoteTierMovesDownToTheLocalDiskStillACachedCopy() {
    // Home 2 is remote: dropping the copy would fetch it from there again at the next use.
    Copy staged = new Copy("/s", 0, 10, false, false, COLD, 2);
    List<Move> moves = plan(List.of(memory(0, 100, 10), fs(1, TierConfig.UNLIMITED, 10), remote(2)), 10,
        residents(List.of(staged), List.of(), List.of()), List.of());
    assertThat(moves).containsExactly(new Move("/s", 0, 1, 10, Kind.DEMOTE, false, false));
  }

  @Test
  void aStagedCopyEvictedFromAFullVolatileTierMovesDownIfTheDiskHasRoomElseIsDropped() {
    Copy a = new Copy("/a", 0, 10, false, false, WARM, 2);
    // 20 of 20 bytes used (over 95 %): one copy must go to reach 85 % (17).
    assertThat(plan(List.of(memory(0, 20, 20), fs(1, 100, 80), remote(2)), 10,
        residents(List.of(a), List.of(), List.of()), List.of()))
        .containsExactly(new Move("/a", 0, 1, 10, Kind.EVICT, false, false));
    // A disk with no room for it: the copy is dropped, the remote tier serves the object.
    assertThat(plan(List.of(memory(0, 20, 20), fs(1, 100, 95), remote(2)), 10,
        residents(List.of(a), List.of(), List.of()), List.of()))
        .containsExactly(new Move("/a", 0, 2, 10, Kind.EVICT, false, true));
  }

  @Test
  void aColdStagedCopyOnAPersistentTierIsDroppedNotMovedToASlowerPersistentOne() {
    // Two copies of a name on two persistent tiers cannot both stay in the staged journal.
    Copy staged = new Copy("/s", 0, 10, false, false, COLD, 2);
    List<Move> moves = plan(List.of(fs(0, 100, 10), fs(1, TierConfig.UNLIMITED, 10), remote(2)), 10,
        residents(List.of(staged), List.of(), List.of()), List.of());
    assertThat(moves).containsExactly(new Move("/s", 0, 2, 10, Kind.DEMOTE, false, true));
  }

  @Test
  void aStagedCopyNeverMovesOntoTheRemoteTierItCameFrom() {
    Copy staged = new Copy("/s", 0, 10, false, false, COLD, 1);
    List<Move> moves = plan(List.of(memory(0, 100, 10), remote(1)), 10,
        residents(List.of(staged), List.of()), List.of());
    assertThat(moves).containsExactly(new Move("/s", 0, 1, 10, Kind.DEMOTE, false, true));
  }

  @Test
  void aColdPersistentObjectGoesDownToAPersistentTierNeverToAVolatileOne() {
    Copy cold = copy("/c", 0, COLD);
    List<Move> moves = plan(List.of(fs(0, 100, 10), memory(1, 100, 0), fs(2, TierConfig.UNLIMITED, 0)), 10,
        residents(List.of(cold), List.of(), List.of()), List.of());
    assertThat(moves).containsExactly(new Move("/c", 0, 2, 10, Kind.DEMOTE, false, false));
  }

  @Test
  void onlyTiersWithMigrationDstTakeObjectsAndOnlyTiersWithMigrationSrcGiveThem() {
    Copy h = copy("/h", 1, HOT);
    TierView noDst = new TierView(0, true, true, true, true, false, 100, 0);
    assertThat(plan(List.of(noDst, fs(1, TierConfig.UNLIMITED, 10)), 10, residents(List.of(), List.of(h)),
        List.of(h))).isEmpty();
    TierView noSrc = new TierView(1, true, true, true, false, true, TierConfig.UNLIMITED, 10);
    assertThat(plan(List.of(fs(0, 100, 0), noSrc), 10, residents(List.of(), List.of(h)), List.of(h))).isEmpty();
    Copy cold = copy("/c", 0, COLD);
    TierView fastNoSrc = new TierView(0, true, true, true, false, true, 100, 10);
    assertThat(plan(List.of(fastNoSrc, fs(1, TierConfig.UNLIMITED, 0)), 10, residents(List.of(cold), List.of()),
        List.of())).isEmpty();
  }

  @Test
  void aRoundMovesAtMostItsBudgetAndNoObjectTwice() {
    List<Copy> cold = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      cold.add(copy("/c" + i, 0, COLD));
    }
    List<Move> moves = plan(List.of(fs(0, 100, 100), fs(1, TierConfig.UNLIMITED, 0)), 3,
        residents(cold, List.of()), List.of());
    assertThat(moves).hasSize(3);
    List<Copy> both = List.of(copy("/x", 0, COLD));
    List<Move> once = plan(List.of(fs(0, 100, 100), fs(1, TierConfig.UNLIMITED, 0)), 10, residents(both, List.of()),
        List.of());
    assertThat(once).hasSize(1);
  }
}
