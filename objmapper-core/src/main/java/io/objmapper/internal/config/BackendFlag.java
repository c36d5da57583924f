package io.objmapper.internal.config;

import java.util.Locale;

/** What a backend (storage tier) is and allows, as listed in a backend's {@code flags}. */
public enum BackendFlag {
  /** Contents are lost on reboot (tmpfs); ephemeral objects may live only here. */
  EPHEMERAL,
  /** Contents survive a reboot; ephemeral objects must never be moved here. */
  PERSISTENT,
  /** Objects may be read (handed out) from this backend. */
  READABLE,
  /** Objects may be created or replaced on this backend. */
  WRITABLE,
  /** Lifecycle may move objects away from this backend. */
  MIGRATION_SRC,
  /** Lifecycle may move objects onto this backend. */
  MIGRATION_DST;

  private final String configName = name().toLowerCase(Locale.ROOT);

  /** The flag as written in the configuration file, such as {@code migration_src}. */
  public String configName() {
    return configName;
  }
}
