package io.objmapper.internal.lifecycle;

/**
 * A planned move already in the {@link MigrationJournal} (registered with its round's other
 * moves, one sync for all); the move that finds it takes its {@code seq} and sets it to 0.
 */
public final class JournalSlot {
  public final int from;
  public final int to;
  /** The journal's sequence number; 0 once taken or ended. */
  public long seq;

  public JournalSlot(long seq, int from, int to) {
    this.seq = seq;
    this.from = from;
    this.to = to;
  }
}
