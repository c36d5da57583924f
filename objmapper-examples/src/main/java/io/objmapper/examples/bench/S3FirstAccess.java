package io.objmapper.examples.bench;

import io.objmapper.ObjMapper;
import io.objmapper.ObjectLease;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProviders;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Issue 11's targets for the s3 tier, against any S3 service (S3Proxy, MinIO, AWS), one
 * thread, one run side by side. Each side (the SDK, and one store per {@code --staging-sync}
 * value, each with tiers of its own: the launcher's default layout, a memory tier of {@code
 * --memory-mib} and a disk tier, above the s3 tier) reads a set of objects of its own, so
 * every timed access is a first one; the sides take turns object by object, so a load that
 * drifts during the run weighs on all alike. A copy is staged on the fastest local tier with
 * room for it: the memory tier while it has room, else the disk tier ({@code --memory-mib 0}:
 * no memory tier, every copy on the disk tier).
 *
 * <ul>
 *   <li><b>Large first access:</b> {@code --objects} objects of {@code --object-bytes}: the
 *       SDK's own GET-to-file ({@code getObject(request, path)}) against a store's {@code
 *       open(name)} (one GET streamed onto the disk tier, then a lease). Goal: objmapper ≥ 0.8 ×
 *       the SDK.
 *   <li><b>Small first access:</b> {@code --small-objects} of {@code --small-bytes}; the p50
 *       of a bare SDK GET of the bytes ({@code getObjectAsBytes}) against the p50 of a first
 *       {@code store.open(name)} + read of the bytes. Goal: ≤ 1.3 ×.
 *   <li><b>Repeat access:</b> the same small objects opened again from the first store
 *       (served from the staged copy on the disk tier): p50. A copy staged longer than {@code
 *       --revalidate-ms} ago is first checked with a HEAD (bounded staleness); the default
 *       (600000) measures the local tier alone.
 *   <li><b>LIST rate:</b> one paginated LIST of the whole bucket through the s3 tier's scan,
 *       what the background reconciliation of the tier's index and counts costs.
 * </ul>
 *
 * <p>Before anything is timed, each side makes {@code --warmup} first accesses of small objects
 * of its own, so that what is timed is compiled code on both sides, as in a node that has run a
 * while: with 50 (the default before), the SDK's own 4 KiB GET took 1.0–1.9 ms p50 against
 * 0.55–0.7 ms with 1,000, and the ratio measured how far each side's JIT had got.
 *
 * <p>Both sides use the same HTTP client (the JDK's URL connection) and the default
 * credential chain ({@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}).
 *
 * <pre>
 * java $FLAGS -cp objmapper-examples/target/objmapper.jar io.objmapper.examples.bench.S3FirstAccess \
 *     --endpoint http://127.0.0.1:9000 --bucket objm-bench
 * </pre>
 */
@Command(name = "S3FirstAccess", mixinStandardHelpOptions = true,
    description = "First and repeat access of objects in an S3 bucket: objmapper's s3 tier against the bare SDK.")
public final class S3FirstAccess implements Callable<Integer> {
  /** Tries of one set-up PUT, each with the SDK's own retries. */
  private static final int PUT_ATTEMPTS = 5;

  @Option(names = "--endpoint", description = "The S3 service's URL (default: AWS).")
  private URI endpoint;

  @Option(names = "--region", defaultValue = "us-east-1", description = "Region (default: ${DEFAULT-VALUE}).")
  private String region;

  @Option(names = "--bucket", required = true, description = "Bucket to use; created if missing.")
  private String bucket;

  @Option(names = "--objects", defaultValue = "64", description = "Large objects (default: ${DEFAULT-VALUE}).")
  private int objects;

  @Option(names = "--object-bytes", defaultValue = "1048576", description = "Size of a large object (default: ${DEFAULT-VALUE}).")
  private int objectBytes;

  @Option(names = "--small-objects", defaultValue = "600", description = "Small objects (default: ${DEFAULT-VALUE}).")
  private int smallObjects;

  @Option(names = "--small-bytes", defaultValue = "4096", description = "Size of a small object (default: ${DEFAULT-VALUE}).")
  private int smallBytes;

  @Option(names = "--staging-sync", defaultValue = "record,copy",
      description = "The s3 tier's staging_sync values to measure, each with a store of its own; \"none\" stages onto a"
          + " volatile disk tier, neither journaled nor synced (default: ${DEFAULT-VALUE}).")
  private String stagingSync;

  @Option(names = "--revalidate-ms", defaultValue = "600000",
      description = "The s3 tier's revalidate_ms: a repeat access later than this after staging asks the bucket (HEAD) first (default: ${DEFAULT-VALUE}).")
  private long revalidateMs;

  @Option(names = "--memory-mib", defaultValue = "256",
      description = "Capacity of each store's memory tier in MiB; 0: no memory tier (default: ${DEFAULT-VALUE}).")
  private long memoryMib;

  @Option(names = "--warmup", defaultValue = "1000",
      description = "Small first accesses of each kind before timing, so that both sides' code is compiled, as in a node"
          + " that has run a while (default: ${DEFAULT-VALUE}).")
  private int warmup;

  public static void main(String[] args) {
    System.exit(new CommandLine(new S3FirstAccess()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("objmapper-s3-bench");
    String prefix = "bench-" + System.nanoTime() + "/";
    List<String> modes = List.of(stagingSync.split(","));
    try (S3Client client = client()) {
      try {
        client.headBucket(b -> b.bucket(bucket));
      } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
        client.createBucket(b -> b.bucket(bucket));
      }
      Random random = new Random(11);
      // One set of objects per side (and per staging mode), so every access timed is a first one.
      put(client, prefix + "sdk/big/", objects, objectBytes, random);
      put(client, prefix + "sdk/small/", smallObjects, smallBytes, random);
      put(client, prefix + "sdk/warm/", warmup, smallBytes, random);
      for (String mode : modes) {
        put(client, prefix + mode + "/big/", objects, objectBytes, random);
        put(client, prefix + mode + "/small/", smallObjects, smallBytes, random);
        put(client, prefix + mode + "/warm/", warmup, smallBytes, random);
      }
      Path files = Files.createDirectories(dir.resolve("sdk"));
      List<ObjMapper> stores = new java.util.ArrayList<>();
      try {
        for (String mode : modes) {
          stores.add(store(dir.resolve(mode), prefix + mode + "/", mode));
        }
        for (int i = 0; i < warmup; i++) {
          String key = prefix + "sdk/warm/" + i;
          client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
          for (ObjMapper store : stores) {
            try (ObjectLease lease = store.open("/warm/" + i)) {
              lease.readAllBytes();
            }
          }
        }
        // Large first access, SDK and each store in turn per object (load drifts alike).
        long sdkBig = 0;
        long[] omBig = new long[modes.size()];
        for (int i = 0; i < objects; i++) {
          String key = prefix + "sdk/big/" + i;
          Path file = files.resolve(Integer.toString(i));
          long t0 = System.nanoTime();
          client.getObject(b -> b.bucket(bucket).key(key), file);
          sdkBig += System.nanoTime() - t0;
          for (int m = 0; m < stores.size(); m++) {
            long t1 = System.nanoTime();
            stores.get(m).open("/big/" + i).close();
            omBig[m] += System.nanoTime() - t1;
          }
        }
        // Small first access, the same way.
        Histogram sdkSmall = new Histogram(3);
        Histogram[] omSmall = new Histogram[modes.size()];
        for (int m = 0; m < omSmall.length; m++) {
          omSmall[m] = new Histogram(3);
        }
        String[] smallTier = new String[modes.size()];
        for (int i = 0; i < smallObjects; i++) {
          String key = prefix + "sdk/small/" + i;
          long s0 = System.nanoTime();
          client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
          sdkSmall.recordValue(System.nanoTime() - s0);
          for (int m = 0; m < stores.size(); m++) {
            long s1 = System.nanoTime();
            try (ObjectLease lease = stores.get(m).open("/small/" + i)) {
              lease.readAllBytes();
              smallTier[m] = lease.tier();
            }
            omSmall[m].recordValue(System.nanoTime() - s1);
          }
        }
        Histogram omRepeat = new Histogram(3);
        for (int i = 0; i < smallObjects; i++) {
          long s = System.nanoTime();
          try (ObjectLease lease = stores.get(0).open("/small/" + i)) {
            lease.readAllBytes();
          }
          omRepeat.recordValue(System.nanoTime() - s);
        }

        double mib = (double) objects * objectBytes / (1 << 20);
        double sdkRate = mib / (sdkBig / 1e9);
        for (int m = 0; m < modes.size(); m++) {
          double omRate = mib / (omBig[m] / 1e9);
          System.out.printf(Locale.ROOT, "first access, %d x %d B, staging_sync %s: SDK GET-to-file %.1f MiB/s"
              + " (%.0f ms), objmapper %.1f MiB/s (%.0f ms), ratio %.2f (goal >= 0.80)%n",
              objects, objectBytes, modes.get(m), sdkRate, sdkBig / 1e6, omRate, omBig[m] / 1e6, omRate / sdkRate);
        }
        for (int m = 0; m < modes.size(); m++) {
          System.out.printf(Locale.ROOT, "first access, %d x %d B, staging_sync %s (staged on %s): p50 SDK GET %.0f us,"
              + " objmapper %.0f us, ratio %.2f (goal <= 1.30); p99 %.0f / %.0f us%n",
              smallObjects, smallBytes, modes.get(m), smallTier[m], us(sdkSmall, 50), us(omSmall[m], 50),
              us(omSmall[m], 50) / us(sdkSmall, 50), us(sdkSmall, 99), us(omSmall[m], 99));
        }
        System.out.printf(Locale.ROOT, "repeat access (staged copy, revalidate_ms %d), %d x %d B: p50 %.1f us,"
            + " p99 %.1f us%n", revalidateMs, smallObjects, smallBytes, us(omRepeat, 50), us(omRepeat, 99));
      } finally {
        for (ObjMapper store : stores) {
          store.close();
        }
      }
      // What a reconciliation of the tier's index costs: one paginated LIST of the whole bucket.
      try (Tier whole = TierProviders.installed().open(s3Tier("", "record").build())) {
        long t2 = System.nanoTime();
        long listed = whole.scan((name, stat) -> {}, Tier.ScanProgress.NONE);
        long listNanos = System.nanoTime() - t2;
        System.out.printf(Locale.ROOT, "paginated LIST of the bucket: %d objects in %.0f ms, %.0f objects/s%n",
            listed, listNanos / 1e6, listed / (listNanos / 1e9));
      }
      return 0;
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static double us(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1e3;
  }

  private S3Client client() {
    var b = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)))
        .credentialsProvider(DefaultCredentialsProvider.builder().build())
        .region(Region.of(region))
        .forcePathStyle(endpoint != null);
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }

  /**
   * Puts {@code n} objects of random bytes (set-up, not timed). A PUT that fails even after the
   * SDK's own retries, which wait between attempts (S3Proxy, busy, closes a connection now and
   * then), is tried again a few times before the run gives up.
   */
  private void put(S3Client client, String keyPrefix, int n, int size, Random random) {
    byte[] data = new byte[size];
    for (int i = 0; i < n; i++) {
      random.nextBytes(data);
      String key = keyPrefix + i;
      for (int attempt = 1; ; attempt++) {
        try {
          client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
          break;
        } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
          if (attempt == PUT_ATTEMPTS) {
            throw e;
          }
          System.err.println("PUT " + key + " failed (" + e.getMessage() + "), trying again");
        }
      }
    }
  }

  /**
   * A store with a memory tier of {@code --memory-mib} (none if 0), a disk tier and the s3
   * tier; staging {@code none} is a diagnostic: no memory tier and a volatile disk tier, whose
   * staged copies are neither journaled nor synced (what staging costs without any durability).
   */
  private ObjMapper store(Path dir, String prefix, String stagingSync) throws java.io.IOException {
    boolean none = stagingSync.equals("none");
    TierConfig disk = TierConfig.builder().name("disk").type("fs")
        .root(Files.createDirectories(dir.resolve("disk"))).perfFactor(3.0)
        .flags(none ? List.of(TierFlag.READABLE, TierFlag.WRITABLE)
            : List.of(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE)).build();
    ObjMapper.Builder b = ObjMapper.builder();
    if (memoryMib > 0 && !none) {
      b.tier(TierConfig.builder().name("memory").type("memory").perfFactor(1.0).capacityBytes(memoryMib << 20)
          .flags(List.of(TierFlag.EPHEMERAL, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC,
              TierFlag.MIGRATION_DST)).build());
    }
    return b.tier(disk).tier(s3Tier(prefix, none ? "record" : stagingSync).build()).build();
  }

  private TierConfig.Builder s3Tier(String prefix, String stagingSync) {
    TierConfig.Builder s3 = TierConfig.builder().name("archive").type("s3").perfFactor(500.0)
        .flags(List.of(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE));
    if (!prefix.isEmpty()) {
      s3.option("prefix", prefix);
    }
    s3
        .option("bucket", bucket).option("region", region)
        .option("request_timeout_ms", "30000").option("revalidate_ms", Long.toString(revalidateMs))
        .option("staging_sync", stagingSync);
    if (endpoint != null) {
      s3.option("endpoint", endpoint.toString()).option("path_style", "true");
    }
    return s3;
  }
}
