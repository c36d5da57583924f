package io.objmapper.internal.tier;

import io.objmapper.spi.TierConfig;
import java.util.Set;
import java.util.TreeSet;

/** The provider options of the built-in local tiers, read and checked. */
final class LocalTierOptions {
  /** {@code "true"}: create a missing root and its parents; {@code "false"} (default): fail. */
  static final String CREATE_ROOT = "create_root";

  private LocalTierOptions() {}

  /**
   * Rejects options not in {@code known}, so a misspelt option fails instead of being ignored.
   *
   * @throws IllegalArgumentException naming the first unknown option and listing the known ones
   */
  static void checkKnown(TierConfig config, Set<String> known) {
    for (String key : config.options().keySet()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException("unknown option \"" + key + "\" for " + config.type()
            + " tier \"" + config.name() + "\"; known options: " + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  /**
   * The boolean option {@code key}, or {@code defaultValue} if unset.
   *
   * @throws IllegalArgumentException if it is set to anything but {@code true} or {@code false}
   */
  static boolean flag(TierConfig config, String key, boolean defaultValue) {
    String value = config.option(key).orElse(null);
    if (value == null) {
      return defaultValue;
    }
    if (value.equals("true")) {
      return true;
    }
    if (value.equals("false")) {
      return false;
    }
    throw new IllegalArgumentException("option " + key + " of tier \"" + config.name()
        + "\" must be true or false, not \"" + value + "\"");
  }
}
