package io.objmapper.internal.tier.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierProviders;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How an s3 tier's options are read and how a classpath without the SDK is answered. */
class S3TierProviderTest {
  private static TierConfig.Builder s3() {
    return TierConfig.builder().name("archive").type("s3");
  }

  @Test
  void theProviderIsInstalledUnderTypeS3() {
    assertThat(TierProviders.installed().types()).contains("s3", "fs", "memory");
    assertThat(TierProviders.installed().get("s3")).isInstanceOf(S3TierProvider.class);
  }

  @Test
  void allOptionsAreRead() {
    S3Options o = S3Options.of(s3().option("bucket", "objm").option("prefix", "p/")
        .option("endpoint", "http://127.0.0.1:9000").option("region", "eu-west-1")
        .option("path_style", "true").option("revalidate_ms", "250")
        .option("request_timeout_ms", "3000").option("staging_sync", "copy").build());

    assertThat(o.bucket()).isEqualTo("objm");
    assertThat(o.prefix()).isEqualTo("p/");
    assertThat(o.endpoint()).hasValueSatisfying(u -> assertThat(u.getPort()).isEqualTo(9000));
    assertThat(o.region()).hasValue("eu-west-1");
    assertThat(o.pathStyle()).isTrue();
    assertThat(o.revalidateMillis()).isEqualTo(250);
    assertThat(o.requestTimeoutMillis()).isEqualTo(3000);
    assertThat(o.stagingSync()).isEqualTo("copy");
  }

  @Test
  void onlyTheBucketIsRequired() {
    S3Options o = S3Options.of(s3().option("bucket", "objm").build());

    assertThat(o.prefix()).isEmpty();
    assertThat(o.endpoint()).isEmpty();
    assertThat(o.region()).isEmpty();
    assertThat(o.pathStyle()).isFalse();
    assertThat(o.revalidateMillis()).isEqualTo(S3Options.DEFAULT_REVALIDATE_MS);
    assertThat(o.requestTimeoutMillis()).isEqualTo(S3Options.DEFAULT_REQUEST_TIMEOUT_MS);
    assertThat(o.stagingSync()).isEqualTo("record");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
      "endpoint, 'not a url'",
      "endpoint, ftp://host/",
      "endpoint, http://",
      "endpoint, http://host/?q=1",
      "path_style, yes",
      "revalidate_ms, soon",
      "revalidate_ms, -1",
      "request_timeout_ms, 3s",
      "request_timeout_ms, 0",
      "prefix, /p/",
      "region, ' '",
      "bucket, a/b",
      "colour, blue",
      "staging_sync, always",
  })
  void aBadValueIsAnErrorNamingItsKey(String key, String value) {
    TierConfig.Builder b = s3();
    if (!key.equals("bucket")) {
      b.option("bucket", "objm");
    }
    TierConfig config = b.option(key, value).build();

    assertThatThrownBy(() -> S3Options.of(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("archive")
        .hasMessageContaining(key);
    assertThatThrownBy(() -> new S3TierProvider().create(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(key);
  }

  @Test
  void aMissingBucketIsAnErrorNamingTheKey() {
    assertThatThrownBy(() -> new S3TierProvider().create(s3().build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bucket is required");
  }

  @Test
  void anotherTypeIsRefused() {
    assertThatThrownBy(() -> new S3TierProvider().create(TierConfig.builder().type("fs").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fs");
  }

  @Test
  void withoutTheSdkTheOtherTierTypesStayAndS3SaysWhatIsMissing() throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.replace(File.separatorChar, '/').contains("/software/amazon/awssdk/")) {
        urls.add(Path.of(entry).toUri().toURL());
      }
    }
    try (URLClassLoader noSdk = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
      Class<?> providers = noSdk.loadClass(TierProviders.class.getName());
      Object loaded = providers.getMethod("load", ClassLoader.class).invoke(null, noSdk);
      @SuppressWarnings("unchecked")
      Set<String> types = (Set<String>) providers.getMethod("types").invoke(loaded);

      assertThat(types).contains("fs", "memory", "s3");
      assertThatThrownBy(() -> S3TierProvider.requireSdk(s3().option("bucket", "objm").build(), noSdk))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("software.amazon.awssdk:s3")
          .hasMessageContaining("archive");
    }
  }
}
