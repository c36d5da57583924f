package io.objmapper.internal.tier.s3;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProvider;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Tiers of type {@value #TYPE}: objects in an S3 bucket (see {@link S3Options} for the options).
 * The tier is {@link TierFlag#PERSISTENT} unless the config says otherwise and needs no root.
 *
 * <pre>{@code
 * Tier archive = new S3TierProvider().create(TierConfig.builder()
 *     .name("archive").type("s3").perfFactor(500.0)
 *     .option("bucket", "objm").option("endpoint", "http://127.0.0.1:9000")
 *     .option("path_style", "true")
 *     .build());
 * }</pre>
 *
 * <p>This class uses no SDK class itself, so it always loads; {@link #create} checks that the
 * SDK is present and otherwise fails with a message saying which artifacts are missing.
 */
public final class S3TierProvider implements TierProvider {
  /** The type this provider is named by. */
  public static final String TYPE = "s3";

  static final String SDK_CLASS = "software.amazon.awssdk.services.s3.S3Client";
  static final String HTTP_CLIENT_CLASS = "software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient";

  /** For {@link java.util.ServiceLoader}; the provider holds no state. */
  public S3TierProvider() {}

  @Override
  public String type() {
    return TYPE;
  }

  /**
   * Opens the tier: reads its options, checks that the SDK is present, and counts the
   * objects under the prefix (in the background when the engine persists the tier's index,
   * so a restart does not wait for a LIST of the bucket).
   *
   * @throws IllegalArgumentException naming the option that is missing or malformed
   * @throws IllegalStateException if the AWS SDK is not on the classpath
   * @throws IOException if the first count of the bucket fails
   */
  @Override
  public Tier create(TierConfig config) throws IOException {
    if (!config.type().equals(TYPE)) {
      throw new IllegalArgumentException("the s3 provider does not serve type \"" + config.type() + "\"");
    }
    S3Options options = S3Options.of(config);
    requireSdk(config, S3TierProvider.class.getClassLoader());
    return S3Tier.open(withDefaults(config, options), options);
  }

  /**
   * {@code config} with what the tier runs with filled in: {@link TierFlag#PERSISTENT} unless
   * it says ephemeral, and the defaults of {@value S3Options#REVALIDATE_MS} and {@value
   * S3Options#REQUEST_TIMEOUT_MS} as options (the engine reads {@code revalidate_ms}).
   */
  static TierConfig withDefaults(TierConfig config, S3Options options) {
    Set<TierFlag> flags = EnumSet.noneOf(TierFlag.class);
    flags.addAll(config.flags());
    if (!flags.contains(TierFlag.EPHEMERAL)) {
      flags.add(TierFlag.PERSISTENT);
    }
    TierConfig.Builder b = TierConfig.builder()
        .name(config.name())
        .type(config.type())
        .id(config.id())
        .capacityBytes(config.capacityBytes())
        .perfFactor(config.perfFactor())
        .flags(flags)
        .persistIndex(config.persistIndex())
        .options(config.options());
    config.root().ifPresent(b::root);
    config.indexPath().ifPresent(b::indexPath);
    if (config.option(S3Options.REVALIDATE_MS).isEmpty()) {
      b.option(S3Options.REVALIDATE_MS, Long.toString(options.revalidateMillis()));
    }
    if (config.option(S3Options.REQUEST_TIMEOUT_MS).isEmpty()) {
      b.option(S3Options.REQUEST_TIMEOUT_MS, Long.toString(options.requestTimeoutMillis()));
    }
    return b.build();
  }

  /** Throws unless the SDK classes the tier uses are visible to {@code loader}. */
  static void requireSdk(TierConfig config, ClassLoader loader) {
    for (String name : new String[] {SDK_CLASS, HTTP_CLIENT_CLASS}) {
      try {
        Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException("s3 tier \"" + config.name() + "\" needs the AWS SDK for Java v2"
            + " on the classpath (software.amazon.awssdk:s3 and software.amazon.awssdk:url-connection-client):"
            + " " + name + " is missing", e);
      }
    }
  }
}
