package io.objmapper.examples.plugin;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProvider;
import io.objmapper.spi.dir.DirectoryTier;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Tiers of type {@value #TYPE}: local tiers that keep each object in a file below a
 * two-level hash-sharded directory tree, the layout large object stores use so that no
 * directory holds more than a few hundred entries:
 *
 * <pre>
 * root/3f/a2/cGhvdG9zL2NhdC5qcGc     object /photos/cat.jpg
 *      |  |  '-- the name without its leading '/', UTF-8, base64url without padding
 *      |  '----- second byte of SHA-256 of the name, in hex
 *      '-------- first byte
 * </pre>
 *
 * <p>Found by {@link java.util.ServiceLoader} through {@code
 * META-INF/services/io.objmapper.spi.TierProvider}; a store configures it like any tier:
 *
 * <pre>{@code
 * ObjMapper store = ObjMapper.builder()
 *     .tier(TierConfig.builder().name("objects").type("sharded").root(dir)
 *         .flags(TierFlag.PERSISTENT, TierFlag.READABLE, TierFlag.WRITABLE).build())
 *     .build();
 * }</pre>
 *
 * <ul>
 *   <li>A root is required; it must exist unless option {@code create_root} is {@code true}.
 *   <li>The tier is {@link TierFlag#PERSISTENT} unless the config says {@link
 *       TierFlag#EPHEMERAL}.
 *   <li>Options: {@code create_root} ({@code true}/{@code false}, default {@code false});
 *       {@code file_mode} (octal, default {@code 0640}, see {@link DirectoryTier}); any other
 *       option is rejected.
 *   <li>Only files at their layout position are objects: files an administrator puts
 *       directly below the root are not seen, and encoded names are case-sensitive, so the
 *       root belongs on a case-sensitive file system.
 *   <li>Unlike the {@code fs} tier, {@code /a} and {@code /a/b} can both be objects: names
 *       are not directories here. A name whose encoding makes a path longer than the file
 *       system allows (PATH_MAX, 4096 bytes on Linux) fails to write with the file system's
 *       error; names up to about 3000 bytes fit below a short root.
 * </ul>
 */
public final class ShardedDirTierProvider implements TierProvider {
  /** The type this provider is named by. */
  public static final String TYPE = "sharded";

  /** Option: {@code "true"} creates a missing root and its parents; {@code "false"} fails. */
  public static final String CREATE_ROOT = "create_root";

  private static final Set<String> OPTIONS = Set.of(CREATE_ROOT, DirectoryTier.FILE_MODE);

  /** For {@link java.util.ServiceLoader}; the provider holds no state and cannot fail. */
  public ShardedDirTierProvider() {}

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Tier create(TierConfig config) throws IOException {
    if (!config.type().equals(TYPE)) {
      throw new IllegalArgumentException(
          "the sharded provider does not serve type \"" + config.type() + "\"");
    }
    config.root().orElseThrow(() -> new IllegalArgumentException(
        "sharded tier \"" + config.name() + "\" needs a root (mount_path)"));
    for (String key : config.options().keySet()) {
      if (!OPTIONS.contains(key)) {
        throw new IllegalArgumentException("unknown option \"" + key + "\" for sharded tier \""
            + config.name() + "\"; known options: " + String.join(", ", new TreeSet<>(OPTIONS)));
      }
    }
    boolean createRoot = createRoot(config);
    TierConfig effective = config;
    if (!config.has(TierFlag.EPHEMERAL) && !config.has(TierFlag.PERSISTENT)) {
      Set<TierFlag> flags = EnumSet.of(TierFlag.PERSISTENT);
      flags.addAll(config.flags());
      effective = config.withFlags(flags);
    }
    // The root is used by its real path: a root that is a symbolic link is followed once, here.
    return DirectoryTier.start(new ShardedDirTier(effective, DirectoryTier.prepareRoot(config, createRoot)));
  }

  private static boolean createRoot(TierConfig config) {
    String value = config.option(CREATE_ROOT).orElse("false");
    if (value.equals("true") || value.equals("false")) {
      return value.equals("true");
    }
    throw new IllegalArgumentException("option " + CREATE_ROOT + " of sharded tier \""
        + config.name() + "\" must be true or false, not \"" + value + "\"");
  }
}
