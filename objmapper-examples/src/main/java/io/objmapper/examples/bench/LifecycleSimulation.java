package io.objmapper.examples.bench;

import io.objmapper.LifecyclePolicy;
import io.objmapper.MigrationRound;
import io.objmapper.ObjMapper;
import io.objmapper.ObjMapperStats;
import io.objmapper.ObjectLease;
import io.objmapper.Placement;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue 4's placement target: Zipf(0.99) requests over 100,000 equal-sized objects, a fast
 * tier holding 10% of the data, objects first placed without regard to popularity; after
 * warm-up the share of requests the fast tier serves must be at least 90% of what an
 * oracle placement (the most popular objects that fit) would serve, with every move made by
 * the lifecycle policy.
 *
 * <p>Two fs tiers under a temporary directory: {@code fast} (perf factor 1, capacity
 * {@code --fast-share} of the data) and {@code slow} (perf factor 3, unlimited), both
 * PERSISTENT, READABLE, WRITABLE, MIGRATION_SRC, MIGRATION_DST. Popularity ranks are a
 * seeded random permutation of the objects. Initial placement ({@code --initial}):
 * {@code random} puts the objects in a random order (independent of popularity) with the
 * fast tier taking them until it is full, {@code slow} puts them all on the slow tier. The
 * objects are written as files into the tier directories before the store opens (its
 * startup scan indexes them); {@code --put} stores them through {@code store.put} in the
 * same order instead (fsynced: slower).
 *
 * <p>Time is a fake clock ({@code ObjMapper.Builder#nanoClock}) that advances by
 * {@code 1 / --rate} simulated seconds per request. The policy has {@code intervalMillis(0)}
 * (no background rounds); the simulation calls {@code store.runLifecycle()} after every
 * {@code --interval-ms} of simulated time. A request is {@code store.open(name)} and
 * {@code close()}; {@code lease.tierId()} says whether the fast tier served it. After
 * {@code --warmup-rounds} rounds the next {@code --measure-rounds} rounds are measured (the
 * policy keeps running). The oracle's share is given analytically (the Zipf pmf of the
 * {@code K} most popular ranks, {@code K} = objects that fit in the fast tier) and
 * empirically (the measured requests that went to those {@code K}).
 *
 * <pre>
 * java $FLAGS -cp objmapper-examples/target/objmapper.jar io.objmapper.examples.bench.LifecycleSimulation
 * java $FLAGS -cp objmapper-examples/target/objmapper.jar io.objmapper.examples.bench.LifecycleSimulation --sweep
 * </pre>
 */
@Command(name = "LifecycleSimulation", mixinStandardHelpOptions = true,
    description = "Fast-tier share of Zipf requests under the lifecycle policy, against an oracle placement.")
public final class LifecycleSimulation implements Callable<Integer> {
  @Option(names = "--objects", defaultValue = "100000", description = "Objects (default: ${DEFAULT-VALUE}).")
  int objects;

  @Option(names = "--object-bytes", defaultValue = "4096", description = "Size of each object (default: ${DEFAULT-VALUE}).")
  int objectBytes;

  @Option(names = "--fast-share", defaultValue = "0.10",
      description = "Fast tier capacity as a share of all the data (default: ${DEFAULT-VALUE}).")
  double fastShare;

  @Option(names = "--exponent", defaultValue = "0.99", description = "Zipf exponent (default: ${DEFAULT-VALUE}).")
  double exponent;

  @Option(names = "--rate", defaultValue = "10000",
      description = "Requests per simulated second (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--interval-ms", defaultValue = "1000",
      description = "Simulated milliseconds between lifecycle rounds (default: ${DEFAULT-VALUE}).")
  long intervalMillis;

  @Option(names = "--half-life-s", defaultValue = "120",
      description = "Hotness half-life, simulated seconds (default: ${DEFAULT-VALUE}).")
  long halfLifeSeconds;

  @Option(names = "--batch", defaultValue = "100", description = "migrationBatchSize (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--hot", description = "hotThreshold (default: the policy's, 0.7).")
  Double hotThreshold;

  @Option(names = "--cold", description = "coldThreshold (default: the policy's, 0.3).")
  Double coldThreshold;

  @Option(names = "--warmup-rounds", defaultValue = "600", description = "Unmeasured rounds (default: ${DEFAULT-VALUE}).")
  int warmupRounds;

  @Option(names = "--measure-rounds", defaultValue = "300", description = "Measured rounds (default: ${DEFAULT-VALUE}).")
  int measureRounds;

  @Option(names = "--initial", defaultValue = "random",
      description = "Initial placement: random (fast tier filled first, in a random order) or slow (all on slow); "
          + "default: ${DEFAULT-VALUE}.")
  String initial;

  @Option(names = "--put", description = "Store the objects through store.put instead of writing the files.")
  boolean put;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--trace", defaultValue = "0",
      description = "Print one line every this many rounds; 0: none (default: ${DEFAULT-VALUE}).")
  int trace;

  @Option(names = "--sweep",
      description = "Run the sensitivity grid (batch 25/100/400 at the given half-life, half-life 15/30/120/600 s "
          + "at the given batch) and print a table.")
  boolean sweep;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LifecycleSimulation()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    if (!initial.equals("random") && !initial.equals("slow")) {
      throw new IllegalArgumentException("--initial must be random or slow");
    }
    if (put && initial.equals("slow")) {
      throw new IllegalArgumentException("--put fills the fast tier first: it goes with --initial random only");
    }
    if (!sweep) {
      Result r = simulate(batch, halfLifeSeconds, true);
      r.print();
      return 0;
    }
    List<long[]> grid = new ArrayList<>();
    for (int b : new int[] {25, 100, 400}) {
      grid.add(new long[] {b, halfLifeSeconds});
    }
    for (long h : new long[] {15, 30, 120, 600}) {
      if (h != halfLifeSeconds) {
        grid.add(new long[] {batch, h});
      }
    }
    List<Result> results = new ArrayList<>();
    for (long[] g : grid) {
      Result r = simulate((int) g[0], g[1], false);
      System.out.println(r.row());
      results.add(r);
    }
    System.out.println();
    System.out.println(Result.HEADER);
    for (Result r : results) {
      System.out.println(r.row());
    }
    return 0;
  }

  private Result simulate(int batchSize, long halfLife, boolean verbose) throws IOException {
    Zipf zipf = new Zipf(objects, exponent);
    long capacity = (long) Math.floor(fastShare * objects * (double) objectBytes);
    int fit = (int) (capacity / objectBytes);
    Random random = new Random(seed);
    // Popularity: rank r (1-based) is object byRank[r - 1]; independent of names and placement.
    int[] byRank = permutation(objects, random);
    int[] rankOf = new int[objects];
    for (int r = 0; r < objects; r++) {
      rankOf[byRank[r]] = r + 1;
    }
    int[] putOrder = permutation(objects, random);
    String[] names = new String[objects];
    for (int i = 0; i < objects; i++) {
      names[i] = name(i);
    }
    LifecyclePolicy.Builder pb = LifecyclePolicy.builder()
        .intervalMillis(0)
        .migrationBatchSize(batchSize)
        .hotnessHalfLifeMillis(TimeUnit.SECONDS.toMillis(halfLife));
    if (hotThreshold != null) {
      pb.hotThreshold(hotThreshold);
    }
    if (coldThreshold != null) {
      pb.coldThreshold(coldThreshold);
    }
    LifecyclePolicy policy = pb.build();
    int requestsPerRound = (int) (rate * intervalMillis / 1000);
    if (requestsPerRound < 1) {
      throw new IllegalArgumentException("--rate × --interval-ms gives no request per round");
    }
    long nanosPerRequest = TimeUnit.MILLISECONDS.toNanos(intervalMillis) / requestsPerRound;
    long[] clock = {TimeUnit.DAYS.toNanos(1)};

    Path dir = Files.createTempDirectory("objmapper-lifecycle-sim");
    try {
      Path fastRoot = Files.createDirectories(dir.resolve("fast"));
      Path slowRoot = Files.createDirectories(dir.resolve("slow"));
      long t0 = System.nanoTime();
      int initiallyFast = 0;
      byte[] data = new byte[objectBytes];
      if (!put) {
        for (int i = 0; i < objects; i++) {
          int o = putOrder[i];
          boolean fast = initial.equals("random") && (long) (initiallyFast + 1) * objectBytes <= capacity;
          initiallyFast += fast ? 1 : 0;
          Path file = (fast ? fastRoot : slowRoot).resolve(names[o].substring(1));
          Files.createDirectories(file.getParent());
          Files.write(file, data);
        }
      }
      ObjMapper.Builder builder = ObjMapper.builder()
          .tier(TierConfig.builder().name("fast").type("fs").root(fastRoot).perfFactor(1).capacityBytes(capacity)
              .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
                  TierFlag.MIGRATION_DST)
              .build())
          .tier(TierConfig.builder().name("slow").type("fs").root(slowRoot).perfFactor(3)
              .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
                  TierFlag.MIGRATION_DST)
              .build())
          .expectedObjects(objects * 2L)
          .nanoClock(() -> clock[0])
          .lifecycle(policy);
      try (ObjMapper store = builder.build()) {
        int fastId = idOf(store, "fast");
        if (put) {
          for (int i = 0; i < objects; i++) {
            store.put(names[putOrder[i]], data);
          }
        }
        awaitIndexed(store);
        initiallyFast = (int) store.stats().tiers().get(fastId).objects();
        int initiallyTop = 0;
        for (int r = 1; r <= fit; r++) {
          Placement p = store.placement(names[byRank[r - 1]]).orElseThrow();
          initiallyTop += p.tierId() == fastId ? 1 : 0;
        }
        if (verbose) {
          System.out.printf(Locale.ROOT, "%d objects of %d bytes ready in %.1f s (%s); fast tier: %d objects "
                  + "(capacity %d bytes = %d objects), %d of them among the %d most popular%n",
              objects, objectBytes, (System.nanoTime() - t0) / 1e9,
              put ? "store.put" : "files written, then indexed by the store's startup scan", initiallyFast,
              capacity, fit, initiallyTop, fit);
          System.out.println(policy);
        }

        Result res = new Result();
        res.batch = batchSize;
        res.halfLifeSeconds = halfLife;
        res.fit = fit;
        res.analytic = zipf.topShare(fit);
        res.watermarkFit = (int) (Math.floor(capacity * policy.evictTarget()) / objectBytes);
        res.analyticAtWatermark = zipf.topShare(res.watermarkFit);
        res.shares = new double[warmupRounds + measureRounds];
        res.moves = new int[warmupRounds + measureRounds];
        long measuredFast = 0;
        long measuredTop = 0;
        long measured = 0;
        ObjMapperStats.Lifecycle atWarm = null;
        long wall = System.nanoTime();
        for (int round = 0; round < warmupRounds + measureRounds; round++) {
          if (round == warmupRounds) {
            atWarm = store.stats().lifecycle();
          }
          int fastHits = 0;
          int topHits = 0;
          for (int i = 0; i < requestsPerRound; i++) {
            clock[0] += nanosPerRequest;
            int rank = zipf.sample(random);
            try (ObjectLease lease = store.open(names[byRank[rank - 1]])) {
              if (lease.tierId() == fastId) {
                fastHits++;
              }
            }
            if (rank <= fit) {
              topHits++;
            }
          }
          MigrationRound mr = store.runLifecycle();
          res.shares[round] = (double) fastHits / requestsPerRound;
          res.moves[round] = mr.moved();
          if (round >= warmupRounds) {
            measuredFast += fastHits;
            measuredTop += topHits;
            measured += requestsPerRound;
          }
          if (verbose && trace > 0 && (round + 1) % trace == 0) {
            ObjMapperStats.TierStats ft = store.stats().tiers().get(fastId);
            System.out.printf(Locale.ROOT, "round %4d: fast share %.4f, moved %3d (%d up, %d down, %d evicted)"
                    + ", fast tier %d objects%n", round + 1, res.shares[round], mr.moved(), mr.promoted(),
                mr.demoted(), mr.evicted(), ft.objects());
          }
        }
        res.wallSeconds = (System.nanoTime() - wall) / 1e9;
        ObjMapperStats end = store.stats();
        ObjMapperStats.Lifecycle lc = end.lifecycle();
        res.share = (double) measuredFast / measured;
        res.empirical = (double) measuredTop / measured;
        res.measured = measured;
        res.movesTotal = lc.promotions() + lc.demotions() + lc.evictions();
        res.promotions = lc.promotions();
        res.demotions = lc.demotions();
        res.evictions = lc.evictions();
        res.bytesMoved = lc.bytesMoved();
        res.failures = lc.failures();
        res.busyRounds = lc.busyRounds();
        res.movesMeasured = res.movesTotal - (atWarm.promotions() + atWarm.demotions() + atWarm.evictions());
        res.measureRounds = measureRounds;
        res.fastObjects = end.tiers().get(fastId).objects();
        res.fastBytes = end.tiers().get(fastId).bytes();
        // Which objects the fast tier holds at the end, by popularity rank.
        int[] fastRanks = new int[(int) res.fastObjects + 16];
        int n = 0;
        for (int o = 0; o < objects; o++) {
          Placement p = store.placement(names[o]).orElseThrow();
          if (p.tierId() == fastId && n < fastRanks.length) {
            fastRanks[n++] = rankOf[o];
          }
        }
        res.fastRanks = Arrays.copyOf(fastRanks, n);
        Arrays.sort(res.fastRanks);
        res.fastHeld = n;
        for (int r : res.fastRanks) {
          res.fastTopHeld += r <= fit ? 1 : 0;
        }
        double held = 0;
        for (int r : res.fastRanks) {
          held += zipf.pmf(r);
        }
        res.heldPmf = held;
        return res;
      }
    } finally {
      BenchStores.deleteTree(dir);
    }
  }

  /** Waits until every tier's index lists all objects (the startup scan fills them in the background). */
  private void awaitIndexed(ObjMapper store) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (store.list("/sim/").size() < objects) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the store does not list all " + objects + " objects");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static int idOf(ObjMapper store, String tier) {
    List<TierConfig> tiers = store.tiers();
    for (int i = 0; i < tiers.size(); i++) {
      if (tiers.get(i).name().equals(tier)) {
        return i;
      }
    }
    throw new IllegalStateException("no tier " + tier);
  }

  /** A seeded random permutation of {@code 0..n-1} (Fisher-Yates). */
  static int[] permutation(int n, Random random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** Object {@code i}'s name, 1,000 objects per directory. */
  static String name(int i) {
    return String.format(Locale.ROOT, "/sim/%03d/object-%06d", i / 1000, i);
  }

  /**
   * The first round from which the share, averaged over {@code window} rounds, stays at or
   * above {@code target - slack}; -1 if it never does.
   */
  static int roundsToConverge(double[] shares, double target, double slack, int window) {
    int n = shares.length;
    if (n < window) {
      return -1;
    }
    double[] avg = new double[n - window + 1];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += shares[i];
      if (i >= window) {
        sum -= shares[i - window];
      }
      if (i >= window - 1) {
        avg[i - window + 1] = sum / window;
      }
    }
    int first = -1;
    for (int i = avg.length - 1; i >= 0; i--) {
      if (avg[i] < target - slack) {
        break;
      }
      first = i;
    }
    return first < 0 ? -1 : first + window; // rounds counted from 1, at the end of the window
  }

  /** One configuration's outcome. */
  final class Result {
    static final String HEADER = "| batch | half-life | fast share | oracle (analytic / empirical) | ratio | moves "
        + "(up/down/evict) | bytes moved | moves/round measured | rounds to converge | wall s |\n"
        + "|---|---|---|---|---|---|---|---|---|---|";
    int batch;
    long halfLifeSeconds;
    int fit;
    int watermarkFit;
    double analytic;
    double analyticAtWatermark;
    double empirical;
    double share;
    long measured;
    double[] shares;
    int[] moves;
    long movesTotal;
    long promotions;
    long demotions;
    long evictions;
    long bytesMoved;
    long failures;
    long busyRounds;
    long movesMeasured;
    int measureRounds;
    long fastObjects;
    long fastBytes;
    int[] fastRanks;
    int fastHeld;
    int fastTopHeld;
    double heldPmf;
    double wallSeconds;

    int converged() {
      return roundsToConverge(shares, share, 0.01, 10);
    }

    int lastBusyRound() {
      for (int i = moves.length - 1; i >= 0; i--) {
        if (moves[i] >= Math.max(1, batch / 2)) {
          return i + 1;
        }
      }
      return 0;
    }

    String row() {
      return String.format(Locale.ROOT,
          "| %d | %d s | %.4f | %.4f / %.4f | %.3f | %d (%d/%d/%d) | %.1f MiB | %.1f | %d (moves < batch/2 after %d) | %.0f |",
          batch, halfLifeSeconds, share, analytic, empirical, share / empirical, movesTotal, promotions, demotions,
          evictions, bytesMoved / 1048576.0, (double) movesMeasured / measureRounds, converged(), lastBusyRound(),
          wallSeconds);
    }

    void print() {
      System.out.printf(Locale.ROOT, "workload: %d objects × %d B, Zipf(%.2f), %d req/simulated s, round every %d ms"
              + " (%d requests/round), half-life %d s, batch %d, seed %d, initial placement %s%n",
          objects, objectBytes, exponent, rate, intervalMillis, rate * intervalMillis / 1000, halfLifeSeconds, batch,
          seed, initial);
      System.out.printf(Locale.ROOT, "rounds: %d warm-up + %d measured (%d requests measured), %.1f s wall%n",
          warmupRounds, measureRounds, measured, wallSeconds);
      System.out.printf(Locale.ROOT, "fast-tier share of measured requests: %.4f%n", share);
      System.out.printf(Locale.ROOT, "oracle (the %d most popular on the fast tier): analytic %.4f, empirical %.4f"
          + " (the %d that fit within the evictTarget fill, where promotions stop: %.4f)%n", fit, analytic, empirical,
          watermarkFit, analyticAtWatermark);
      System.out.printf(Locale.ROOT, "ratio to the oracle: %.3f (empirical), %.3f (analytic); target ≥ 0.90%n",
          share / empirical, share / analytic);
      System.out.printf(Locale.ROOT, "moves: %d (%d promotions, %d demotions, %d evictions), %d bytes (%.1f MiB),"
              + " %d failures, %d busy rounds; during the measured rounds %d (%.1f/round)%n",
          movesTotal, promotions, demotions, evictions, bytesMoved, bytesMoved / 1048576.0, failures, busyRounds,
          movesMeasured, (double) movesMeasured / measureRounds);
      System.out.printf(Locale.ROOT, "rounds to converge (10-round mean share ≥ the measured share - 0.01"
          + " from then on): %d; last round moving ≥ batch/2: %d%n", converged(), lastBusyRound());
      System.out.printf(Locale.ROOT, "fast tier at the end: %d objects, %d bytes; %d of the %d most popular;"
              + " pmf of what it holds %.4f; rank quantiles of its objects p50 %d, p90 %d, p99 %d, max %d%n",
          fastObjects, fastBytes, fastTopHeld, fit, heldPmf, q(0.5), q(0.9), q(0.99), q(1.0));
      System.out.print("share per 50 rounds:");
      for (int i = 0; i + 50 <= shares.length; i += 50) {
        double s = 0;
        for (int j = i; j < i + 50; j++) {
          s += shares[j];
        }
        System.out.printf(Locale.ROOT, " %.3f", s / 50);
      }
      System.out.println();
    }

    private int q(double p) {
      if (fastRanks.length == 0) {
        return 0;
      }
      int i = (int) Math.ceil(p * fastRanks.length) - 1;
      return fastRanks[Math.max(0, Math.min(fastRanks.length - 1, i))];
    }
  }
}
