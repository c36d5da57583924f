package io.objmapper.internal.store;

import io.objmapper.StorageException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tier index that opens in the background, so a store serves its first request before a
 * Chronicle Map file is mapped (its first use in a JVM compiles code: about a second).
 * Until it is open, {@link #get} finds nothing and {@link #complete()} is false, so lookups
 * ask the tier itself; writes, listings and sizes wait for it. If it cannot be opened,
 * lookups keep asking the tier and writes fail with a {@link StorageException}.
 */
final class OpeningTierIndex implements TierIndex {
  private static final Logger log = LoggerFactory.getLogger(OpeningTierIndex.class);

  /** Opens the real index. */
  interface Opener {
    TierIndex open() throws Exception;
  }

  private final CompletableFuture<TierIndex> opened = new CompletableFuture<>();
  private final String tierName;
  private volatile TierIndex ready;

  /** An index that could not be opened (at once, by the caller): lookups ask the tier, writes fail. */
  static OpeningTierIndex failed(String tierName, Throwable cause) {
    OpeningTierIndex index = new OpeningTierIndex(tierName);
    index.opened.completeExceptionally(cause);
    return index;
  }

  private OpeningTierIndex(String tierName) {
    this.tierName = tierName;
  }

  OpeningTierIndex(String tierName, Opener opener) {
    this.tierName = tierName;
    Thread t = new Thread(() -> {
      try {
        TierIndex index = opener.open();
        ready = index;
        opened.complete(index);
      } catch (Exception | Error e) {
        log.error("tier {}: its index could not be opened; lookups ask the tier, writes fail: {}", tierName,
            e.toString());
        opened.completeExceptionally(e);
      }
    }, "objmapper-index-open-" + tierName);
    t.setDaemon(true);
    t.start();
  }

  private TierIndex await() {
    TierIndex r = ready;
    if (r != null) {
      return r;
    }
    try {
      return opened.join();
    } catch (CompletionException e) {
      throw new StorageException("the index of tier " + tierName + " could not be opened: " + e.getCause(),
          e.getCause());
    }
  }

  @Override
  public boolean ready() {
    return ready != null;
  }

  @Override
  public void awaitOpened() {
    try {
      opened.join();
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      // failed to open: lookups ask the tier (said when it failed)
    }
  }

  @Override
  public IndexRecord get(String name) {
    TierIndex r = ready;
    return r == null ? null : r.get(name);
  }

  @Override
  public void put(String name, IndexRecord record) {
    await().put(name, record);
  }

  /** False (nothing removed) for an index that could not be opened: the tier's other writes go on. */
  @Override
  public boolean remove(String name) {
    try {
      return await().remove(name);
    } catch (StorageException e) {
      return false;
    }
  }

  @Override
  public void forEach(String prefix, BiConsumer<String, IndexRecord> visitor) {
    await().forEach(prefix, visitor);
  }

  @Override
  public long size() {
    return await().size();
  }

  @Override
  public boolean complete() {
    TierIndex r = ready;
    return r != null && r.complete();
  }

  @Override
  public void close() {
    try {
      opened.join().close();
    } catch (CompletionException e) {
      // never opened: nothing to close
    }
  }
}
