package io.objmapper.internal.config;

import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One entry of the {@code backends} array: a storage tier rooted at a directory.
 *
 * <p>{@code capacity_gb} is read in decimal gigabytes, 1 GB = {@value #BYTES_PER_GB} bytes,
 * so that {@code 0.01} is exactly 10,000,000 bytes (10 MB); fractions are allowed as long as
 * they come to a whole number of bytes.
 *
 * @param name unique among the backends, shown in logs and statistics; not blank
 * @param type which tier implementation serves it ({@code memory}, {@code nvme}, {@code hdd},
 *     or a plugin's type): lowercase letters, digits, {@code _ . -}; the tier registry, not
 *     the configuration, decides whether the type exists
 * @param mountPath the directory holding the objects; absolute, not {@code /}; {@code null}
 *     only for a type in {@link #TYPES_WITHOUT_MOUNT_PATH} (a bucket holds the objects; a
 *     memory tier without one makes a folder of its own in {@code /dev/shm})
 * @param capacityBytes how much the tier may hold, {@code > 0}; {@code capacity_gb} left out
 *     is {@link io.objmapper.spi.TierConfig#UNLIMITED}
 * @param perfFactor relative access cost (memory 1.0, NVMe 3.0, HDD 80.0), finite and
 *     {@code > 0}; lower is faster
 * @param flags at most one of ephemeral and persistent; migration_src needs readable and
 *     migration_dst needs writable
 * @param persistIndex whether this backend's index is saved to {@code indexPath} (only when
 *     {@code index.enable_persistence} is also true); never for an ephemeral backend, whose
 *     object names must not outlive its objects
 * @param indexPath where the index is saved; {@code null} in the constructor means
 *     {@code mountPath/}{@value #DEFAULT_INDEX_FILE} (without a mount path: no index file,
 *     and {@code persist_index} then needs one)
 * @param options the backend's {@code "options"} object: strings its tier type reads (an
 *     {@code s3} backend's bucket, endpoint, ...); the tier type, not the configuration,
 *     decides which keys it takes. Empty by default, in file order, unmodifiable
 * @param expectedObjects ({@code expected_objects}) objects a new persisted index file is first
 *     sized for, about 120 bytes of disk each, preallocated; it grows past it; {@code 0} (the
 *     key absent) means the store's default (50,000, about 7 MB, or room for the objects the
 *     tier already holds); else {@code > 0}
 */
record BackendConfig(String name, String type, Path mountPath, long capacityBytes,
    double perfFactor, Set<TierFlag> flags, boolean persistIndex, Path indexPath,
    Map<String, String> options, long expectedObjects) {
  /**
   * Types whose {@code mount_path} may be left out: an s3 bucket holds its objects, and a
   * memory tier without one makes a private folder in its base folder ({@code /dev/shm}).
   */
  public static final Set<String> TYPES_WITHOUT_MOUNT_PATH = Set.of("s3", "memory");

  /** Bytes in one {@code capacity_gb} unit: decimal gigabytes. */
  public static final long BYTES_PER_GB = 1_000_000_000L;

  /** File name of the index when {@code index_path} is not given. */
  public static final String DEFAULT_INDEX_FILE = ".objmapper_index";

  /** A tier with every setting at the {@link TierConfig.Builder}'s default. */
  private static final TierConfig TIER_DEFAULTS = TierConfig.builder().type("defaults").build();

  /** Flags of a backend that lists none: the tier builder's, readable and writable. */
  public static final Set<TierFlag> DEFAULT_FLAGS = TIER_DEFAULTS.flags();

  /** Default {@code perf_factor}: the tier builder's, 1.0. */
  public static final double DEFAULT_PERF_FACTOR = TIER_DEFAULTS.perfFactor();

  private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9_.-]*");
  private static final BigDecimal MAX_GB =
      BigDecimal.valueOf(Long.MAX_VALUE).movePointLeft(9);

  /**
   * @throws ConfigException naming the key ({@code name}, {@code flags}, ...) that is missing,
   *     out of range or contradicts another
   */
  BackendConfig {
    if (expectedObjects < 0) {
      throw ConfigException.invalid("expected_objects", "must be > 0, was " + expectedObjects);
    }
    Check.required("name", name);
    if (name.isBlank()) {
      throw ConfigException.invalid("name", "must not be blank");
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw ConfigException.invalid("name", "must not contain control characters, was "
          + Check.quote(name));
    }
    if (!java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(name)) {
      throw ConfigException.invalid("name", "must be Unicode text that UTF-8 can write (no lone surrogate), was "
          + Check.quote(name));
    }
    Check.required("type", type);
    if (!TYPE.matcher(type).matches()) {
      throw ConfigException.invalid("type", "must be lowercase letters, digits, '_', '.' or '-'"
          + " (like memory, nvme, hdd), was " + Check.quote(type));
    }
    if (mountPath != null || !TYPES_WITHOUT_MOUNT_PATH.contains(type)) {
      mountPath = Check.absolute("mount_path", mountPath);
      if (mountPath.getFileName() == null) {
        throw ConfigException.invalid("mount_path", "must not be the file system root");
      }
    }
    if (capacityBytes <= 0) {
      throw ConfigException.invalid("capacity_gb", "must be > 0, was " + capacityBytes + " bytes");
    }
    Check.positive("perf_factor", perfFactor);
    flags = Check.immutable(Check.required("flags", flags), TierFlag.class);
    if (flags.contains(TierFlag.EPHEMERAL) && flags.contains(TierFlag.PERSISTENT)) {
      throw ConfigException.invalid("flags", "a backend cannot be both ephemeral and persistent");
    }
    if (flags.contains(TierFlag.MIGRATION_SRC) && !flags.contains(TierFlag.READABLE)) {
      throw ConfigException.invalid("flags", "migration_src needs readable");
    }
    if (flags.contains(TierFlag.MIGRATION_DST) && !flags.contains(TierFlag.WRITABLE)) {
      throw ConfigException.invalid("flags", "migration_dst needs writable");
    }
    if (persistIndex && flags.contains(TierFlag.EPHEMERAL)) {
      throw ConfigException.invalid("persist_index", "an ephemeral backend must not persist its"
          + " index (object names would outlive the objects)");
    }
    if (indexPath == null && mountPath == null) {
      if (persistIndex) {
        throw ConfigException.invalid("index_path", "is required with persist_index when there"
            + " is no mount_path");
      }
    } else {
      indexPath = indexPath == null
          ? mountPath.resolve(DEFAULT_INDEX_FILE)
          : Check.absolute("index_path", indexPath);
      if (indexPath.getFileName() == null || indexPath.equals(mountPath)) {
        throw ConfigException.invalid("index_path",
            "must name a file, not the mount_path or /, was \"" + indexPath + "\"");
      }
    }
    options = options == null ? Map.of() : checkedOptions(options);
  }

  /** A backend without options whose index is sized by the store's default. */
  BackendConfig(String name, String type, Path mountPath, long capacityBytes,
      double perfFactor, Set<TierFlag> flags, boolean persistIndex, Path indexPath) {
    this(name, type, mountPath, capacityBytes, perfFactor, flags, persistIndex, indexPath, Map.of(), 0);
  }

  private static Map<String, String> checkedOptions(Map<String, String> options) {
    Map<String, String> copy = new LinkedHashMap<>();
    options.forEach((key, value) -> {
      if (key == null || key.isBlank()) {
        throw ConfigException.invalid("options", "has a blank key");
      }
      if (value == null) {
        throw ConfigException.invalid("options." + key, "must be a string, was null");
      }
      copy.put(key, value);
    });
    return Collections.unmodifiableMap(copy);
  }

  /**
   * A backend with the given essentials and defaults for the rest: perf_factor 1.0,
   * readable and writable, index not persisted.
   */
  public static BackendConfig of(String name, String type, Path mountPath, long capacityBytes) {
    return new BackendConfig(name, type, mountPath, capacityBytes, DEFAULT_PERF_FACTOR,
        DEFAULT_FLAGS, false, null);
  }

  /**
   * {@code gigabytes} in bytes, exactly.
   *
   * @throws ConfigException naming {@code key} if the value is not {@code > 0}, does not come
   *     to a whole number of bytes, or does not fit in a {@code long}
   */
  public static long gigabytesToBytes(String key, BigDecimal gigabytes) {
    Check.required(key, gigabytes);
    if (gigabytes.signum() <= 0) {
      throw ConfigException.invalid(key, "must be > 0, was " + gigabytes.toPlainString());
    }
    if (gigabytes.compareTo(MAX_GB) > 0) {
      throw ConfigException.invalid(key, "must be <= " + MAX_GB.toPlainString() + ", was "
          + gigabytes.toPlainString());
    }
    BigDecimal bytes = gigabytes.movePointRight(9);
    if (bytes.stripTrailingZeros().scale() > 0) {
      throw ConfigException.invalid(key, gigabytes.toPlainString()
          + " GB is not a whole number of bytes (1 GB = " + BYTES_PER_GB + " bytes)");
    }
    return bytes.longValueExact();
  }

  /** {@link #capacityBytes} in decimal gigabytes, without trailing zeros. */
  public BigDecimal capacityGb() {
    BigDecimal gb = BigDecimal.valueOf(capacityBytes).movePointLeft(9).stripTrailingZeros();
    return gb.scale() < 0 ? gb.setScale(0) : gb;
  }

  /** True if {@code flag} is among this backend's flags. */
  public boolean has(TierFlag flag) {
    return flags.contains(flag);
  }

  /**
   * The tier this backend describes, at position {@code id}: the one place where the
   * configuration file feeds {@link TierConfig#builder()}, the builder a Java user calls.
   */
  public TierConfig tierConfig(int id) {
    TierConfig.Builder t = TierConfig.builder()
        .name(name)
        .type(type)
        .id(id)
        .capacityBytes(capacityBytes)
        .perfFactor(perfFactor)
        .flags(flags)
        .persistIndex(persistIndex)
        .options(options);
    if (mountPath != null) {
      t.root(mountPath);
    }
    if (persistIndex) {
      // A backend always names an index path (a default one if the file gave none);
      // TierConfig takes one only for a persisted index.
      t.indexPath(indexPath);
    }
    return t.build();
  }

  /**
   * This backend rooted at {@code newMountPath}. An index file inside the old mount path
   * keeps its place relative to the mount ({@code /mnt/nvme/.objmapper_index} moved to
   * {@code /tmp/x/nvme} becomes {@code /tmp/x/nvme/.objmapper_index}); an index file
   * elsewhere moves into the new mount path under its own file name.
   */
  public BackendConfig relocatedTo(Path newMountPath) {
    Path newMount = Check.absolute("mount_path", newMountPath);
    if (mountPath == null) {
      // Nothing of the backend lives below a mount path: only its index file moves, into
      // newMountPath under its own file name.
      return new BackendConfig(name, type, null, capacityBytes, perfFactor, flags, persistIndex,
          indexPath == null ? null : newMount.resolve(indexPath.getFileName()), options, expectedObjects);
    }
    Path newIndex = indexPath.startsWith(mountPath)
        ? newMount.resolve(mountPath.relativize(indexPath))
        : newMount.resolve(indexPath.getFileName());
    return new BackendConfig(name, type, newMount, capacityBytes, perfFactor, flags,
        persistIndex, newIndex, options, expectedObjects);
  }
}
