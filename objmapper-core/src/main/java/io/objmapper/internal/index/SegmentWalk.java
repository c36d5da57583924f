package io.objmapper.internal.index;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.Supplier;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.MapSegmentContext;

/**
 * A walk over a map, one segment at a time: the segment's matching entries are copied to the
 * heap under its lock, then visited outside every lock (so a visitor may put and remove).
 */
final class SegmentWalk {
  private SegmentWalk() {}

  /**
   * Visits the entries of {@code map} whose name starts with {@code prefix} (every entry if
   * null) until {@code visitor} returns false; a failure inside Chronicle Map, or more than
   * {@code bound} entries met (see {@link ChronicleMaps#walkBound}: a damaged map whose links
   * loop), is passed through {@code damaged} and thrown; so is what {@code beforeSegment}
   * returns, asked before each segment is touched (a map file found cut short), if not null.
   * An {@link InternalError} from Chronicle Map (a fault on a page of the mapping) is damage too.
   *
   * @return the number of entries visited
   */
  static long walk(ChronicleMap<String, IndexEntry> map, long bound, byte[] prefix, EntryVisitor visitor,
      Supplier<RuntimeException> beforeSegment, Function<RuntimeException, RuntimeException> damaged) {
    SegmentBuffer buf = new SegmentBuffer();
    IndexEntry holder = new IndexEntry();
    long[] met = new long[1];
    long visited = 0;
    for (int s = 0, n = map.segments(); s < n; s++) {
      buf.clear();
      RuntimeException cut = beforeSegment.get();
      if (cut != null) {
        throw damaged.apply(cut);
      }
      try (MapSegmentContext<String, IndexEntry, ?> c = map.segmentContext(s)) {
        c.forEachSegmentEntry(e -> {
          if (++met[0] > bound) {
            throw ChronicleMaps.endlessWalk(bound);
          }
          Data<String> key = e.key();
          if (prefix == null || startsWith(key, prefix)) {
            buf.add(key.getUsing(null), e.value().getUsing(holder));
          }
        });
      } catch (RuntimeException e) {
        throw damaged.apply(e);
      } catch (InternalError e) {
        throw damaged.apply(new MapLength.MapAccessFault(e));
      }
      for (int i = 0; i < buf.count; i++) {
        visited++;
        if (!visitor.visit(buf.names[i], buf.entry(i, holder))) {
          return visited;
        }
      }
    }
    return visited;
  }

  private static boolean startsWith(Data<String> key, byte[] prefix) {
    if (key.size() < prefix.length) {
      return false;
    }
    long offset = key.offset();
    for (int i = 0; i < prefix.length; i++) {
      if (key.bytes().readByte(offset + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** One segment's matching entries, copied out so that visitors run outside the segment lock. */
  private static final class SegmentBuffer {
    String[] names = new String[64];
    long[] sizes = new long[64];
    long[] mtimes = new long[64];
    int[] fileKeys = new int[64];
    int[] flags = new int[64];
    int count;

    void clear() {
      Arrays.fill(names, 0, count, null);
      count = 0;
    }

    void add(String name, IndexEntry e) {
      if (count == names.length) {
        int n = count * 2;
        names = Arrays.copyOf(names, n);
        sizes = Arrays.copyOf(sizes, n);
        mtimes = Arrays.copyOf(mtimes, n);
        fileKeys = Arrays.copyOf(fileKeys, n);
        flags = Arrays.copyOf(flags, n);
      }
      names[count] = name;
      sizes[count] = e.size();
      mtimes[count] = e.mtimeMillis();
      fileKeys[count] = e.fileKeyHash();
      flags[count] = e.flags();
      count++;
    }

    IndexEntry entry(int i, IndexEntry into) {
      return into.set(sizes[i], mtimes[i], fileKeys[i], flags[i]);
    }
  }
}
