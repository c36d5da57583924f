package io.objmapper.spi;

/**
 * Has a type with a space and capitals; registered only by the discovery tests, through a
 * services file of their own.
 */
public final class MalformedTypeTierProvider implements TierProvider {
  @Override
  public String type() {
    return "Not A Type";
  }

  @Override
  public Tier create(TierConfig config) {
    throw new AssertionError("a provider with a malformed type is never asked for a tier");
  }
}
