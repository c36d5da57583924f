/**
 * Tier lifecycle: heat and score ({@link io.objmapper.internal.lifecycle.Hotness}), the
 * planner that picks each round's moves, and the migration journal that makes a move
 * survive a crash at any step.
 */
package io.objmapper.internal.lifecycle;
