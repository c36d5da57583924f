package io.objmapper.spi;

import io.objmapper.spi.contract.InMemoryRemoteTierProvider;

/**
 * Claims the type of {@link InMemoryRemoteTierProvider}; registered only by the discovery
 * tests, through a services file of their own.
 */
public final class DuplicateTypeTierProvider implements TierProvider {
  @Override
  public String type() {
    return InMemoryRemoteTierProvider.TYPE;
  }

  @Override
  public Tier create(TierConfig config) {
    throw new AssertionError("a provider whose type is taken is never asked for a tier");
  }
}
