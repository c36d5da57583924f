package io.objmapper;

import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Who may change what: writers of one name serialize on a striped lock (readers take
 * none); writers (put, delete, move) hold the read side of a store-wide lock whose write
 * side {@link #close()} takes, so the store never closes its tiers under a write.
 */
final class NameLocks {
  private static final int STRIPES = 256;

  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private final ReentrantReadWriteLock writers = new ReentrantReadWriteLock();
  private final Object closeLock = new Object();
  private volatile boolean closed;

  NameLocks() {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  ReentrantLock stripe(String name) {
    int h = name.hashCode();
    return stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
  }

  /** Enters a write: fails if the store is closed. Pair with {@link #exitWrite()}. */
  void enterWrite() {
    writers.readLock().lock();
    if (closed) {
      writers.readLock().unlock();
      throw new StoreClosedException();
    }
  }

  void exitWrite() {
    writers.readLock().unlock();
  }

  /**
   * Enters a write of {@code name} and takes its stripe lock; release both with
   * {@link #unlock(ReentrantLock)}.
   */
  ReentrantLock lockForWrite(String name) {
    enterWrite();
    ReentrantLock lock = stripe(name);
    lock.lock();
    return lock;
  }

  void unlock(ReentrantLock stripe) {
    stripe.unlock();
    writers.readLock().unlock();
  }

  boolean closed() {
    return closed;
  }

  void checkOpen() {
    if (closed) {
      throw new StoreClosedException();
    }
  }

  /** Marks the store closed; false if it already was. Writes entered from now on fail. */
  boolean close() {
    synchronized (closeLock) {
      if (closed) {
        return false;
      }
      closed = true;
    }
    return true;
  }

  /** Waits for the writes in progress (after {@link #close()}). */
  void awaitWriters() {
    writers.writeLock().lock();
    writers.writeLock().unlock();
  }
}
