package io.objmapper;

import io.objmapper.testing.ForwardingTier;

import io.objmapper.testing.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.objmapper.internal.lifecycle.MigrationStep;
import io.objmapper.internal.tier.FsTierProvider;
import io.objmapper.internal.tier.MemoryTierProvider;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProvider;
import io.objmapper.spi.TierProviders;
import io.objmapper.spi.contract.InMemoryRemoteTierProvider;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real {@code kill -9} of a child JVM at each step of a move between tiers, then a restart
 * of the store in this JVM and an inventory: every object is on exactly one persistent tier
 * (counted on disk), whole; stat, open and list agree with the disk; the tiers' counts are
 * what the disk holds; nothing a write cut short left counts as an object or stays behind;
 * and the store goes on moving, writing and deleting.
 *
 * <p>The store: a volatile memory tier and two persistent fs tiers ("fast" and "slow") with
 * persisted indexes, all three giving and taking migrations. Each case's store puts
 * {@link #NAMES}, moves some, and blocks in the migration-step hook at the step under test
 * after printing a line. All cases run at once in one child JVM, each in its own directory
 * and thread, and one SIGKILL ends them all: each store dies at its own step, and the class
 * pays for one JVM start instead of one per case.
 */
@Timeout(120)
class MigrationCrashTest {
  static final String MEM = "mem";
  static final String FAST = "fast";
  static final String SLOW = "slow";
  static final String REMOTE = "remote";
  static final List<String> NAMES = List.of("/a", "/b", "/d/n/c", "/e", "/empty");
  /** The object whose move is cut short in the scenarios that move one object by hand. */
  static final String MOVED = "/b";
  private static final String KILL_POINT = "killing-point ";
  private static final String ENDED = "ended ";

  /** One directory per case below it; all cases' stores live in one child, killed once. */
  @TempDir static Path root;

  /** What each case's store in the child said last: its killing point, or how it ended. */
  private static final Map<String, String> outcomes = new ConcurrentHashMap<>();

  /** What the child does before it blocks; see {@link Child}. */
  enum Scenario {
    /** Moves {@link #MOVED} from fast to slow by hand. */
    MOVE,
    /** Ages every object, then a lifecycle round demotes them from fast to slow. */
    LIFECYCLE,
    /** Copies {@link #MOVED} onto the memory tier (a cached copy; the persistent one stays). */
    CACHE,
    /** Moves {@link #MOVED}, cached on the memory tier, back to its home: the cached copy is dropped. */
    UNCACHE,
    /** Moves {@link #MOVED}, cached on the memory tier, to slow: its lasting copy moves, the cache goes. */
    CACHED_TO_OTHER_DISK,
    /** Moves an object from a remote tier to slow; the copy blocks half-way (not a step of the hook). */
    REMOTE_COPY,
    /** Puts an object through a stream that blocks half-way (a write, not a move). */
    PUT_STREAM
  }

  static Stream<Arguments> cutShortMoves() {
    List<Arguments> cuts = new ArrayList<>();
    for (Scenario sc : List.of(Scenario.MOVE, Scenario.LIFECYCLE, Scenario.CACHED_TO_OTHER_DISK)) {
      for (MigrationStep s : MigrationStep.values()) {
        cuts.add(Arguments.of(sc, s));
      }
    }
    // A cached copy is made without the journal and without removing anything...
    cuts.add(Arguments.of(Scenario.CACHE, MigrationStep.COPIED));
    cuts.add(Arguments.of(Scenario.CACHE, MigrationStep.SWITCHED));
    // ...and dropped by removing it alone.
    cuts.add(Arguments.of(Scenario.UNCACHE, MigrationStep.SOURCE_UNINDEXED));
    cuts.add(Arguments.of(Scenario.UNCACHE, MigrationStep.SOURCE_REMOVED));
    return cuts.stream();
  }

  private static String caseId(Scenario scenario, MigrationStep step) {
    return scenario + "-" + step;
  }

  /**
   * Runs every case's store in one child JVM (each in its own directory and thread), waits
   * until each has blocked at its killing point, and SIGKILLs the child: each store dies at
   * its step as if alone, for the cost of one JVM start.
   */
  @BeforeAll
  static void killOneChildHoldingEveryCaseAtItsKillingPoint() throws Exception {
    List<String> cases = new ArrayList<>();
    cutShortMoves().forEach(a -> cases.add(caseId((Scenario) a.get()[0], (MigrationStep) a.get()[1])));
    cases.add(caseId(Scenario.REMOTE_COPY, MigrationStep.COPIED));
    cases.add(caseId(Scenario.PUT_STREAM, MigrationStep.COPIED));
    Path childErr = root.resolve("child.err");
    Process child = startChild(cases, childErr);
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread pump = ChildJvm.pumpLines(child, lines, "migration-crash-child-stdout");
      while (outcomes.size() < cases.size()) {
        String line = lines.poll(120, TimeUnit.SECONDS);
        if (line == null || line.equals(ChildJvm.EOF)) {
          fail("the child ended or hung before every case reached its killing point (" + outcomes + "); its stderr ("
              + childErr + "):\n" + ChildJvm.tail(childErr, 30));
        }
        if (line.startsWith(KILL_POINT) || line.startsWith(ENDED)) {
          outcomes.put(line.split(" ", 3)[1], line);
        }
      }
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no journal end
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      pump.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "{0} killed after step {1}")
  @MethodSource("cutShortMoves")
  void aMoveKilledAfterAnyStepLeavesEveryObjectOnceAndWholeAfterARestart(Scenario scenario, MigrationStep step)
      throws Exception {
    Path dir = killedAt(caseId(scenario, step));
    assertRestartFindsEveryObjectOnceAndKeepsWorking(dir, expectedAfterKill());
  }

  @Test
  void aCopyFromARemoteTierCutShortLeavesNoTemporaryFileBehindAfterARestart() throws Exception {
    Path dir = killedAt(caseId(Scenario.REMOTE_COPY, MigrationStep.COPIED));
    assertThat(DiskInventory.tempFiles(dir.resolve(SLOW)))
        .as("the half-done copy's temporary file, before the restart (else this test proves nothing)")
        .isNotEmpty();
    // The object lived only on the child's in-memory remote tier: it died with the child.
    assertRestartFindsEveryObjectOnceAndKeepsWorking(dir, expectedAfterKill());
  }

  @Test
  void aPutCutShortLeavesNoTemporaryFileBehindAfterARestart() throws Exception {
    Path dir = killedAt(caseId(Scenario.PUT_STREAM, MigrationStep.COPIED));
    assertThat(DiskInventory.tempFiles(dir.resolve(FAST)))
        .as("the half-done put's temporary file, before the restart (else this test proves nothing)")
        .isNotEmpty();
    assertRestartFindsEveryObjectOnceAndKeepsWorking(dir, expectedAfterKill());
  }

  // ---- the parent's side ------------------------------------------------------------------

  /** The directory of case {@code id}, after checking its store was killed at its killing point. */
  private static Path killedAt(String id) {
    assertThat(outcomes.get(id)).as("what the child's store of case %s said", id).startsWith(KILL_POINT);
    return root.resolve(id);
  }

  private static Map<String, byte[]> expectedAfterKill() {
    Map<String, byte[]> expected = new LinkedHashMap<>();
    for (String name : NAMES) {
      expected.put(name, content(name, 1));
    }
    return expected;
  }

  private static void assertRestartFindsEveryObjectOnceAndKeepsWorking(Path dir, Map<String, byte[]> expected)
      throws Exception {
    try (ObjMapper store = store(dir).build()) {
      assertInventory(dir, store, expected, "after the restart");

      // Every object moves to the other persistent tier: the journal and indexes take new moves.
      for (String name : expected.keySet()) {
        String other = store.stat(name).orElseThrow().tier().equals(FAST) ? SLOW : FAST;
        assertThat(store.move(name, other).tier()).isEqualTo(other);
      }
      // A cached copy is made and dropped again.
      String home = store.stat("/a").orElseThrow().tier();
      assertThat(store.move("/a", MEM).tier()).isEqualTo(MEM);
      assertThat(store.move("/a", home).tier()).isEqualTo(home);
      store.put("/after", content("/after", 1));
      expected.put("/after", content("/after", 1));
      store.put("/e", content("/e", 2));
      expected.put("/e", content("/e", 2));
      assertThat(store.delete("/d/n/c")).isTrue();
      expected.remove("/d/n/c");
      assertInventory(dir, store, expected, "after moves, puts and a delete following the restart");
    }
    try (ObjMapper store = store(dir).build()) {
      assertInventory(dir, store, expected, "after a clean restart");
    }
  }

  /** The inventory, checked from the disk and through the store; every difference is reported. */
  private static void assertInventory(Path dir, ObjMapper store, Map<String, byte[]> expectedContent, String when) throws IOException {
    Map<String, byte[]> expected = new TreeMap<>(expectedContent);
    Map<String, Map<String, Path>> onDisk = new LinkedHashMap<>();
    onDisk.put(FAST, DiskInventory.objects(dir.resolve(FAST)));
    onDisk.put(SLOW, DiskInventory.objects(dir.resolve(SLOW)));
    Map<String, List<String>> copies = new TreeMap<>();
    onDisk.forEach((tier, files) -> files.keySet()
        .forEach(name -> copies.computeIfAbsent(name, k -> new ArrayList<>()).add(tier)));

    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(copies.keySet()).as("%s: the objects on the persistent tiers' disks", when)
        .containsExactlyElementsOf(expected.keySet());
    for (Map.Entry<String, byte[]> x : expected.entrySet()) {
      String name = x.getKey();
      byte[] bytes = x.getValue();
      List<String> holders = copies.getOrDefault(name, List.of());
      soft.assertThat(holders).as("%s: the persistent tiers holding a file of %s", when, name).hasSize(1);
      if (holders.size() == 1) {
        soft.assertThat(Files.readAllBytes(onDisk.get(holders.get(0)).get(name)))
            .as("%s: the file of %s on %s", when, name, holders.get(0)).isEqualTo(bytes);
      }
      Optional<ObjectInfo> stat = store.stat(name);
      soft.assertThat(stat).as("%s: stat of %s", when, name).isPresent();
      try (ObjectLease lease = store.open(name)) {
        soft.assertThat(lease.readAllBytes()).as("%s: content of %s", when, name).isEqualTo(bytes);
        if (holders.size() == 1) {
          soft.assertThat(lease.tier()).as("%s: tier serving %s", when, name).isEqualTo(holders.get(0));
        }
        stat.ifPresent(s -> {
          soft.assertThat(s.size()).as("%s: size stat gives for %s", when, name).isEqualTo(bytes.length);
          soft.assertThat(s.tier()).as("%s: tier stat gives for %s", when, name).isEqualTo(lease.tier());
        });
      } catch (ObjectNotFoundException e) {
        soft.fail(when + ": open " + name + " failed: " + e);
      }
    }
    List<ObjectInfo> listed = store.list("/");
    soft.assertThat(listed).extracting(ObjectInfo::name).as("%s: list(\"/\")", when)
        .containsExactlyElementsOf(expected.keySet());
    for (ObjectInfo info : listed) {
      List<String> holders = copies.getOrDefault(info.name(), List.of());
      if (holders.size() == 1) {
        soft.assertThat(info.tier()).as("%s: tier list gives for %s", when, info.name()).isEqualTo(holders.get(0));
      }
      if (expected.containsKey(info.name())) {
        soft.assertThat(info.size()).as("%s: size list gives for %s", when, info.name())
            .isEqualTo(expected.get(info.name()).length);
      }
    }
    for (ObjMapperStats.TierStats t : store.stats().tiers()) {
      if (t.name().equals(MEM)) {
        soft.assertThat(t.objects()).as("%s: objects the stats count on %s", when, MEM).isZero();
        soft.assertThat(t.bytes()).as("%s: bytes the stats count on %s", when, MEM).isZero();
      } else {
        soft.assertThat(t.objects()).as("%s: objects the stats count on %s", when, t.name())
            .isEqualTo(onDisk.get(t.name()).size());
        soft.assertThat(t.bytes()).as("%s: bytes the stats count on %s", when, t.name())
            .isEqualTo(DiskInventory.bytes(dir.resolve(t.name())));
      }
    }
    List<Path> temps = new ArrayList<>(DiskInventory.tempFiles(dir.resolve(FAST)));
    temps.addAll(DiskInventory.tempFiles(dir.resolve(SLOW)));
    soft.assertThat(temps).as("%s: temporary files of writes cut short, still on disk", when).isEmpty();
    soft.assertAll();
  }

  private static Process startChild(List<String> cases, Path stderr) throws IOException {
    List<String> args = new ArrayList<>();
    args.add(root.toString());
    args.addAll(cases);
    return ChildJvm.start(Child.class, List.of("-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info"), args,
        stderr);
  }

  // ---- shared by both sides ---------------------------------------------------------------

  /** Version {@code v} of {@code name}: sizes from empty to 200 KB, bytes from a seed of both. */
  static byte[] content(String name, int v) {
    if (name.equals("/empty")) {
      return new byte[0];
    }
    Random random = new Random(name.hashCode() * 31L + v);
    byte[] b = new byte[1 + random.nextInt(200_000)];
    random.nextBytes(b);
    return b;
  }

  /** The store of {@code dir}: mem (volatile), fast and slow (persistent, indexes in files). */
  static ObjMapper.Builder store(Path dir) {
    return ObjMapper.builder()
        .tier(TestStores.migratable(TestStores.memory(TestStores.mkdirs(dir.resolve("mem-base")))))
        .tier(persistentDisk(FAST, dir.resolve(FAST), 2.0))
        .tier(persistentDisk(SLOW, dir.resolve(SLOW), 3.0))
        .lifecycle(TestStores.manualLifecycle())
        .expectedObjects(1_000);
  }

  private static TierConfig persistentDisk(String name, Path root, double perfFactor) {
    return TierConfig.builder().name(name).type("fs").root(TestStores.mkdirs(root))
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
            TierFlag.MIGRATION_DST)
        .perfFactor(perfFactor).persistIndex(true).build();
  }

  /** Parks the calling thread until the process is killed. */
  static void blockUntilKilled() {
    while (true) {
      LockSupport.park();
    }
  }

  static void announce(String caseId, String what) {
    System.out.println(KILL_POINT + caseId + " " + what);
    System.out.flush();
  }

  /**
   * The child JVM: {@code Child <root> <scenario-step>...}. For each case, in a thread of its
   * own: opens the store of {@code root/<case>}, puts {@link #NAMES}, runs the scenario, and at
   * the step (or the blocking point of a scenario without steps) prints {@value #KILL_POINT}
   * with the case and blocks until killed; a case that ends otherwise prints {@value #ENDED}.
   */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      Path root = Path.of(args[0]);
      List<Thread> threads = new ArrayList<>();
      for (int i = 1; i < args.length; i++) {
        String id = args[i];
        Thread t = new Thread(() -> {
          try {
            runCase(root.resolve(id), id);
            System.out.println(ENDED + id + " without reaching its killing point");
          } catch (Throwable e) {
            System.out.println(ENDED + id + " with " + e.toString().replace('\n', ' '));
            e.printStackTrace();
          }
          System.out.flush();
        }, "case-" + id);
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      blockUntilKilled(); // every case ended: the test says which
    }

    private static void runCase(Path dir, String id) throws Exception {
      Scenario scenario = Scenario.valueOf(id.substring(0, id.indexOf('-')));
      MigrationStep killAt = MigrationStep.valueOf(id.substring(id.indexOf('-') + 1));
      AtomicBoolean armed = new AtomicBoolean();
      TestStores.FakeClock clock = new TestStores.FakeClock();
      ObjMapper.Builder b = store(dir).nanoClock(clock).migrationSteps(step -> {
        if (step == killAt && armed.compareAndSet(true, false)) {
          announce(id, step.name());
          blockUntilKilled();
        }
      });
      BlockingRemoteProvider remote = new BlockingRemoteProvider(id);
      if (scenario == Scenario.REMOTE_COPY) {
        b.providers(TierProviders.of(new FsTierProvider(), new MemoryTierProvider(), remote))
            .tier(TierConfig.builder().name(REMOTE).type(BlockingRemoteProvider.TYPE)
                .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
                    TierFlag.MIGRATION_DST)
                .perfFactor(500).build());
      }
      ObjMapper store = b.build(); // never closed: the process is killed
      for (String name : NAMES) {
        store.put(name, content(name, 1));
      }
      switch (scenario) {
        case MOVE -> {
          store.move("/a", SLOW);
          armed.set(true);
          store.move(MOVED, SLOW);
        }
        case LIFECYCLE -> {
          store.move("/a", SLOW);
          clock.advanceMillis(TimeUnit.DAYS.toMillis(30)); // every object is cold now
          armed.set(true);
          store.runLifecycle();
        }
        case CACHE -> {
          armed.set(true);
          store.move(MOVED, MEM);
        }
        case UNCACHE -> {
          store.move(MOVED, MEM);
          armed.set(true);
          store.move(MOVED, FAST);
        }
        case CACHED_TO_OTHER_DISK -> {
          store.move(MOVED, MEM);
          armed.set(true);
          store.move(MOVED, SLOW);
        }
        case REMOTE_COPY -> {
          store.put("/r", TestStores.version(7, 256 * 1024));
          store.move("/r", REMOTE);
          remote.armed.set(true);
          store.move("/r", SLOW);
        }
        case PUT_STREAM -> store.put("/partial", new HalfThenBlock(
            new java.io.ByteArrayInputStream(TestStores.version(8, 256 * 1024)), id, "put of /partial half-way"));
      }
    }
  }

  /** Yields the first 64 KiB (and more if one read asks), then announces the kill point and blocks. */
  static final class HalfThenBlock extends FilterInputStream {
    private final String caseId;
    private final String what;
    private long given;

    HalfThenBlock(InputStream in, String caseId, String what) {
      super(in);
      this.caseId = caseId;
      this.what = what;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (given >= 64 * 1024) {
        announce(caseId, what);
        blockUntilKilled();
      }
      int n = super.read(b, off, len);
      if (n > 0) {
        given += n;
      }
      return n;
    }
  }

  /**
   * The SPI kit's in-memory remote tier, whose streams stop half-way once {@link #armed}: the
   * copy of a move off it is then cut short in the target tier's write.
   */
  static final class BlockingRemoteProvider implements TierProvider {
    static final String TYPE = "blocking-remote";
    final AtomicBoolean armed = new AtomicBoolean();
    private final InMemoryRemoteTierProvider kit = new InMemoryRemoteTierProvider();
    private final String caseId;

    BlockingRemoteProvider(String caseId) {
      this.caseId = caseId;
    }

    @Override
    public String type() {
      return TYPE;
    }

    @Override
    public Tier create(TierConfig config) throws IOException {
      Tier t = kit.create(TierConfig.builder().name(config.name()).type(InMemoryRemoteTierProvider.TYPE)
          .id(config.id()).flags(config.flags()).perfFactor(config.perfFactor()).build());
      return new ForwardingTier(t) {
        @Override
        public TierConfig config() {
          return config;
        }

        @Override
        public InputStream openStream(String name) throws IOException {
          InputStream in = delegate.openStream(name);
          return armed.get() ? new HalfThenBlock(in, caseId, "copy of " + name + " off the remote tier half-way") : in;
        }
      };
    }
  }
}
