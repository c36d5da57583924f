package io.objmapper.spi;

/**
 * A class listed in this module's test {@code META-INF/services} that does not implement
 * {@link TierProvider}: {@link java.util.ServiceLoader} fails on it, and discovery must go on
 * to the next entry.
 */
public final class NotATierProvider {
  public NotATierProvider() {}
}
