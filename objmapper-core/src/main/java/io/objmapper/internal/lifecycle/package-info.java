/**
 * Tier lifecycle: heat and score ({@link io.objmapper.internal.lifecycle.Hotness}), the
 * migration rules stated once ({@link io.objmapper.internal.lifecycle.MigrationRules}: the
 * planner, the store's mover and the placement explanation all ask them), the
 * {@link io.objmapper.internal.lifecycle.Planner} that picks each round's moves, the
 * {@link io.objmapper.internal.lifecycle.LifecycleRunner} that runs rounds (timer, one or two
 * movers, rate limiting, failures counted), and the migration journal that makes a move
 * survive a crash at any step. The store carries moves out; this package plans and counts.
 */
package io.objmapper.internal.lifecycle;
