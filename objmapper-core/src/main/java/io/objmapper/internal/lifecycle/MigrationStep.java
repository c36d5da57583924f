package io.objmapper.internal.lifecycle;

/** The steps of one migration, in order; after each, a crash leaves a state recovery resolves. */
public enum MigrationStep {
  /** The move is in the migration journal (synced); nothing copied yet. */
  JOURNALED,
  /** The target's copy is complete and synced under the object's name. */
  COPIED,
  /** The target's index has the object and lookups find the target's copy. */
  SWITCHED,
  /** The source's index no longer has the object. */
  SOURCE_UNINDEXED,
  /** The source's copy is deleted; the journal does not say so yet. */
  SOURCE_REMOVED,
  /** The journal says the move is done. */
  DONE
}
