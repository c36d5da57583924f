package io.objmapper.internal.tier.s3;

import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierAccessException;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A tier whose objects are the keys below a prefix of an S3 bucket. Remote: it is read through
 * {@link #openStream} (a streamed GET) only.
 *
 * <ul>
 *   <li>Object {@code /a/b.bin} is key {@code prefix + "a/b.bin"}; a key below the prefix that
 *       is no valid object name (an empty segment, a directory marker ending in {@code /}, a
 *       reserved segment) is not an object of the tier.
 *   <li>{@link #stat} is a HEAD; the stat's {@link ObjectStat#fileKey()} is the ETag (without
 *       quotes) and its time is Last-Modified in whole seconds, as HEAD and LIST both give it.
 *   <li>Writes are one PUT with a CRC32C checksum the service verifies (sent as a header where
 *       the bytes are in memory, else as a trailer the SDK computes); a source longer than
 *       {@value #PART_SIZE} bytes is uploaded in parts of that size (multipart, each part
 *       checksummed), aborted if the source or a part fails, so a failed write leaves the old
 *       object. S3 replaces an object atomically, so readers see whole versions only.
 *   <li>Each request has one deadline, {@link S3Options#requestTimeoutMillis()}, the SDK's
 *       retries included; reading a GET's body is bounded by the same time without progress.
 *       A service that cannot be reached or does not answer in time is an {@link
 *       S3UnavailableException}; a refusal (403) an {@link AccessDeniedException}.
 *   <li>The counts come from a paginated LIST in the background when the tier opens (until it
 *       ends they count only the writes and deletes made meanwhile) and follow writes and
 *       deletes through this instance, which HEAD the key first to learn the size they replace.
 * </ul>
 */
final class S3Tier implements Tier {
  private static final Logger log = LoggerFactory.getLogger(S3Tier.class);

  /** Size of a multipart upload's parts, and the largest object uploaded with one PUT. */
  static final int PART_SIZE = 8 * 1024 * 1024;

  /** Keys per LIST page. */
  private static final int PAGE_SIZE = 1000;

  private static final String CONTENT_TYPE = "application/octet-stream";

  /** The CRC32C of no bytes, as the service takes it. */
  private static final String EMPTY_CRC32C = crc32c(ByteBuffer.allocate(0));

  private final TierConfig config;
  private final S3Options options;
  private final S3Client client;
  private final String bucket;
  private final String prefix;
  private final AtomicLong usedBytes = new AtomicLong();
  private final AtomicLong objectCount = new AtomicLong();
  /**
   * Writes and deletes made through this tier (counted when each begins and ends), and those in
   * progress: a scan resets the counts only if none was in progress when it began and none
   * began or ended during it, so no change is counted twice (by the LIST and by itself).
   */
  private final AtomicLong mutations = new AtomicLong();
  private final AtomicLong changesInFlight = new AtomicLong();
  private volatile boolean closed;

  private S3Tier(TierConfig config, S3Options options, S3Client client) {
    this.config = config;
    this.options = options;
    this.client = client;
    this.bucket = options.bucket();
    this.prefix = options.prefix();
  }

  /**
   * Opens the tier without asking the service anything: its objects are counted by a
   * paginated LIST in the background (see the class comment), so a store opens, and serves,
   * whether the bucket holds ten objects or ten million, and whether the service answers or not.
   */
  static S3Tier open(TierConfig config, S3Options options) {
    S3Tier tier = new S3Tier(config, options, client(options));
    Thread counter = new Thread(tier::countInBackground, "objmapper-s3-count-" + config.name());
    counter.setDaemon(true);
    counter.start();
    return tier;
  }

  /** Attempts per request (see {@link #client}). */
  static final int MAX_ATTEMPTS = 6;

  private static S3Client client(S3Options options) {
    Duration timeout = Duration.ofMillis(options.requestTimeoutMillis());
    S3ClientBuilder b = S3Client.builder()
        // The JDK's HttpURLConnection: no further dependency, and connect and read timeouts,
        // which is all a blocking tier needs.
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(timeout)
            .socketTimeout(timeout))
        .credentialsProvider(DefaultCredentialsProvider.builder().build())
        .forcePathStyle(options.pathStyle())
        // No "Expect: 100-continue" before a body: it costs a round trip per upload, and the
        // JDK's connection fails an empty body sent with it now and then ("Error writing
        // request body to server").
        .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
            .expectContinueEnabled(false).build())
        // One deadline for the whole request, retries included. Within it, up to six attempts:
        // a PUT whose pooled connection the service has closed fails while its body is written
        // ("Error writing request body to server"; against S3Proxy, often the PUT right after
        // a HEAD answered 404). The JDK does not send a body again; the SDK does, on the next
        // pooled connection, and the JDK keeps up to five per service, so the sixth attempt at
        // the latest has a fresh one. With the SDK's default of three, such PUTs failed while
        // the service was up (S3CrashTest, S3TierContractTest, about one build in three;
        // S3ClosedConnectionsTest).
        .overrideConfiguration(c -> c.apiCallTimeout(timeout).retryStrategy(r -> r.maxAttempts(MAX_ATTEMPTS)))
        .region(region(options));
    options.endpoint().ifPresent(b::endpointOverride);
    return b.build();
  }

  private static Region region(S3Options options) {
    if (options.region().isPresent()) {
      return Region.of(options.region().get());
    }
    if (options.endpoint().isPresent()) {
      // A self-hosted service: asking the instance metadata service for a region would only
      // delay the start.
      return Region.of(S3Options.DEFAULT_REGION);
    }
    try {
      return DefaultAwsRegionProviderChain.builder().build().getRegion();
    } catch (SdkClientException e) {
      return Region.of(S3Options.DEFAULT_REGION);
    }
  }

  /** The options the tier runs with. */
  S3Options options() {
    return options;
  }

  /** The key of object {@code name} (which must be valid). */
  String key(String name) {
    return prefix + name.substring(1);
  }

  /** The object name of {@code key}, or null if the key is no object of this tier. */
  String nameOf(String key) {
    if (!key.startsWith(prefix) || key.length() == prefix.length()) {
      return null;
    }
    String name = "/" + key.substring(prefix.length());
    return ObjectNames.isValid(name) && !ObjectNames.isReserved(name) ? name : null;
  }

  @Override
  public TierConfig config() {
    return config;
  }

  @Override
  public ObjectStat stat(String name) throws IOException {
    ObjectNames.validateStorable(name);
    checkOpen();
    return head(name);
  }

  private ObjectStat head(String name) throws IOException {
    String key = key(name);
    try {
      HeadObjectResponse r = client.headObject(b -> b.bucket(bucket).key(key));
      return stat(r.contentLength(), r.lastModified(), r.eTag());
    } catch (NoSuchKeyException e) {
      return null;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return null;
      }
      throw failure("HEAD", key, e);
    } catch (SdkException e) {
      throw failure("HEAD", key, e);
    }
  }

  @Override
  public InputStream openStream(String name) throws IOException {
    ObjectNames.validateStorable(name);
    checkOpen();
    TierAccessException.check(config, TierFlag.READABLE);
    String key = key(name);
    try {
      return new VersionStream(client.getObject(b -> b.bucket(bucket).key(key)), key);
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(name, null, "no key " + key + " in bucket " + bucket);
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw new NoSuchFileException(name, null, "no key " + key + " in bucket " + bucket);
      }
      throw failure("GET", key, e);
    } catch (SdkException e) {
      throw failure("GET", key, e);
    }
  }

  /** The stat of the version a GET answered with. */
  static ObjectStat stat(GetObjectResponse r) {
    return stat(r.contentLength(), r.lastModified(), r.eTag());
  }

  // ---- writes ---------------------------------------------------------------------------

  @Override
  public ObjectStat write(String name, InputStream source) throws IOException {
    startWrite(name);
    Chunk first = Chunk.read(source, new byte[Math.min(PART_SIZE, 64 * 1024)]);
    if (first.length < PART_SIZE) {
      return put(name, first.body(), first.crc32c());
    }
    return multipart(name, first, source);
  }

  @Override
  public ObjectStat write(String name, ByteBuffer source) throws IOException {
    startWrite(name);
    int n = source.remaining();
    ObjectStat s;
    if (n <= PART_SIZE) {
      ByteBuffer slice = source.slice();
      s = put(name, RequestBody.fromContentProvider(() -> new ByteBufferStream(slice.duplicate()), n, CONTENT_TYPE),
          crc32c(slice.duplicate()));
    } else {
      s = write(name, new ByteBufferStream(source.slice()));
    }
    source.position(source.limit());
    return s;
  }

  @Override
  public ObjectStat write(String name, FileChannel source, long position, long count) throws IOException {
    if (position < 0 || count < 0) {
      throw new IllegalArgumentException(position < 0 ? "position < 0" : "count < 0");
    }
    startWrite(name);
    if (source.size() - position < count) {
      throw new EOFException("the source holds " + Math.max(0, source.size() - position)
          + " bytes from position " + position + ", not " + count);
    }
    if (count <= PART_SIZE) {
      // A provider that opens the range afresh: the SDK may send the body again on a retry.
      ContentStreamProvider body = () -> new ChannelRangeStream(source, position, count);
      return put(name, RequestBody.fromContentProvider(body, count, CONTENT_TYPE), count == 0 ? EMPTY_CRC32C : null);
    }
    InputStream in = new ChannelRangeStream(source, position, count);
    return multipart(name, Chunk.read(in, new byte[PART_SIZE]), in);
  }

  private void startWrite(String name) throws IOException {
    ObjectNames.validateStorable(name);
    checkOpen();
    TierAccessException.check(config, TierFlag.WRITABLE);
  }

  /**
   * One PUT of {@code body}, with its CRC32C for the service to verify: {@code crc32c} (base64)
   * where the bytes were at hand to compute it, sent as a header; else computed by the SDK while
   * it sends the body and sent as a trailer after it.
   */
  private ObjectStat put(String name, RequestBody body, String crc32c) throws IOException {
    String key = key(name);
    beginChange();
    try {
      ObjectStat old = head(name);
      String etag;
      try {
        etag = client.putObject(b -> {
          b.bucket(bucket).key(key);
          if (crc32c != null) {
            b.checksumCRC32C(crc32c);
          } else {
            b.checksumAlgorithm(ChecksumAlgorithm.CRC32_C);
          }
        }, body).eTag();
      } catch (SdkException e) {
        throw failure("PUT", key, e);
      }
      return written(name, old, etag);
    } finally {
      endChange();
    }
  }

  /** The CRC32C of {@code bytes} (consumed), base64 of its four bytes big-endian: S3's {@code x-amz-checksum-crc32c}. */
  static String crc32c(ByteBuffer bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private void beginChange() {
    changesInFlight.incrementAndGet();
    mutations.incrementAndGet();
  }

  private void endChange() {
    mutations.incrementAndGet();
    changesInFlight.decrementAndGet();
  }

  private ObjectStat multipart(String name, Chunk first, InputStream source) throws IOException {
    beginChange();
    try {
      return multipartChange(name, first, source);
    } finally {
      endChange();
    }
  }

  private ObjectStat multipartChange(String name, Chunk first, InputStream source) throws IOException {
    String key = key(name);
    ObjectStat old = head(name);
    String uploadId;
    try {
      uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(key)
          .checksumAlgorithm(ChecksumAlgorithm.CRC32_C).contentType(CONTENT_TYPE)).uploadId();
    } catch (SdkException e) {
      throw failure("CreateMultipartUpload", key, e);
    }
    boolean done = false;
    try {
      List<CompletedPart> parts = new ArrayList<>();
      Chunk chunk = first;
      while (true) {
        int partNumber = parts.size() + 1;
        RequestBody body = chunk.body();
        UploadPartResponse r;
        try {
          r = client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)
                  .checksumAlgorithm(ChecksumAlgorithm.CRC32_C), body);
        } catch (SdkException e) {
          throw failure("UploadPart", key, e);
        }
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(r.eTag())
            .checksumCRC32C(r.checksumCRC32C()).build());
        if (chunk.length < PART_SIZE) {
          break;
        }
        chunk = Chunk.read(source, chunk.buf);
        if (chunk.length == 0) {
          break;
        }
      }
      String etag;
      try {
        etag = client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
            .multipartUpload(m -> m.parts(parts))).eTag();
      } catch (SdkException e) {
        throw failure("CompleteMultipartUpload", key, e);
      }
      done = true;
      return written(name, old, etag);
    } finally {
      if (!done) {
        try {
          client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException e) {
          log.warn("tier {}: cannot abort the upload of {} (the bucket's lifecycle rule for incomplete"
              + " uploads removes its parts): {}", config.name(), key, e.toString());
        }
      }
    }
  }

  /** The stat of what a write stored (HEAD; PUT answers no time), with the counts updated. */
  private ObjectStat written(String name, ObjectStat old, String etag) throws IOException {
    ObjectStat now = head(name);
    if (now == null) {
      throw new IOException("tier " + config.name() + ": " + key(name) + " is missing right after its upload");
    }
    if (etag != null && !unquote(etag).equals(now.fileKey())) {
      log.debug("tier {}: {} was replaced by another writer right after this write", config.name(), name);
    }
    if (old != null) {
      usedBytes.addAndGet(now.size() - old.size());
    } else {
      usedBytes.addAndGet(now.size());
      objectCount.incrementAndGet();
    }
    return now;
  }

  /** Up to {@value #PART_SIZE} bytes read from a source: one PUT's or one part's body. */
  private static final class Chunk {
    final byte[] buf;
    final int length;

    private Chunk(byte[] buf, int length) {
      this.buf = buf;
      this.length = length;
    }

    /**
     * Reads {@code source} until {@value #PART_SIZE} bytes or its end, into {@code buf},
     * which grows up to that size.
     */
    static Chunk read(InputStream source, byte[] buf) throws IOException {
      int n = 0;
      while (n < PART_SIZE) {
        if (n == buf.length) {
          buf = java.util.Arrays.copyOf(buf, Math.min(PART_SIZE, buf.length * 2));
        }
        int r = source.read(buf, n, buf.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      return new Chunk(buf, n);
    }

    /** The CRC32C of the bytes, as the service takes it ({@link S3Tier#crc32c(ByteBuffer)}). */
    String crc32c() {
      return S3Tier.crc32c(ByteBuffer.wrap(buf, 0, length));
    }

    /** The bytes as a request body the SDK can send again on a retry. */
    RequestBody body() {
      byte[] data = buf;
      int len = length;
      return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, len), len, CONTENT_TYPE);
    }
  }

  @Override
  public boolean delete(String name) throws IOException {
    ObjectNames.validateStorable(name);
    checkOpen();
    TierAccessException.check(config, TierFlag.WRITABLE);
    beginChange();
    try {
      ObjectStat old = head(name);
      if (old == null) {
        return false;
      }
      String key = key(name);
      try {
        client.deleteObject(b -> b.bucket(bucket).key(key));
      } catch (SdkException e) {
        throw failure("DELETE", key, e);
      }
      usedBytes.addAndGet(-old.size());
      objectCount.decrementAndGet();
      return true;
    } finally {
      endChange();
    }
  }

  // ---- scans and counts -----------------------------------------------------------------

  @Override
  public long scan(ScanVisitor visitor, ScanProgress progress) throws IOException {
    return list(visitor, progress, new boolean[1]);
  }

  /** {@link #scan}; {@code counted[0]} says whether it reset the counts. */
  private long list(ScanVisitor visitor, ScanProgress progress, boolean[] counted) throws IOException {
    checkOpen();
    long before = mutations.get();
    boolean quiet = changesInFlight.get() == 0;
    long objects = 0;
    long bytes = 0;
    String token = null;
    do {
      ListObjectsV2Response page;
      String continuation = token;
      try {
        ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(bucket).maxKeys(PAGE_SIZE);
        if (!prefix.isEmpty()) {
          req.prefix(prefix);
        }
        if (continuation != null) {
          req.continuationToken(continuation);
        }
        page = client.listObjectsV2(req.build());
      } catch (SdkException e) {
        throw failure("LIST", prefix, e);
      }
      for (S3Object o : page.contents()) {
        String name = nameOf(o.key());
        if (name == null) {
          continue;
        }
        ObjectStat s = stat(o.size(), o.lastModified(), o.eTag());
        visitor.visit(name, s);
        objects++;
        bytes += s.size();
      }
      progress.progress(objects, bytes);
      checkOpen();
      token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
    } while (token != null);
    if (quiet && mutations.get() == before) {
      synchronized (this) {
        if (mutations.get() == before) {
          objectCount.set(objects);
          usedBytes.set(bytes);
          counted[0] = true;
        }
      }
    }
    return objects;
  }

  /**
   * The count of a tier opened without a LIST. A LIST that fails (the service is down), or
   * that writes through this tier raced (the counts then hold what those writes added), is
   * tried again, after 1 s, then twice as long each time up to a minute, until one counts or
   * the tier closes.
   */
  private void countInBackground() {
    long pauseMillis = 1_000;
    while (!closed && !countOnce()) {
      try {
        Thread.sleep(pauseMillis);
      } catch (InterruptedException e) {
        return;
      }
      pauseMillis = Math.min(60_000, pauseMillis * 2);
    }
  }

  private boolean countOnce() {
    long start = System.nanoTime();
    long[] found = new long[2];
    boolean[] counted = new boolean[1];
    try {
      list((name, stat) -> {}, (objects, bytes) -> {
        found[0] = objects;
        found[1] = bytes;
      }, counted);
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        log.warn("tier {}: cannot count the objects in bucket {} (trying again): {}", config.name(), bucket,
            e.toString());
      }
      return false;
    }
    if (!counted[0]) {
      // Writes or deletes through this tier raced the LIST: each may or may not be in it.
      // Until a LIST runs alone, the counts are what those changes added.
      log.debug("tier {}: writes raced the count of bucket {}; counting again later", config.name(), bucket);
      return false;
    }
    long ms = Math.max(1, (System.nanoTime() - start) / 1_000_000);
    log.info("tier {}: {} objects, {} bytes in bucket {} (counted by a paginated LIST in {} ms, {} objects/s)",
        config.name(), found[0], found[1], bucket, ms, found[0] * 1000 / ms);
    return true;
  }

  @Override
  public long usedBytes() {
    checkOpen();
    return usedBytes.get();
  }

  @Override
  public long objectCount() {
    checkOpen();
    return objectCount.get();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    client.close();
  }

  @Override
  public String toString() {
    return "S3Tier{" + config.name() + ", s3://" + bucket + "/" + prefix + "}";
  }

  // ---- helpers --------------------------------------------------------------------------

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("tier " + config.name() + " is closed");
    }
  }

  private static ObjectStat stat(Long size, Instant lastModified, String etag) {
    long mtime = lastModified == null ? 0 : lastModified.getEpochSecond() * 1000;
    return new ObjectStat(size == null ? 0 : size, mtime, etag == null ? null : unquote(etag));
  }

  static String unquote(String etag) {
    return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
        ? etag.substring(1, etag.length() - 1)
        : etag;
  }

  /** The IOException an SDK failure of {@code operation} on {@code key} is thrown as. */
  private IOException failure(String operation, String key, SdkException e) {
    String where = operation + " s3://" + bucket + "/" + key + " (tier " + config.name() + ")";
    if (e instanceof S3Exception) {
      int status = ((S3Exception) e).statusCode();
      String code = ((S3Exception) e).awsErrorDetails() != null
          ? ((S3Exception) e).awsErrorDetails().errorCode() : null;
      String what = where + " failed: " + status + (code != null ? " " + code : "");
      if (status == 403) {
        AccessDeniedException denied = new AccessDeniedException(key, null, what);
        denied.initCause(e);
        return denied;
      }
      if (status >= 500 || status == 429) {
        return new S3UnavailableException(what, e);
      }
      return new IOException(what, e);
    }
    if (e instanceof software.amazon.awssdk.core.exception.AbortedException || Thread.currentThread().isInterrupted()) {
      // The calling thread was interrupted (a store closing stops its background scans).
      java.io.InterruptedIOException interrupted = new java.io.InterruptedIOException(where + " was interrupted");
      interrupted.initCause(e);
      return interrupted;
    }
    if (e instanceof SdkClientException) {
      // Connection refused or reset, the deadline passed, no credentials.
      return new S3UnavailableException(where + " failed: " + e.getMessage(), e);
    }
    return new IOException(where + " failed: " + e.getMessage(), e);
  }

  /** The endpoint the client talks to, if one was set. */
  URI endpoint() {
    return options.endpoint().orElse(null);
  }

  /**
   * A GET's body that also says which version it reads ({@link #get()}: size, time and ETag),
   * so the engine can remember what a staged copy is a copy of without another HEAD, and
   * checks the copy's length against it. An answer without a Content-Length tells its version
   * only once its body was read to the end (its size is what was read); until then {@link
   * #get()} is null. The SDK's failures while the body is read (a checksum that does not
   * match, a connection lost) are {@link IOException}s, as the failures of any stream.
   */
  static final class VersionStream extends java.io.FilterInputStream
      implements java.util.function.Supplier<ObjectStat> {
    private final GetObjectResponse response;
    private final String key;
    private volatile ObjectStat stat;
    private long bytesRead;

    VersionStream(software.amazon.awssdk.core.ResponseInputStream<GetObjectResponse> in, String key) {
      super(in);
      this.response = in.response();
      this.key = key;
      this.stat = response.contentLength() == null ? null : stat(response);
    }

    @Override
    public ObjectStat get() {
      return stat;
    }

    @Override
    public int read() throws IOException {
      try {
        int b = in.read();
        counted(b < 0 ? -1 : 1);
        return b;
      } catch (SdkException e) {
        throw failed(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return counted(in.read(b, off, len));
      } catch (SdkException e) {
        throw failed(e);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } catch (SdkException e) {
        throw failed(e);
      }
    }

    private int counted(int n) {
      if (n < 0) {
        if (stat == null) {
          stat = S3Tier.stat(bytesRead, response.lastModified(), response.eTag());
        }
      } else {
        bytesRead += n;
      }
      return n;
    }

    private IOException failed(SdkException e) {
      return new IOException("GET " + key + ": " + e.getMessage(), e);
    }
  }

  /** A stream over a buffer, for bodies that may be sent again on a retry. */
  private static final class ByteBufferStream extends InputStream {
    private final ByteBuffer buf;

    ByteBufferStream(ByteBuffer buf) {
      this.buf = buf;
    }

    @Override
    public int read() {
      return buf.hasRemaining() ? buf.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (!buf.hasRemaining()) {
        return -1;
      }
      int n = Math.min(len, buf.remaining());
      buf.get(b, off, n);
      return n;
    }
  }

  /** {@code count} bytes of a channel from {@code position}, read without moving the channel. */
  private static final class ChannelRangeStream extends InputStream {
    private final FileChannel ch;
    private long position;
    private long left;

    ChannelRangeStream(FileChannel ch, long position, long count) {
      this.ch = ch;
      this.position = position;
      this.left = count;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (left == 0) {
        return -1;
      }
      int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)), position);
      if (n < 0) {
        throw new EOFException("the source ended " + left + " bytes early");
      }
      position += n;
      left -= n;
      return n;
    }
  }
}
