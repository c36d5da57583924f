package io.objmapper.internal.tier.s3;

import io.objmapper.spi.TierConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options of an {@code s3} tier, read from {@link TierConfig#options()}: exactly the keys
 * {@value #BUCKET}, {@value #PREFIX}, {@value #ENDPOINT}, {@value #REGION}, {@value
 * #PATH_STYLE}, {@value #REVALIDATE_MS}, {@value #REQUEST_TIMEOUT_MS} and {@value
 * #STAGING_SYNC}. Credentials are never
 * options: they come from the SDK's default provider chain.
 *
 * @param bucket the bucket holding the objects; required
 * @param prefix prepended to each key: object {@code /a/b.bin} is key {@code prefix + "a/b.bin"};
 *     empty by default
 * @param endpoint the service's URL ({@code http://127.0.0.1:9000} for MinIO), empty for AWS
 * @param region the signing region; empty means the SDK's default region chain, then {@value
 *     #DEFAULT_REGION}
 * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key};
 *     MinIO and most self-hosted services need it
 * @param revalidateMillis how old a staged copy may get before it is checked against the
 *     bucket again
 * @param requestTimeoutMillis the deadline of one request to the service, retries included
 * @param stagingSync what a copy staged from the bucket onto a local tier syncs: {@code
 *     "record"} (default: only its record, before the copy is written; the copy is verified
 *     against its recorded size and CRC32C before it is first served after a restart) or
 *     {@code "copy"} (the copy's file, before it is published; its record is not synced)
 */
public record S3Options(String bucket, String prefix, Optional<URI> endpoint, Optional<String> region,
    boolean pathStyle, long revalidateMillis, long requestTimeoutMillis, String stagingSync) {
  public static final String BUCKET = "bucket";
  public static final String PREFIX = "prefix";
  public static final String ENDPOINT = "endpoint";
  public static final String REGION = "region";
  public static final String PATH_STYLE = "path_style";
  public static final String REVALIDATE_MS = "revalidate_ms";
  public static final String REQUEST_TIMEOUT_MS = "request_timeout_ms";
  public static final String STAGING_SYNC = "staging_sync";

  /** Every key an s3 tier reads; any other is rejected. */
  public static final Set<String> KEYS = Set.of(BUCKET, PREFIX, ENDPOINT, REGION, PATH_STYLE,
      REVALIDATE_MS, REQUEST_TIMEOUT_MS, STAGING_SYNC);

  /** The region when none is set and the SDK's region chain finds none. */
  public static final String DEFAULT_REGION = "us-east-1";
  /** Default {@link #revalidateMillis}. */
  public static final long DEFAULT_REVALIDATE_MS = 5_000;
  /** Default {@link #requestTimeoutMillis}. */
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

  /**
   * The options of {@code config}.
   *
   * @throws IllegalArgumentException naming the option that is missing, unknown or malformed
   */
  public static S3Options of(TierConfig config) {
    Map<String, String> o = config.options();
    for (String key : o.keySet()) {
      if (!KEYS.contains(key)) {
        throw bad(config, key, "is not an option of an s3 tier (known: " + new TreeSet<>(KEYS) + ")");
      }
    }
    String bucket = o.get(BUCKET);
    if (bucket == null || bucket.isBlank()) {
      throw bad(config, BUCKET, bucket == null ? "is required" : "is blank");
    }
    if (!bucket.equals(bucket.strip()) || bucket.contains("/")) {
      throw bad(config, BUCKET, "must be a bucket name, was \"" + bucket + "\"");
    }
    String prefix = o.getOrDefault(PREFIX, "");
    if (prefix.startsWith("/")) {
      throw bad(config, PREFIX, "must not start with '/' (keys have no leading slash), was \"" + prefix + "\"");
    }
    Optional<URI> endpoint = Optional.ofNullable(o.get(ENDPOINT)).map(v -> endpoint(config, v));
    Optional<String> region = Optional.ofNullable(o.get(REGION));
    if (region.isPresent() && (region.get().isBlank() || !region.get().equals(region.get().strip()))) {
      throw bad(config, REGION, "must be a region name like us-east-1, was \"" + region.get() + "\"");
    }
    boolean pathStyle = bool(config, PATH_STYLE, o.get(PATH_STYLE));
    long revalidate = millis(config, REVALIDATE_MS, o.get(REVALIDATE_MS), DEFAULT_REVALIDATE_MS, 0);
    long timeout = millis(config, REQUEST_TIMEOUT_MS, o.get(REQUEST_TIMEOUT_MS), DEFAULT_REQUEST_TIMEOUT_MS, 1);
    String stagingSync = o.getOrDefault(STAGING_SYNC, "record");
    if (!stagingSync.equals("record") && !stagingSync.equals("copy")) {
      throw bad(config, STAGING_SYNC, "must be \"record\" or \"copy\", was \"" + stagingSync + "\"");
    }
    return new S3Options(bucket, prefix, endpoint, region, pathStyle, revalidate, timeout, stagingSync);
  }

  private static URI endpoint(TierConfig config, String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw bad(config, ENDPOINT, "is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw bad(config, ENDPOINT, "must be an http or https URL, was \"" + value + "\"");
    }
    if (uri.getHost() == null) {
      throw bad(config, ENDPOINT, "names no host, was \"" + value + "\"");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      throw bad(config, ENDPOINT, "must have no user, query or fragment, was \"" + value + "\"");
    }
    return uri;
  }

  private static boolean bool(TierConfig config, String key, String value) {
    if (value == null) {
      return false;
    }
    switch (value) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw bad(config, key, "must be \"true\" or \"false\", was \"" + value + "\"");
    }
  }

  private static long millis(TierConfig config, String key, String value, long dflt, long min) {
    if (value == null) {
      return dflt;
    }
    long v;
    try {
      v = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw bad(config, key, "must be a whole number of milliseconds, was \"" + value + "\"");
    }
    if (v < min) {
      throw bad(config, key, "must be >= " + min + ", was " + v);
    }
    return v;
  }

  private static IllegalArgumentException bad(TierConfig config, String key, String problem) {
    return new IllegalArgumentException("s3 tier \"" + config.name() + "\": option " + key + " " + problem);
  }
}
