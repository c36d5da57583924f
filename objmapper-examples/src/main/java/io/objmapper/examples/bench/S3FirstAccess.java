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
 * thread, one run side by side:
 *
 * <ul>
 *   <li><b>Large first access:</b> {@code --objects} objects of {@code --object-bytes} are put
 *       in the bucket (untimed); then the SDK's own GET-to-file of each into a temporary
 *       directory ({@code getObject(request, path)}), timed; then a store with a disk tier and
 *       an s3 tier on the bucket opens each object once ({@code store.open(name)}: a GET
 *       streamed onto the disk tier, then a lease), timed. Goal: objmapper ≥ 0.8 × the SDK.
 *   <li><b>Small first access:</b> {@code --small-objects} of {@code --small-bytes}; the p50
 *       of a bare SDK GET of the bytes ({@code getObjectAsBytes}) against the p50 of a first
 *       {@code store.open(name)} + read of the bytes. Goal: ≤ 1.3 ×.
 *   <li><b>Repeat access:</b> the same small objects opened again (served from the staged
 *       copy on the disk tier): p50. A copy staged longer than {@code --revalidate-ms} ago is
 *       first checked with a HEAD (bounded staleness), so a large value measures the local
 *       tier alone.
 *   <li><b>LIST rate:</b> one paginated LIST of the whole bucket through the s3 tier's scan,
 *       what a reconciliation of the tier's index costs (the tier's own count when it opens
 *       is a first, untimed LIST).
 * </ul>
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

  @Option(names = "--small-objects", defaultValue = "200", description = "Small objects (default: ${DEFAULT-VALUE}).")
  private int smallObjects;

  @Option(names = "--small-bytes", defaultValue = "4096", description = "Size of a small object (default: ${DEFAULT-VALUE}).")
  private int smallBytes;

  @Option(names = "--revalidate-ms", defaultValue = "5000",
      description = "The s3 tier's revalidate_ms: a repeat access later than this after staging asks the bucket (HEAD) first (default: ${DEFAULT-VALUE}).")
  private long revalidateMs;

  @Option(names = "--warmup", defaultValue = "50", description = "Small GETs of each kind before timing (default: ${DEFAULT-VALUE}).")
  private int warmup;

  public static void main(String[] args) {
    System.exit(new CommandLine(new S3FirstAccess()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("objmapper-s3-bench");
    String prefix = "bench-" + System.nanoTime() + "/";
    try (S3Client client = client()) {
      try {
        client.headBucket(b -> b.bucket(bucket));
      } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
        client.createBucket(b -> b.bucket(bucket));
      }
      Random random = new Random(11);
      put(client, prefix + "big/", objects, objectBytes, random);
      put(client, prefix + "small/", smallObjects, smallBytes, random);
      put(client, prefix + "warm/", warmup, smallBytes, random);

      // SDK: GET to file.
      Path files = Files.createDirectories(dir.resolve("sdk"));
      long t0 = System.nanoTime();
      for (int i = 0; i < objects; i++) {
        String key = prefix + "big/" + i;
        client.getObject(b -> b.bucket(bucket).key(key), files.resolve(Integer.toString(i)));
      }
      long sdkBig = System.nanoTime() - t0;

      Histogram sdkSmall = new Histogram(3);
      for (int i = 0; i < warmup; i++) {
        String key = prefix + "warm/" + i;
        client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
      }
      for (int i = 0; i < smallObjects; i++) {
        String key = prefix + "small/" + i;
        long s = System.nanoTime();
        client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
        sdkSmall.recordValue(System.nanoTime() - s);
      }

      try (ObjMapper store = store(dir, prefix)) {
        for (int i = 0; i < warmup; i++) {
          try (ObjectLease lease = store.open("/warm/" + i)) {
            lease.readAllBytes();
          }
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < objects; i++) {
          store.open("/big/" + i).close();
        }
        long omBig = System.nanoTime() - t1;

        Histogram omSmall = new Histogram(3);
        for (int i = 0; i < smallObjects; i++) {
          long s = System.nanoTime();
          try (ObjectLease lease = store.open("/small/" + i)) {
            lease.readAllBytes();
          }
          omSmall.recordValue(System.nanoTime() - s);
        }
        Histogram omRepeat = new Histogram(3);
        for (int i = 0; i < smallObjects; i++) {
          long s = System.nanoTime();
          try (ObjectLease lease = store.open("/small/" + i)) {
            lease.readAllBytes();
          }
          omRepeat.recordValue(System.nanoTime() - s);
        }

        double mib = (double) objects * objectBytes / (1 << 20);
        double sdkRate = mib / (sdkBig / 1e9);
        double omRate = mib / (omBig / 1e9);
        System.out.printf(Locale.ROOT, "first access, %d x %d B: SDK GET-to-file %.1f MiB/s (%.0f ms),"
            + " objmapper %.1f MiB/s (%.0f ms), ratio %.2f (goal >= 0.80)%n",
            objects, objectBytes, sdkRate, sdkBig / 1e6, omRate, omBig / 1e6, omRate / sdkRate);
        System.out.printf(Locale.ROOT, "first access, %d x %d B: p50 SDK GET %.0f us, objmapper %.0f us,"
            + " ratio %.2f (goal <= 1.30); p99 %.0f / %.0f us%n",
            smallObjects, smallBytes, us(sdkSmall, 50), us(omSmall, 50), us(omSmall, 50) / us(sdkSmall, 50),
            us(sdkSmall, 99), us(omSmall, 99));
        System.out.printf(Locale.ROOT, "repeat access (staged copy, revalidate_ms %d), %d x %d B: p50 %.1f us, p99 %.1f us%n",
            revalidateMs, smallObjects, smallBytes, us(omRepeat, 50), us(omRepeat, 99));
      }
      // What a reconciliation of the tier's index costs: one paginated LIST of the whole bucket.
      try (Tier whole = TierProviders.installed().open(s3Tier("").build())) {
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

  private void put(S3Client client, String keyPrefix, int n, int size, Random random) {
    byte[] data = new byte[size];
    for (int i = 0; i < n; i++) {
      random.nextBytes(data);
      String key = keyPrefix + i;
      client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
    }
  }

  private ObjMapper store(Path dir, String prefix) throws java.io.IOException {
    TierConfig disk = TierConfig.builder().name("disk").type("fs")
        .root(Files.createDirectories(dir.resolve("disk"))).perfFactor(3.0)
        .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).build();
    return ObjMapper.builder().tier(disk).tier(s3Tier(prefix).build()).build();
  }

  private TierConfig.Builder s3Tier(String prefix) {
    TierConfig.Builder s3 = TierConfig.builder().name("archive").type("s3").perfFactor(500.0)
        .flags(List.of(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE));
    if (!prefix.isEmpty()) {
      s3.option("prefix", prefix);
    }
    s3
        .option("bucket", bucket).option("region", region)
        .option("request_timeout_ms", "30000").option("revalidate_ms", Long.toString(revalidateMs));
    if (endpoint != null) {
      s3.option("endpoint", endpoint.toString()).option("path_style", "true");
    }
    return s3;
  }
}
