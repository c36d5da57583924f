package io.objmapper;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Run in a child JVM by {@link IndexTruncationTest} (a fault on a page of a truncated mapping
 * can crash the JVM that touches it): opens a store on a persistent tier, stores N objects,
 * then cuts its index map file to {@value #TRUNCATED_LENGTH} bytes while the store is open.
 *
 * <ul>
 *   <li>{@code serve ROOT INDEX N}: then, the store's clock moved on past the index's interval
 *   between two looks at the file's length, reads every object back ({@code served N}), asks
 *   for a missing name ({@code missing: not found}), lists everything ({@code listed N}, which
 *   waits for the rebuild), writes one more object, and closes ({@code closed});</li>
 *   <li>{@code close ROOT INDEX N}: closes the store at once, no access in between
 *   ({@code closed}).</li>
 * </ul>
 */
public final class IndexTruncationChild {
  static final long TRUNCATED_LENGTH = 4096;

  private IndexTruncationChild() {}

  static String name(int i) {
    return IndexDamageChild.name(i);
  }

  static byte[] content(int i) {
    return IndexDamageChild.content(i);
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path root = Path.of(args[1]);
    Path index = Path.of(args[2]);
    int n = Integer.parseInt(args[3]);
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    ObjMapper store = ObjMapper.builder()
        .tier(TierConfig.builder().name("disk").type("fs").root(root)
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE)
            .persistIndex(true).indexPath(index).build())
        .expectedObjects(1_000)
        .globalIndexEntries(1) // lookups go to the tier's index, not to a heap entry
        .backgroundRounds(false)
        .nanoClock(clock::get)
        .build();
    try {
      for (int i = 0; i < n; i++) {
        store.put(name(i), content(i));
      }
      try (RandomAccessFile map = new RandomAccessFile(mapFile(index).toFile(), "rw")) {
        map.setLength(TRUNCATED_LENGTH); // as truncate(1) does: the pages past it are gone
      }
      System.out.println("truncated");
      if (mode.equals("serve")) {
        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        serve(store, n);
      }
    } finally {
      store.close();
    }
    System.out.println("closed");
  }

  private static void serve(ObjMapper store, int n) throws Exception {
    IndexDamageChild.readBack(store, n);
    try (ObjectLease lease = store.open("/objects/missing")) {
      System.out.println("missing: found " + lease.size() + " bytes");
    } catch (ObjectNotFoundException e) {
      System.out.println("missing: not found");
    }
    List<ObjectInfo> listed = store.list("/");
    System.out.println("listed " + listed.size());
    store.put(name(n), content(n));
    System.out.println("put after");
  }

  /** The one map file of index {@code index}. */
  static Path mapFile(Path index) throws Exception {
    String prefix = index.getFileName() + ".map.";
    try (Stream<Path> files = Files.list(index.getParent())) {
      List<Path> maps = files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
      if (maps.size() != 1) {
        throw new IllegalStateException("map files: " + maps);
      }
      return maps.get(0);
    }
  }
}
