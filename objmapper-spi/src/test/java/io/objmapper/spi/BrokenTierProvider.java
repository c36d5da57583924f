package io.objmapper.spi;

/**
 * A provider whose constructor throws, registered in this module's test {@code
 * META-INF/services} ahead of the good ones: discovery must skip it and still find them.
 */
public final class BrokenTierProvider implements TierProvider {
  /** The message of the exception the constructor throws. */
  public static final String FAILURE = "broken on purpose: this provider cannot be constructed";

  public BrokenTierProvider() {
    throw new IllegalStateException(FAILURE);
  }

  @Override
  public String type() {
    return "broken";
  }

  @Override
  public Tier create(TierConfig config) {
    throw new AssertionError("a provider that cannot be constructed cannot create tiers");
  }
}
