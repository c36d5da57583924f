package io.objmapper.internal.tier.s3;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProvider;
import io.objmapper.spi.contract.TierContractTest;
import io.objmapper.testing.S3TestServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The s3 tier passes the tier contract kit against a real S3 server (S3Proxy in process, in
 * memory). Each tier the kit opens gets a prefix of its own in one bucket, so it starts empty.
 */
class S3TierContractTest extends TierContractTest {
  private static S3TestServer server;
  private static String bucket;
  private static final AtomicInteger PREFIXES = new AtomicInteger();

  @BeforeAll
  static void startServer() throws Exception {
    server = S3TestServer.inMemory();
    bucket = server.newBucket();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Override
  protected TierProvider provider() {
    return new S3TierProvider();
  }

  @Override
  protected Tier newTier(Path emptyDirectory, Set<TierFlag> flags) throws IOException {
    // The kit's root directory means nothing to an s3 tier: a fresh prefix stands for it.
    TierConfig config = TierConfig.builder()
        .name("contract s3")
        .type("s3")
        .id(3)
        .flags(flags)
        .option(S3Options.BUCKET, bucket)
        .option(S3Options.PREFIX, "kit-" + PREFIXES.incrementAndGet() + "/")
        .option(S3Options.ENDPOINT, server.endpoint().toString())
        .option(S3Options.REGION, S3TestServer.REGION)
        .option(S3Options.PATH_STYLE, "true")
        .option(S3Options.REQUEST_TIMEOUT_MS, "20000")
        .build();
    return provider().create(config);
  }
}
