package io.objmapper;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link ScanLocaleTest} under a file name encoding that is not UTF-8:
 * opens a store on the fs tier {@code ROOT} (its first scan walks every file) and prints one
 * line per object listed, then {@code listed N}.
 */
public final class ScanLocaleChild {
  private ScanLocaleChild() {}

  public static void main(String[] args) throws Exception {
    try (ObjMapper store = ObjMapper.builder()
        .tier(TierConfig.builder().name("disk").type("fs").root(Path.of(args[0]))
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).build())
        .build()) {
      var listed = store.list("/");
      for (ObjectInfo o : listed) {
        System.out.println("object " + o.name());
      }
      System.out.println("listed " + listed.size());
    }
  }
}
