package io.objmapper;

import io.objmapper.spi.dir.DirectoryTier;
import io.objmapper.spi.dir.SourceFile;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The store's {@link BulkPut}: one {@link DirectoryTier.Batch} per tier written to, placed
 * and reserved as {@link Writes} places a put, published and indexed through {@link
 * Writes#publish} under each name's lock.
 *
 * <p>The index entry is written right after the rename and before the directories are
 * synced: a reader never finds an entry for another version than the file's, and an index
 * that outlives a crash in which a rename was lost is not trusted (an unclean stop rebuilds
 * the persistent index from the files).
 */
final class BulkWrites implements BulkPut {
  private final TierSet set;
  private final Writes writes;
  private final NameLocks locks;
  private final StorageEngine store;
  private final ObjectFlag[] flags;
  private final int mask;
  private final DirectoryTier.Batch[] batches;
  private final List<Item> items = new ArrayList<>();
  private final List<ObjectInfo> direct = new ArrayList<>();

  /** A file staged on {@code tier}, {@code promised} bytes reserved there. */
  private record Item(String name, int tier, DirectoryTier.Staged staged, long promised) {}

  BulkWrites(StorageEngine store, TierSet set, Writes writes, NameLocks locks, ObjectFlag[] flags) {
    this.store = store;
    this.set = set;
    this.writes = writes;
    this.locks = locks;
    this.flags = flags.clone();
    this.mask = ObjectFlag.mask(flags);
    this.batches = new DirectoryTier.Batch[set.size()];
  }

  @Override
  public void add(String name, Path file) {
    try (SourceFile src = SourceFile.open(file)) {
      long size = src.size();
      locks.enterWrite();
      try {
        int t = writes.place(name, mask, size);
        long promised = Math.max(0, size - set.sizeOn(t, name));
        boolean staged = false;
        try {
          if (set.tiers[t] instanceof DirectoryTier) {
            items.add(new Item(name, t, batch(t).stage(name, src.channel(), 0, size, src.mode()), promised));
            staged = true;
            return;
          }
        } catch (IOException e) {
          throw new StorageException("cannot store " + name + " on " + set.name(t) + ": " + e.getMessage(), e);
        } finally {
          if (!staged) {
            writes.unreserve(t, promised);
          }
        }
      } finally {
        locks.exitWrite();
      }
      direct.add(store.put(name, file, flags)); // a remote tier: durable on its own
    } catch (NoSuchFileException e) {
      throw new StorageException("no such file: " + file, e);
    } catch (IOException e) {
      throw new StorageException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private DirectoryTier.Batch batch(int t) throws IOException {
    if (batches[t] == null) {
      batches[t] = ((DirectoryTier) set.tiers[t]).batch();
    }
    return batches[t];
  }

  @Override
  public int pending() {
    return items.size() + direct.size();
  }

  @Override
  public List<ObjectInfo> flush(BiConsumer<String, ObjMapperException> failed) {
    List<ObjectInfo> stored = new ArrayList<>(direct);
    direct.clear();
    IOException[] unsynced = new IOException[batches.length];
    for (int t = 0; t < batches.length; t++) {
      try {
        if (batches[t] != null) {
          batches[t].sync();
        }
      } catch (IOException e) {
        unsynced[t] = e;
      }
    }
    List<ObjectInfo> published = new ArrayList<>(items.size());
    int[] tierOf = new int[items.size()];
    try {
      for (Item it : items) {
        try {
          if (unsynced[it.tier()] != null) {
            throw new StorageException("cannot sync " + it.name() + " on " + set.name(it.tier()) + ": "
                + unsynced[it.tier()].getMessage(), unsynced[it.tier()]);
          }
          DirectoryTier.Batch b = batches[it.tier()];
          ObjectInfo info = writes.publish(it.name(), it.tier(), mask, () -> b.publish(it.staged()));
          tierOf[published.size()] = it.tier();
          published.add(info);
        } catch (ObjMapperException e) {
          failed.accept(it.name(), e);
        } catch (RuntimeException e) {
          failed.accept(it.name(), new StorageException("cannot store " + it.name() + ": " + e.getMessage(), e));
        } finally {
          writes.unreserve(it.tier(), it.promised());
        }
      }
      items.clear();
      IOException[] dirsUnsynced = new IOException[batches.length];
      for (int t = 0; t < batches.length; t++) {
        try {
          if (batches[t] != null) {
            batches[t].syncDirectories();
          }
        } catch (IOException e) {
          dirsUnsynced[t] = e;
        }
      }
      for (int i = 0; i < published.size(); i++) {
        IOException e = dirsUnsynced[tierOf[i]];
        if (e != null) {
          failed.accept(published.get(i).name(), new StorageException("stored " + published.get(i).name()
              + " but could not sync its directory on " + set.name(tierOf[i]) + " (" + e.getMessage()
              + "): it may not survive a crash", e));
        } else {
          stored.add(published.get(i));
        }
      }
      return stored;
    } finally {
      closeBatches();
    }
  }

  @Override
  public void close() {
    for (Item it : items) {
      writes.unreserve(it.tier(), it.promised());
    }
    items.clear();
    direct.clear();
    closeBatches();
  }

  private void closeBatches() {
    for (int t = 0; t < batches.length; t++) {
      if (batches[t] != null) {
        try {
          batches[t].close();
        } catch (IOException e) {
          // a temporary file that would not go is removed at the next open
        }
        batches[t] = null;
      }
    }
  }
}
