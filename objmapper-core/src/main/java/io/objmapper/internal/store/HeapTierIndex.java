package io.objmapper.internal.store;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/** The index of a volatile tier: a {@link ConcurrentHashMap}, gone with the process. */
final class HeapTierIndex implements TierIndex {
  private final ConcurrentHashMap<String, IndexRecord> map = new ConcurrentHashMap<>();

  @Override
  public IndexRecord get(String name) {
    return map.get(name);
  }

  @Override
  public void put(String name, IndexRecord record) {
    map.put(name, record);
  }

  @Override
  public boolean remove(String name) {
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
    return true;
  }

  @Override
  public void close() {
    map.clear();
  }
}
