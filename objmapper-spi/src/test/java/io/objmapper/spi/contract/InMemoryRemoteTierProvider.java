package io.objmapper.spi.contract;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierProvider;

/** Provides {@link InMemoryRemoteTier}s under the type {@value #TYPE}. */
public final class InMemoryRemoteTierProvider implements TierProvider {
  /** The type this provider is found by. */
  public static final String TYPE = "test-remote";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Tier create(TierConfig config) {
    if (!config.type().equals(TYPE)) {
      throw new IllegalArgumentException("not a " + TYPE + " tier: " + config.type());
    }
    return new InMemoryRemoteTier(config);
  }
}
