package io.objmapper.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connection counts of one transport: in total and per peer. Taken and given back on
 * accept and close only, never on the request path.
 */
final class ConnectionLimits {
  private final int max;
  private final int maxPerPeer;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<Object, Integer> perPeer = new ConcurrentHashMap<>();

  ConnectionLimits(int max, int maxPerPeer) {
    this.max = max;
    this.maxPerPeer = maxPerPeer;
  }

  /** Counts a connection of {@code peer} in; null if admitted, else why not. */
  String acquire(Object peer) {
    if (total.incrementAndGet() > max) {
      total.decrementAndGet();
      return max + " connections already";
    }
    boolean[] over = new boolean[1];
    perPeer.compute(peer, (k, n) -> {
      int now = n == null ? 0 : n;
      if (now >= maxPerPeer) {
        over[0] = true;
        return n;
      }
      return now + 1;
    });
    if (over[0]) {
      total.decrementAndGet();
      return maxPerPeer + " connections from this peer already";
    }
    return null;
  }

  void release(Object peer) {
    perPeer.computeIfPresent(peer, (k, n) -> n <= 1 ? null : n - 1);
    total.decrementAndGet();
  }
}
