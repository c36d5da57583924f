package io.objmapper.examples.embed;

import static io.objmapper.spi.TierFlag.EPHEMERAL;
import static io.objmapper.spi.TierFlag.PERSISTENT;
import static io.objmapper.spi.TierFlag.READABLE;
import static io.objmapper.spi.TierFlag.WRITABLE;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.objmapper.ObjMapper;
import io.objmapper.ObjMapperStats;
import io.objmapper.ObjectFlag;
import io.objmapper.ObjectInfo;
import io.objmapper.ObjectLease;
import io.objmapper.spi.TierConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For a <b>JVM service that looks objects up in its own process</b>: no server and no socket,
 * a lookup is a method call that returns a lease on an open descriptor.
 *
 * <p>The store has a memory tier (for {@link ObjectFlag#EPHEMERAL} objects) and a persistent
 * disk tier. The example puts one object of each kind, opens leases and reads them, then
 * prints the store's counters:
 *
 * <pre>
 * /greetings/hello.txt: 16 bytes from tier disk: hello, objmapper
 * /sessions/42: 8 bytes from tier memory (ephemeral): user=ada
 * /greetings/hello.txt again: descriptor open
 * lookups 3, descriptor cache hits 1, misses 2, open descriptors 2
 * tier memory (memory, volatile): 1 objects, 8 bytes
 * tier disk (fs, persistent): 1 objects, 16 bytes
 * </pre>
 *
 * <p>Run it with {@code java -cp objmapper.jar io.objmapper.examples.embed.InProcessLookupExample};
 * it works in a temporary directory and removes it.
 */
public final class InProcessLookupExample {
  /**
   * What the example read back.
   *
   * @param greeting content of the persistent object
   * @param greetingTier the tier it was read from
   * @param session content of the ephemeral object
   * @param sessionTier the tier it was read from
   * @param sessionEphemeral whether the store keeps it as ephemeral
   * @param stats the store's counters at the end
   */
  public record Result(String greeting, String greetingTier, String session, String sessionTier,
      boolean sessionEphemeral, ObjMapperStats stats) {}

  private InProcessLookupExample() {}

  /** Runs the example in a temporary directory, printing to standard output. */
  public static void main(String[] args) throws IOException {
    Path workDir = Files.createTempDirectory("objmapper-in-process-");
    try {
      run(workDir, System.out);
    } finally {
      TempDirs.deleteRecursively(workDir);
    }
  }

  /** Runs the example with its tiers below {@code workDir}, printing to {@code out}. */
  public static Result run(Path workDir, PrintStream out) throws IOException {
    TierConfig memory = TierConfig.builder()
        .name("memory")
        .type("memory")
        // Without base_dir the tier makes its directory in /dev/shm; either way it removes it
        // on close, since memory holds nothing worth keeping.
        .option("base_dir", workDir.toString())
        .perfFactor(1.0)
        .flags(EPHEMERAL, READABLE, WRITABLE)
        .build();
    TierConfig disk = TierConfig.builder()
        .name("disk")
        .type("fs")
        .root(workDir.resolve("disk"))
        .option("create_root", "true")
        .perfFactor(3.0)
        .flags(PERSISTENT, READABLE, WRITABLE)
        .build();

    try (ObjMapper store = ObjMapper.builder().tier(memory).tier(disk).build()) {
      // A plain object goes to a persistent tier; an ephemeral one never leaves volatile tiers.
      store.put("/greetings/hello.txt", "hello, objmapper".getBytes(UTF_8));
      ObjectInfo session =
          store.put("/sessions/42", "user=ada".getBytes(UTF_8), ObjectFlag.EPHEMERAL);

      String greeting;
      String greetingTier;
      try (ObjectLease lease = store.open("/greetings/hello.txt")) {
        greeting = new String(lease.readAllBytes(), UTF_8);
        greetingTier = lease.tier();
        out.printf("%s: %d bytes from tier %s: %s%n", lease.name(), lease.size(), lease.tier(),
            greeting);
      }
      String sessionContent;
      String sessionTier;
      try (ObjectLease lease = store.open("/sessions/42")) {
        // read(buf, position) reads through the store's cached descriptor: no open per lease.
        ByteBuffer buf = ByteBuffer.allocate((int) lease.size());
        while (buf.hasRemaining() && lease.read(buf, buf.position()) >= 0) {
          // keep reading until the buffer is full
        }
        sessionContent = new String(buf.array(), UTF_8);
        sessionTier = lease.tier();
        out.printf("%s: %d bytes from tier %s%s: %s%n", lease.name(), lease.size(), lease.tier(),
            session.ephemeral() ? " (ephemeral)" : "", sessionContent);
      }
      // A second open of the same version is served by the descriptor cache.
      try (ObjectLease again = store.open("/greetings/hello.txt")) {
        out.printf("%s again: descriptor %s%n", again.name(),
            again.descriptor().valid() ? "open" : "closed");
      }

      ObjMapperStats stats = store.stats();
      out.printf("lookups %d, descriptor cache hits %d, misses %d, open descriptors %d%n",
          stats.lookups(), stats.fdCacheHits(), stats.fdCacheMisses(), stats.openDescriptors());
      for (ObjMapperStats.TierStats t : stats.tiers()) {
        out.printf("tier %s (%s, %s): %d objects, %d bytes%n", t.name(), t.type(),
            t.persistent() ? "persistent" : "volatile", t.objects(), t.bytes());
      }
      return new Result(greeting, greetingTier, sessionContent, sessionTier, session.ephemeral(),
          stats);
    }
  }
}
