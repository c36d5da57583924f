package io.objmapper.internal.store;

import io.objmapper.spi.Tier;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index of a volatile tier, or of a remote tier that keeps none: a {@link
 * ConcurrentHashMap}, gone with the process. A remote tier's is {@linkplain #fillInBackground
 * filled in the background} by a paginated LIST, so opening never waits for the service.
 */
final class HeapTierIndex implements TierIndex {
  private static final Logger log = LoggerFactory.getLogger(HeapTierIndex.class);

  private final ConcurrentHashMap<String, IndexRecord> map = new ConcurrentHashMap<>();
  /** While a background fill runs: the names written or removed meanwhile (the fill leaves them). */
  private volatile Set<String> changedDuringFill;
  private volatile boolean closed;

  /**
   * An index of {@code tier} filled by a scan in a background thread; {@link #complete()} is
   * false until the scan ends (a miss then proves nothing: lookups ask the tier), and stays
   * false if it fails. What is written or removed meanwhile wins over what the scan finds.
   */
  static HeapTierIndex fillInBackground(Tier tier, int flags) {
    HeapTierIndex index = new HeapTierIndex();
    index.changedDuringFill = ConcurrentHashMap.newKeySet();
    Thread t = new Thread(() -> index.fill(tier, flags), "objmapper-list-" + tier.name());
    t.setDaemon(true);
    t.start();
    return index;
  }

  /** Fills the index; a scan that fails is tried again (1 s, then twice as long up to a minute) until closed. */
  private void fill(Tier tier, int flags) {
    long pauseMillis = 1_000;
    while (!closed && !fillOnce(tier, flags)) {
      try {
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        return;
      }
      pauseMillis = Math.min(60_000, pauseMillis * 2);
    }
  }

  private boolean fillOnce(Tier tier, int flags) {
    long start = System.nanoTime();
    Set<String> changed = changedDuringFill;
    try {
      long n = tier.scan((name, stat) -> {
        if (closed) {
          throw new java.io.InterruptedIOException("index closed");
        }
        IndexRecord r = IndexRecord.of(stat, flags);
        if (!changed.contains(name) && map.putIfAbsent(name, r) == null && changed.contains(name)) {
          map.remove(name, r); // written or removed while this was added: that change wins
        }
      }, Tier.ScanProgress.NONE);
      changedDuringFill = null;
      long ms = Math.max(1, (System.nanoTime() - start) / 1_000_000);
      log.info("tier {}: {} objects listed in the background in {} ms ({} objects/s)", tier.name(), n, ms,
          n * 1000 / ms);
      return true;
    } catch (java.io.IOException | RuntimeException e) {
      if (!closed) {
        log.warn("tier {}: listing its objects failed; lookups keep asking the tier, the listing is tried again: {}",
            tier.name(), e.toString());
      }
      return false;
    }
  }

  @Override
  public IndexRecord get(String name) {
    return map.get(name);
  }

  @Override
  public void put(String name, IndexRecord record) {
    Set<String> changed = changedDuringFill;
    if (changed != null) {
      changed.add(name);
    }
    map.put(name, record);
  }

  @Override
  public boolean remove(String name) {
    Set<String> changed = changedDuringFill;
    if (changed != null) {
      changed.add(name);
    }
    return map.remove(name) != null;
  }

  @Override
  public void forEach(String prefix, BiConsumer<String, IndexRecord> visitor) {
    map.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        visitor.accept(k, v);
      }
    });
  }

  @Override
  public long size() {
    return map.size();
  }

  @Override
  public boolean complete() {
    return changedDuringFill == null;
  }

  @Override
  public void close() {
    closed = true;
    map.clear();
  }
}
