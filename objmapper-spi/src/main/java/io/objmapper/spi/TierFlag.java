package io.objmapper.spi;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * What a tier is and what may be done with it. A configuration file spells each flag in
 * lowercase ({@code "persistent"}, {@code "migration_src"}); {@link #parse} reads that spelling.
 *
 * <pre>{@code
 * Set<TierFlag> flags = TierFlag.parseAll(List.of("persistent", "readable", "writable"));
 * }</pre>
 *
 * <p>{@link #PERSISTENT} and {@link #EPHEMERAL} exclude each other;
 * {@link TierConfig.Builder#build()} rejects a configuration holding both.
 */
public enum TierFlag {
  /** Objects survive a restart of the process and of the machine (a disk). */
  PERSISTENT,
  /**
   * Objects are lost on reboot (memory, tmpfs); only such a tier may hold ephemeral objects,
   * and it never persists an index.
   */
  EPHEMERAL,
  /** Objects may be read ({@link Tier#openRead}, {@link Tier#openStream}). */
  READABLE,
  /** Objects may be written and deleted ({@link Tier#write}, {@link Tier#delete}). */
  WRITABLE,
  /** The lifecycle manager may move objects away from this tier. */
  MIGRATION_SRC,
  /** The lifecycle manager may move objects onto this tier. */
  MIGRATION_DST;

  /** The spelling used in configuration files: the constant's name in lowercase. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The flag spelled {@code value} ({@code "migration_dst"}); case is ignored.
   *
   * @throws IllegalArgumentException naming the bad value and listing the known spellings
   */
  public static TierFlag parse(String value) {
    if (value != null) {
      for (TierFlag flag : values()) {
        if (flag.name().equalsIgnoreCase(value)) {
          return flag;
        }
      }
    }
    StringJoiner known = new StringJoiner(", ");
    for (TierFlag flag : values()) {
      known.add(flag.configName());
    }
    String shown = value == null ? "null" : "\"" + value + "\"";
    throw new IllegalArgumentException("unknown tier flag " + shown + "; known flags: " + known);
  }

  /**
   * The flags spelled by {@code values}, as a new mutable set; repeats are harmless.
   *
   * @throws IllegalArgumentException on the first value {@link #parse} rejects
   */
  public static Set<TierFlag> parseAll(Collection<String> values) {
    Set<TierFlag> flags = EnumSet.noneOf(TierFlag.class);
    for (String value : values) {
      flags.add(parse(value));
    }
    return flags;
  }
}
