package io.objmapper.examples.readme;

// readme:begin in-jvm
import static java.nio.charset.StandardCharsets.UTF_8;

import io.objmapper.ObjMapper;
import io.objmapper.ObjectFlag;
import io.objmapper.ObjectLease;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.nio.file.Path;
// readme:end

/** README, "In a JVM service": a memory tier and a persistent disk tier, one put, one read. */
final class InJvmService {
  private InJvmService() {}

  static void run() throws Exception {
    // readme:begin in-jvm
    byte[] secret = "not for disk".getBytes(UTF_8);
    try (ObjMapper store = ObjMapper.builder()
        .tier(TierConfig.builder().name("memory").type("memory")
            .flags(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE).build())
        .tier(TierConfig.builder().name("disk").type("fs").root(Path.of("/var/lib/objmapper"))
            .option("create_root", "true")                         // else the folder must exist
            .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).persistIndex(true).build())
        .build()) {
      store.put("/greeting", "hello".getBytes(UTF_8));
      store.put("/session/token", secret, ObjectFlag.EPHEMERAL);   // never touches a persistent tier
      try (ObjectLease lease = store.open("/greeting")) {
        byte[] bytes = lease.readAllBytes();                       // or lease.channel(), lease.descriptor()
      }
    }
    // readme:end
  }
}
