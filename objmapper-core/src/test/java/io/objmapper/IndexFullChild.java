package io.objmapper;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by {@link IndexFullTest} in a child JVM that may write no file beyond a limit (as on a
 * full disk): puts small objects with long names (which fill a tier index's map quickly) until
 * the index must grow and cannot, then prints how the puts failed and whether the store still
 * serves. Lines: {@code bulk-failure CLASS CODE}, {@code bulk-leftover BOOL}, {@code
 * put-failure CLASS CODE}, {@code put-leftover BOOL}, {@code exists BOOL}, {@code served N of
 * M}, {@code closed}.
 */
public final class IndexFullChild {
  private IndexFullChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int max = Integer.parseInt(args[1]);
    StringBuilder prefix = new StringBuilder();
    for (char c = 'a'; c < 'a' + 10; c++) {
      prefix.append('/').append(String.valueOf(c).repeat(200));
    }
    Path src = Files.write(dir.resolve("one-byte"), new byte[] {7});
    Path root = dir.resolve("disk");
    List<String> stored = new ArrayList<>();
    try (ObjMapper store = ObjMapper.builder().tier(TierConfig.builder().name("disk").type("fs")
        .root(TestStores.mkdirs(root)).flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE)
        .persistIndex(true).indexPath(root.resolve(".objmapper_index")).build()).persistIndexes(true).build()) {
      String failedName = null;
      int i = 0;
      while (failedName == null && i < max) {
        List<String> failed = new ArrayList<>();
        try (BulkPut bulk = store.bulkPut()) {
          for (int k = 0; k < 200; k++, i++) {
            bulk.add(prefix + "/o" + i, src);
          }
          for (ObjectInfo info : bulk.flush((name, e) -> {
            if (failed.isEmpty()) {
              System.out.println("bulk-failure " + e.getClass().getSimpleName() + " " + e.code() + " " + e.getMessage());
            }
            failed.add(name);
          })) {
            stored.add(info.name());
          }
        }
        if (!failed.isEmpty()) {
          failedName = failed.get(0);
        }
      }
      System.out.println("stored " + stored.size());
      if (failedName != null) {
        System.out.println("bulk-leftover " + Files.exists(root.resolve(failedName.substring(1))));
      }
      String next = prefix + "/single";
      try {
        store.put(next, new byte[] {1});
        System.out.println("put ok");
      } catch (RuntimeException e) {
        System.out.println("put-failure " + e.getClass().getSimpleName() + " "
            + (e instanceof ObjMapperException ? ((ObjMapperException) e).code() : "-") + " " + e.getMessage());
      }
      System.out.println("put-leftover " + Files.exists(root.resolve(next.substring(1))));
      System.out.println("exists " + store.exists(next));
      int served = 0;
      for (String name : stored) {
        try (ObjectLease lease = store.open(name)) {
          served += lease.size() == 1 ? 1 : 0;
        }
      }
      System.out.println("served " + served + " of " + stored.size());
    }
    System.out.println("closed");
  }
}
