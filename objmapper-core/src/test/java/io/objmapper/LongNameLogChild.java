package io.objmapper;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run by {@link LongNameLogTest} in a child JVM (its log goes to stderr): a store with a memory
 * and a disk tier below the folder given as first argument asks for a name whose last part is
 * longer than a file name may be, as many times as the second argument says.
 */
public final class LongNameLogChild {
  private LongNameLogChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int requests = Integer.parseInt(args[1]);
    String name = "/" + "n".repeat(300); // in the tier root: the file system says "name too long"
    int notFound = 0;
    try (ObjMapper store = ObjMapper.builder().tier(TestStores.memory(Files.createDirectories(dir.resolve("mem"))))
        .tier(TestStores.disk("disk", dir.resolve("disk"), 3.0)).build()) {
      for (int i = 0; i < requests; i++) {
        try (ObjectLease lease = store.open(name)) {
          System.out.println("unexpected: found " + lease.name());
        } catch (ObjMapperException e) {
          notFound++;
        }
      }
    }
    System.out.println("answered " + notFound);
  }
}
