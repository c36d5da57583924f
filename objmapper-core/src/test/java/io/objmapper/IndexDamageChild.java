package io.objmapper;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Run in a child JVM by {@link IndexDamageTest}: {@code fill ROOT INDEX N} stores N objects and
 * closes cleanly; {@code serve ROOT INDEX N} opens the store on a (damaged) index, writes one
 * object (which waits for the index to be open), reads every object back, prints
 * {@code served N} and closes.
 */
public final class IndexDamageChild {
  private IndexDamageChild() {}

  static ObjMapper open(Path root, Path index) throws Exception {
    return ObjMapper.builder()
        .tier(TierConfig.builder().name("disk").type("fs").root(root)
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE)
            .persistIndex(true).indexPath(index).build())
        .expectedObjects(1_000)
        .build();
  }

  static String name(int i) {
    return "/objects/" + (i % 17) + "/object-" + i;
  }

  static byte[] content(int i) {
    return ("content of object " + i).getBytes(UTF_8);
  }

  /**
   * Reads objects 0..n-1 back and prints {@code served K} (K of them with their content) and a
   * {@code wrong content: NAME} line for each other one.
   */
  static void readBack(ObjMapper store, int n) throws Exception {
    int served = 0;
    for (int i = 0; i < n; i++) {
      try (ObjectLease lease = store.open(name(i))) {
        if (Arrays.equals(lease.readAllBytes(), content(i))) {
          served++;
        } else {
          System.out.println("wrong content: " + name(i));
        }
      }
    }
    System.out.println("served " + served);
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[1]);
    Path index = Path.of(args[2]);
    int n = Integer.parseInt(args[3]);
    try (ObjMapper store = open(root, index)) {
      if (args[0].equals("fill")) {
        for (int i = 0; i < n; i++) {
          store.put(name(i), content(i));
        }
        System.out.println("filled " + n);
        return;
      }
      store.put("/after-damage", content(-1));
      readBack(store, n);
    }
    System.out.println("closed");
  }
}
