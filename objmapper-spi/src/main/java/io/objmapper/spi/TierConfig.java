package io.objmapper.spi;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The immutable description of one tier: one entry of the configuration's {@code "backends"}
 * list. A {@link TierProvider} creates a {@link Tier} from it.
 *
 * <pre>{@code
 * TierConfig nvme = TierConfig.builder()
 *     .name("NVMe Hot Tier")
 *     .type("nvme")
 *     .id(1)
 *     .root(Path.of("/mnt/objmapper/nvme"))
 *     .capacityBytes(1024L << 30)
 *     .perfFactor(3.0)
 *     .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE, TierFlag.MIGRATION_SRC)
 *     .persistIndex(true)
 *     .build();
 * }</pre>
 *
 * <p>Each builder setter may be called once and checks its argument at once; {@link
 * Builder#build()} checks the options against each other. Types are case-insensitive and
 * kept in lowercase. Instances are equal when all their fields are.
 */
public final class TierConfig {
  /** The default {@link #capacityBytes()}: no limit. */
  public static final long UNLIMITED = Long.MAX_VALUE;

  /** File name of the index below the root when {@link #persistIndex()} names no path. */
  public static final String DEFAULT_INDEX_FILE_NAME = ObjectNames.RESERVED_PREFIX + "_index";

  private final String name;
  private final String type;
  private final int id;
  private final Path root;
  private final long capacityBytes;
  private final double perfFactor;
  private final Set<TierFlag> flags;
  private final boolean persistIndex;
  private final Path indexPath;
  private final Map<String, String> options;

  private TierConfig(String name, String type, int id, Path root, long capacityBytes,
      double perfFactor, Set<TierFlag> flags, boolean persistIndex, Path indexPath,
      Map<String, String> options) {
    this.name = name;
    this.type = type;
    this.id = id;
    this.root = root;
    this.capacityBytes = capacityBytes;
    this.perfFactor = perfFactor;
    Set<TierFlag> copy = EnumSet.noneOf(TierFlag.class);
    copy.addAll(flags);
    this.flags = Collections.unmodifiableSet(copy);
    this.persistIndex = persistIndex;
    this.indexPath = indexPath;
    this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
  }

  /** A builder with nothing set. */
  public static Builder builder() {
    return new Builder();
  }

  /** The name shown in logs and errors ({@code "NVMe Hot Tier"}); the type if none was set. */
  public String name() {
    return name;
  }

  /** The provider type, in lowercase ({@code "fs"}, {@code "memory"}, {@code "nvme"}). */
  public String type() {
    return type;
  }

  /** The tier's position among the configured tiers, {@code >= 0}; 0 if none was set. */
  public int id() {
    return id;
  }

  /** The directory holding the tier's objects (the configuration's {@code mount_path}). */
  public Optional<Path> root() {
    return Optional.ofNullable(root);
  }

  /**
   * How many bytes the tier is meant to hold, {@link #UNLIMITED} by default. The engine uses it
   * to place and evict objects; a tier does not refuse writes beyond it.
   */
  public long capacityBytes() {
    return capacityBytes;
  }

  /** Relative cost of reading from the tier (memory 1.0, NVMe 3.0, HDD 80.0); 1.0 by default. */
  public double perfFactor() {
    return perfFactor;
  }

  /** The tier's flags; {@code {READABLE, WRITABLE}} if none were set. Unmodifiable. */
  public Set<TierFlag> flags() {
    return flags;
  }

  /** True if {@link #flags()} holds {@code flag}. */
  public boolean has(TierFlag flag) {
    return flags.contains(flag);
  }

  /** True if the engine keeps this tier's index in a file across restarts. */
  public boolean persistIndex() {
    return persistIndex;
  }

  /**
   * Where the persisted index lives: as set, or {@code root/.objmapper_index} when the index
   * is persisted and no path was set; empty when the index is not persisted. A tier's scan
   * skips it when it lies below the root.
   */
  public Optional<Path> indexPath() {
    return Optional.ofNullable(indexPath);
  }

  /** Provider-specific options, in the order they were set. Unmodifiable. */
  public Map<String, String> options() {
    return options;
  }

  /** The provider-specific option {@code key}, if set. */
  public Optional<String> option(String key) {
    return Optional.ofNullable(options.get(key));
  }

  /**
   * A copy with {@code flags} instead of this config's flags, checked as {@link Builder#build()}
   * checks them. Providers use it to add their default flags.
   */
  public TierConfig withFlags(Collection<TierFlag> flags) {
    Builder b = copy();
    b.flags = null;
    return b.flags(flags).build();
  }

  /**
   * A copy with {@code root} instead of this config's root. Providers use it to record a root
   * they chose themselves.
   */
  public TierConfig withRoot(Path root) {
    Builder b = copy();
    b.root = null;
    return b.root(root).build();
  }

  /** A copy with {@code id} instead of this config's id (the engine numbers tiers by position). */
  public TierConfig withId(int id) {
    Builder b = copy();
    b.idSet = false;
    return b.id(id).build();
  }

  private Builder copy() {
    Builder b = new Builder();
    b.name = name;
    b.type = type;
    b.id = id;
    b.idSet = true;
    b.root = root;
    b.capacityBytes = capacityBytes;
    b.perfFactor = perfFactor;
    b.flags = EnumSet.noneOf(TierFlag.class);
    b.flags.addAll(flags);
    b.persistIndex = persistIndex;
    b.persistIndexSet = true;
    b.indexPath = indexPath;
    b.options.putAll(options);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TierConfig)) {
      return false;
    }
    TierConfig c = (TierConfig) o;
    return id == c.id
        && capacityBytes == c.capacityBytes
        && Double.compare(perfFactor, c.perfFactor) == 0
        && persistIndex == c.persistIndex
        && name.equals(c.name)
        && type.equals(c.type)
        && Objects.equals(root, c.root)
        && flags.equals(c.flags)
        && Objects.equals(indexPath, c.indexPath)
        && options.equals(c.options);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, id, root, capacityBytes, perfFactor, flags, persistIndex,
        indexPath, options);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("TierConfig{name=").append(name)
        .append(", type=").append(type)
        .append(", id=").append(id);
    if (root != null) {
      sb.append(", root=").append(root);
    }
    if (capacityBytes != UNLIMITED) {
      sb.append(", capacityBytes=").append(capacityBytes);
    }
    sb.append(", perfFactor=").append(perfFactor).append(", flags=[");
    String sep = "";
    for (TierFlag flag : flags) {
      sb.append(sep).append(flag.configName());
      sep = ", ";
    }
    sb.append(']');
    if (persistIndex) {
      sb.append(", indexPath=").append(indexPath);
    }
    if (!options.isEmpty()) {
      sb.append(", options=").append(options);
    }
    return sb.append('}').toString();
  }

  /**
   * Builds a {@link TierConfig}. Only {@link #type} is required. Each setter may be called
   * once ({@link IllegalStateException} otherwise) and rejects a bad argument at once
   * ({@link IllegalArgumentException}, {@link NullPointerException}).
   */
  public static final class Builder {
    private String name;
    private String type;
    private int id;
    private boolean idSet;
    private Path root;
    private long capacityBytes = -1;
    private double perfFactor = Double.NaN;
    private Set<TierFlag> flags;
    private boolean persistIndex;
    private boolean persistIndexSet;
    private Path indexPath;
    private final Map<String, String> options = new LinkedHashMap<>();

    private Builder() {}

    /** The name shown in logs, errors and to clients; defaults to the type. No control character, no lone surrogate. */
    public Builder name(String name) {
      requireState(this.name == null, "name", this.name);
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name is blank");
      }
      if (name.chars().anyMatch(Character::isISOControl)
          || !java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(name)) {
        // a tier's name is written in logs, metrics labels and the TIERS TLV (UTF-8, LF-separated)
        throw new IllegalArgumentException("name holds a control character or a lone surrogate");
      }
      this.name = name;
      return this;
    }

    /**
     * The provider type: ASCII letters, digits, {@code '.'}, {@code '_'} and {@code '-'},
     * starting with a letter or digit. Kept in lowercase.
     */
    public Builder type(String type) {
      requireState(this.type == null, "type", this.type);
      Objects.requireNonNull(type, "type");
      if (!isTypeName(type)) {
        throw new IllegalArgumentException("bad type \"" + type + "\"");
      }
      this.type = type.toLowerCase(Locale.ROOT);
      return this;
    }

    /** The tier's position among the configured tiers; 0 by default. */
    public Builder id(int id) {
      requireState(!idSet, "id", this.id);
      if (id < 0) {
        throw new IllegalArgumentException("id < 0");
      }
      this.id = id;
      this.idSet = true;
      return this;
    }

    /** The directory holding the tier's objects; required by directory-based providers. */
    public Builder root(Path root) {
      requireState(this.root == null, "root", this.root);
      this.root = Objects.requireNonNull(root, "root");
      return this;
    }

    /** How many bytes the tier is meant to hold; {@link #UNLIMITED} by default. */
    public Builder capacityBytes(long capacityBytes) {
      requireState(this.capacityBytes == -1, "capacityBytes", this.capacityBytes);
      if (capacityBytes < 0) {
        throw new IllegalArgumentException("capacityBytes < 0");
      }
      this.capacityBytes = capacityBytes;
      return this;
    }

    /** Relative read cost, finite and {@code > 0}; 1.0 by default. */
    public Builder perfFactor(double perfFactor) {
      requireState(Double.isNaN(this.perfFactor), "perfFactor", this.perfFactor);
      if (!Double.isFinite(perfFactor)) {
        throw new IllegalArgumentException("perfFactor is not finite");
      }
      if (perfFactor <= 0) {
        throw new IllegalArgumentException("perfFactor <= 0");
      }
      this.perfFactor = perfFactor;
      return this;
    }

    /** The tier's flags; {@code {READABLE, WRITABLE}} if never set. */
    public Builder flags(TierFlag... flags) {
      return flags(Arrays.asList(Objects.requireNonNull(flags, "flags")));
    }

    /** The tier's flags; {@code {READABLE, WRITABLE}} if never set. */
    public Builder flags(Collection<TierFlag> flags) {
      requireState(this.flags == null, "flags", this.flags);
      Objects.requireNonNull(flags, "flags");
      Set<TierFlag> set = EnumSet.noneOf(TierFlag.class);
      for (TierFlag flag : flags) {
        set.add(Objects.requireNonNull(flag, "flags holds null"));
      }
      this.flags = set;
      return this;
    }

    /** Whether the engine persists the tier's index; false by default. */
    public Builder persistIndex(boolean persistIndex) {
      requireState(!persistIndexSet, "persistIndex", this.persistIndex);
      this.persistIndex = persistIndex;
      this.persistIndexSet = true;
      return this;
    }

    /** Where the persisted index lives; needs {@link #persistIndex persistIndex(true)}. */
    public Builder indexPath(Path indexPath) {
      requireState(this.indexPath == null, "indexPath", this.indexPath);
      this.indexPath = Objects.requireNonNull(indexPath, "indexPath");
      return this;
    }

    /** Sets the provider-specific option {@code key}; each key may be set once. */
    public Builder option(String key, String value) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      if (key.isBlank()) {
        throw new IllegalArgumentException("option key is blank");
      }
      requireState(!options.containsKey(key), "option " + key, options.get(key));
      options.put(key, value);
      return this;
    }

    /** Sets each entry of {@code options} as {@link #option} does. */
    public Builder options(Map<String, String> options) {
      Objects.requireNonNull(options, "options").forEach(this::option);
      return this;
    }

    /**
     * The config. Fills in the defaults and checks the options against each other.
     *
     * @throws IllegalStateException if no type was set, or the options contradict each other:
     *     persistent and ephemeral together, an index path without {@code persistIndex}, a
     *     persisted index on an ephemeral tier or with neither an index path nor a root
     */
    public TierConfig build() {
      if (type == null) {
        throw new IllegalStateException("type is not set");
      }
      Set<TierFlag> flags = this.flags != null
          ? this.flags
          : EnumSet.of(TierFlag.READABLE, TierFlag.WRITABLE);
      if (flags.contains(TierFlag.PERSISTENT) && flags.contains(TierFlag.EPHEMERAL)) {
        throw new IllegalStateException("flags persistent and ephemeral exclude each other");
      }
      if (indexPath != null && !persistIndex) {
        throw new IllegalStateException("indexPath is set but persistIndex is false");
      }
      if (persistIndex && flags.contains(TierFlag.EPHEMERAL)) {
        throw new IllegalStateException("persistIndex on an ephemeral tier");
      }
      Path index = indexPath;
      if (persistIndex && index == null) {
        if (root == null) {
          throw new IllegalStateException("persistIndex needs an indexPath or a root");
        }
        index = root.resolve(DEFAULT_INDEX_FILE_NAME);
      }
      return new TierConfig(
          name != null ? name : type,
          type,
          id,
          root,
          capacityBytes == -1 ? UNLIMITED : capacityBytes,
          Double.isNaN(perfFactor) ? 1.0 : perfFactor,
          flags,
          persistIndex,
          index,
          options);
    }

    private static void requireState(boolean ok, String what, Object current) {
      if (!ok) {
        throw new IllegalStateException(what + " was already set to " + current);
      }
    }
  }

  static boolean isTypeName(String type) {
    if (type.isEmpty() || !isAsciiLetterOrDigit(type.charAt(0))) {
      return false;
    }
    for (int i = 1; i < type.length(); i++) {
      char c = type.charAt(i);
      if (!isAsciiLetterOrDigit(c) && c != '.' && c != '_' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
}
