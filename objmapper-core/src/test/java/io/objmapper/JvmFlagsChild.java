package io.objmapper;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.nio.file.Path;

/**
 * Run by {@link JvmFlagsTest} in a child JVM started with or without the flags: builds a
 * store on {@code args[1]} with ({@code args[0]} = "persistent-index") or without a
 * persistent index, puts and reads one object, and prints {@code ok}, or the failure's
 * type and message.
 */
public final class JvmFlagsChild {
  private JvmFlagsChild() {}

  public static void main(String[] args) throws Exception {
    boolean persistentIndex = args[0].equals("persistent-index");
    Path dir = Path.of(args[1]);
    try (ObjMapper store = ObjMapper.builder()
        .tier(TierConfig.builder().name("memory").type("memory")
            .flags(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE).build())
        .tier(TierConfig.builder().name("disk").type("fs").root(dir)
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).persistIndex(persistentIndex).build())
        .build()) {
      store.put("/greeting", "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      try (ObjectLease lease = store.open("/greeting")) {
        System.out.println(new String(lease.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).equals("hello")
            ? "ok" : "wrong content");
      }
    } catch (RuntimeException e) {
      System.out.println(e.getClass().getName() + ": " + e.getMessage());
    }
  }
}
