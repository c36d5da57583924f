package io.objmapper.testing;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 HTTP server in this JVM (S3Proxy) on a free port, storing its buckets in a directory
 * or in memory. Tests reach it with the SDK's default credential chain: the key and secret are
 * set as the {@code aws.accessKeyId}/{@code aws.secretAccessKey} system properties, the same
 * for every server, so tests running in parallel agree on them.
 *
 * <pre>{@code
 * try (S3TestServer s3 = S3TestServer.onDisk(dir)) {
 *   s3.createBucket("b");
 *   ... option("endpoint", s3.endpoint().toString()) ...
 * }
 * }</pre>
 */
public final class S3TestServer implements AutoCloseable {
  public static final String ACCESS_KEY = "objmapper-test";
  public static final String SECRET_KEY = "objmapper-test-secret";
  public static final String REGION = "us-east-1";

  private static final AtomicInteger BUCKETS = new AtomicInteger();

  static {
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", SECRET_KEY);
  }

  private final Path dir;
  private final BlobStore store;
  private final S3Proxy proxy;
  private final int port;
  private volatile boolean stopped;

  private S3TestServer(Path dir, BlobStore store, int port) throws Exception {
    this.dir = dir;
    this.store = store;
    this.proxy = S3Proxy.builder()
        .blobStore(store)
        .endpoint(URI.create("http://127.0.0.1:" + port))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      if ("FAILED".equals(proxy.getState())) {
        throw new IllegalStateException("S3Proxy failed to start");
      }
      Thread.onSpinWait();
    }
    this.port = proxy.getPort();
  }

  /**
   * Runs a server for the benchmarks until the JVM is stopped: {@code S3TestServer DIR PORT}
   * (credentials: {@value #ACCESS_KEY} / {@value #SECRET_KEY}).
   */
  public static void main(String[] args) throws Exception {
    S3TestServer server = onDisk(Path.of(args[0]), Integer.parseInt(args[1]));
    System.out.println("S3 at " + server.endpoint() + ", buckets below " + args[0]);
    new java.util.concurrent.CountDownLatch(1).await();
  }

  /** A server keeping its buckets below {@code dir} (created if missing), on a free port. */
  public static S3TestServer onDisk(Path dir) throws Exception {
    return onDisk(dir, 0);
  }

  /** A server keeping its buckets below {@code dir}, on {@code port} (0: a free one). */
  public static S3TestServer onDisk(Path dir, int port) throws Exception {
    Files.createDirectories(dir);
    return new S3TestServer(dir, new FilesystemNio2BlobStore(dir.toString()), port);
  }

  /** A server keeping its buckets in memory, on a free port. */
  public static S3TestServer inMemory() throws Exception {
    return new S3TestServer(null, new TransientNio2BlobStore(), 0);
  }

  /** A new server on the same directory and port as this stopped one: S3 coming back. */
  public S3TestServer restart() throws Exception {
    if (dir == null) {
      throw new IllegalStateException("an in-memory server cannot come back with its buckets");
    }
    return onDisk(dir, port());
  }

  /** Creates bucket {@code name} (through the S3 API). */
  public void createBucket(String name) {
    try (S3Client client = client()) {
      client.createBucket(b -> b.bucket(name));
    }
  }

  /** A client of this server; the caller closes it. */
  public S3Client client() {
    return S3Client.builder()
        .endpointOverride(endpoint())
        .region(Region.of(REGION))
        .forcePathStyle(true)
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  /** Puts {@code data} under {@code key} in {@code bucket}, as a writer other than the store would. */
  public void put(String bucket, String key, byte[] data) {
    try (S3Client client = client()) {
      client.putObject(b -> b.bucket(bucket).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(data));
    }
  }

  /** Deletes {@code key} from {@code bucket}, as a writer other than the store would. */
  public void delete(String bucket, String key) {
    try (S3Client client = client()) {
      client.deleteObject(b -> b.bucket(bucket).key(key));
    }
  }

  /** How many keys {@code bucket} holds (up to the first page of a LIST: 1,000). */
  public int keyCount(String bucket) {
    try (S3Client client = client()) {
      return client.listObjectsV2(b -> b.bucket(bucket)).keyCount();
    }
  }

  /** Creates a bucket with a name no other test of this JVM uses, and returns its name. */
  public String newBucket() {
    String name = "bucket-" + BUCKETS.incrementAndGet();
    createBucket(name);
    return name;
  }

  /** The port it listens on (or listened on, once stopped). */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:port}: use with {@code path_style true}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /** Stops the server (the port stops answering); calling it again does nothing. */
  public void stop() throws Exception {
    if (!stopped) {
      stopped = true;
      proxy.stop();
    }
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
