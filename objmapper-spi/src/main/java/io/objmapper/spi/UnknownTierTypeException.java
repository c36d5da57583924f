package io.objmapper.spi;

import java.util.List;

/**
 * No installed {@link TierProvider} handles the requested type. The message lists the types
 * that are known, so a typo in a configuration file is easy to see:
 * {@code unknown tier type "nvmee"; known types: fs, hdd, memory, nvme, ssd}.
 */
public final class UnknownTierTypeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String type;
  private final List<String> knownTypes;

  /** {@code type} is not among {@code knownTypes}. */
  public UnknownTierTypeException(String type, List<String> knownTypes) {
    super("unknown tier type " + (type == null ? "null" : "\"" + type + "\"") + "; known types: "
        + (knownTypes.isEmpty() ? "none (no TierProvider is installed)" : String.join(", ", knownTypes)));
    this.type = type;
    this.knownTypes = List.copyOf(knownTypes);
  }

  /** The requested type, as given. */
  public String type() {
    return type;
  }

  /** The types that are known, sorted. */
  public List<String> knownTypes() {
    return knownTypes;
  }
}
