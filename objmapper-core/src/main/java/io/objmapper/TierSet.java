package io.objmapper;

import io.objmapper.internal.lifecycle.MigrationRules;
import io.objmapper.internal.log.LogText;
import io.objmapper.internal.log.WarnLimiter;
import io.objmapper.internal.store.IndexRecord;
import io.objmapper.internal.store.TierIndex;
import io.objmapper.spi.LocalFiles;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.dir.DirectoryTier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's tiers, their settings and indexes, with the predicates the other rooms ask
 * (persistent, local, writable, ...). The only place that asks a tier for its
 * {@link LocalFiles} capability.
 */
final class TierSet implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TierSet.class);
  /** Stat failures come from what clients name: a few lines a second per tier, the rest counted. */
  private static final WarnLimiter STAT_WARNINGS = WarnLimiter.perSecond();

  final Tier[] tiers;
  final TierConfig[] configs;
  final TierIndex[] indexes;
  /** Records {@link #unindex} removed: a listing reads it before and after a pass ({@code StorageEngine.list}). */
  private final LongAdder unindexed = new LongAdder();
  /** Tier ids, fastest (lowest perf factor) first. */
  final int[] bySpeed;
  private final Side[] sides;
  /** Each tier's local files, or null for a tier without them (a remote one). */
  private final LocalFiles[] files;

  /** A tier as the migration rules see it. */
  record Side(boolean persistent, boolean local, boolean writable, boolean src, boolean dst)
      implements MigrationRules.Side {}

  TierSet(Tier[] tiers, TierIndex[] indexes) {
    this.tiers = tiers;
    this.indexes = indexes;
    this.configs = new TierConfig[tiers.length];
    this.sides = new Side[tiers.length];
    this.files = new LocalFiles[tiers.length];
    for (int i = 0; i < tiers.length; i++) {
      TierConfig c = tiers[i].config();
      configs[i] = c;
      files[i] = tiers[i].localFiles().orElse(null);
      sides[i] = new Side(c.has(TierFlag.PERSISTENT), files[i] != null, c.has(TierFlag.WRITABLE),
          c.has(TierFlag.MIGRATION_SRC), c.has(TierFlag.MIGRATION_DST));
    }
    this.bySpeed = IntStream.range(0, tiers.length).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> configs[i].perfFactor()).thenComparingInt(i -> i))
        .mapToInt(Integer::intValue).toArray();
  }

  int size() {
    return tiers.length;
  }

  String name(int t) {
    return configs[t].name();
  }

  Side side(int t) {
    return sides[t];
  }

  boolean persistent(int t) {
    return sides[t].persistent();
  }

  boolean local(int t) {
    return sides[t].local();
  }

  boolean writable(int t) {
    return sides[t].writable();
  }

  void checkReadable(int t) {
    if (!configs[t].has(TierFlag.READABLE)) {
      throw new TierRuleException("tier " + name(t) + " is not readable");
    }
  }

  /** The id of the tier named {@code name}. */
  int idOf(String name) {
    for (int t = 0; t < configs.length; t++) {
      if (configs[t].name().equals(name)) {
        return t;
      }
    }
    throw new TierRuleException("no tier named \"" + name + "\"; tiers: " + names());
  }

  List<String> names() {
    return Arrays.stream(configs).map(TierConfig::name).toList();
  }

  boolean noPersistentLocalTier() {
    for (int t = 0; t < tiers.length; t++) {
      if (persistent(t) && local(t)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The stat of {@code name} on tier {@code t}, or null if it has none. A tier that cannot
   * be asked (an I/O error) is logged and answers null, except a refused access
   * (EACCES): that is a {@link StorageException}, not a missing object.
   */
  ObjectStat stat(int t, String name) {
    try {
      return tiers[t].stat(name);
    } catch (AccessDeniedException e) {
      throw new StorageException("tier " + name(t) + ": cannot stat " + name + ": permission denied", e);
    } catch (IOException e) {
      warnCannotStat(t, name, e);
      return null;
    }
  }

  /** Logs that tier {@code t} cannot stat {@code name}: bounded, and rate-limited per tier. */
  void warnCannotStat(int t, String name, IOException e) {
    long suppressed = STAT_WARNINGS.acquire(name(t));
    if (suppressed >= 0) {
      log.warn("tier {}: cannot stat {}: {}{}", name(t), LogText.name(name), LogText.error(e),
          LogText.suppressed(suppressed));
    }
  }

  /** The local files of local tier {@code t} (they open its objects safely, beneath its root). */
  LocalFiles files(int t) {
    LocalFiles f = files[t];
    if (f == null) {
      throw new IllegalStateException("tier " + name(t) + " has no local files");
    }
    return f;
  }

  /** The file of {@code name} on local tier {@code t}. */
  Path path(int t, String name) {
    return files(t).path(name);
  }

  /** Bytes the version of {@code name} on tier {@code t} takes (0 if none): a write there frees them. */
  long sizeOn(int t, String name) {
    IndexRecord old = indexes[t].get(name);
    return old == null ? 0 : old.size();
  }

  /**
   * Copies object {@code name} from tier {@code source} to tier {@code target}: a local
   * source through its file channel (the tier's write copies channel to channel, synced),
   * a remote one through its stream, which must give the length it announces (else the copy
   * fails, leaving nothing). The copy's mode is never wider than its source's.
   */
  ObjectStat copy(String name, int source, int target) throws IOException {
    if (local(source)) {
      LocalFiles from = files(source);
      try (FileChannel in = from.openRead(name).getChannel()) {
        return DirectoryTier.write(tiers[target], name, in, 0, in.size(), DirectoryTier.modeOf(from.path(name)));
      }
    }
    try (InputStream in = tiers[source].openStream(name)) {
      return tiers[target].write(name, LengthCheckedStream.exact(in, "object " + name + " on tier " + name(source)));
    }
  }

  /**
   * Removes {@code name}'s record from tier {@code t}'s index; true if there was one. Every
   * record a move, put, delete or reconcile takes away goes through here, so {@link
   * #unindexed()} tells a reader of several indexes whether an object may have gone from one
   * it had not read yet to one it had.
   */
  boolean unindex(int t, String name) {
    unindexed.increment();
    return indexes[t].remove(name);
  }

  /** How many index records {@link #unindex} removed so far. */
  long unindexed() {
    return unindexed.sum();
  }

  /** Unindexes {@code name} on tier {@code t} and deletes it there if the tier is writable; true if it was there. */
  boolean removeFrom(int t, String name) {
    boolean indexed = unindex(t, name);
    if (!writable(t)) {
      return indexed;
    }
    try {
      return tiers[t].delete(name) || indexed;
    } catch (IOException e) {
      throw new StorageException("cannot delete " + name + " from " + name(t) + ": " + e.getMessage(), e);
    }
  }

  String usageSummary() {
    StringBuilder b = new StringBuilder("[");
    for (int t = 0; t < tiers.length; t++) {
      if (t > 0) {
        b.append(", ");
      }
      b.append(name(t)).append(' ').append(tiers[t].objectCount()).append(" objects ").append(tiers[t].usedBytes());
      if (configs[t].capacityBytes() != TierConfig.UNLIMITED) {
        b.append('/').append(configs[t].capacityBytes());
      }
      b.append(" bytes");
    }
    return b.append(']').toString();
  }

  @Override
  public void close() {
    closeAll(tiers, indexes);
  }

  /** Closes each tier's index and the tier (any may be null: a failed open closes what it opened). */
  static void closeAll(Tier[] tiers, TierIndex[] indexes) {
    for (int t = 0; t < tiers.length; t++) {
      closeQuietly(indexes[t]);
      closeQuietly(tiers[t]);
    }
  }

  static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("close failed: {}", e.toString());
      }
    }
  }
}
