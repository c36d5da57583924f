package io.objmapper;

/**
 * What one lifecycle round did.
 *
 * @param promoted objects moved (or copied) to a faster tier
 * @param demoted objects moved to a slower tier, or cached copies dropped, because they were cold
 * @param evicted objects sent down (or, from the slowest tier of a store without persistent
 *     tiers, deleted) to bring a full tier back to its target
 * @param bytesMoved bytes copied between tiers
 * @param failures moves that failed (the object stayed where it was); a move whose room went
 *     between the plan and the move (a write took it) is not a failure, only not made
 * @param allowed most moves this round could make (the batch size, less under load)
 * @param threads threads the moves ran on: 2 on a quiet store, 1 while requests come faster
 *     than a quarter of {@link LifecyclePolicy#busyRequestsPerSecond()}
 * @param nanos how long the round took
 */
public record MigrationRound(int promoted, int demoted, int evicted, long bytesMoved, int failures, int allowed,
    int threads, long nanos) {
  /** Objects moved in all. */
  public int moved() {
    return promoted + demoted + evicted;
  }
}
