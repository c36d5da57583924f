package io.objmapper.internal.tier;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProvider;
import io.objmapper.spi.dir.DirectoryTier;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Tiers of type {@value #TYPE}: the objects are the files below any directory (the
 * configuration's {@code mount_path}). The seed's {@code nvme}, {@code ssd} and {@code hdd}
 * types are aliases: the same tier, told apart only by their perf factor.
 *
 * <pre>{@code
 * Tier nvme = new FsTierProvider().create(TierConfig.builder()
 *     .name("NVMe Hot Tier").type("nvme").root(Path.of("/mnt/objmapper/nvme")).perfFactor(3.0)
 *     .build());
 * }</pre>
 *
 * <ul>
 *   <li>A root is required; it must exist unless option {@code create_root} is {@code true}.
 *   <li>The tier is {@link TierFlag#PERSISTENT} unless the config says {@link
 *       TierFlag#EPHEMERAL} (a directory on tmpfs, say).
 *   <li>Options: {@code create_root} ({@code true}/{@code false}, default {@code false});
 *       {@code file_mode} (octal mode of written files, default {@code 0640}; folders get
 *       {@code 0750}, see {@link DirectoryTier}); any other option is rejected.
 * </ul>
 *
 * <p>Public only because {@link java.util.ServiceLoader} (META-INF/services) needs a public
 * provider class; not API.
 */
public final class FsTierProvider implements TierProvider {
  /** The type this provider is named by. */
  public static final String TYPE = "fs";

  /** The other types it answers to. */
  public static final Set<String> ALIASES = Set.of("nvme", "ssd", "hdd");

  private static final Set<String> OPTIONS = Set.of(LocalTierOptions.CREATE_ROOT, DirectoryTier.FILE_MODE);

  /** For {@link java.util.ServiceLoader}; the provider holds no state. */
  public FsTierProvider() {}

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<String> aliases() {
    return ALIASES;
  }

  @Override
  public Tier create(TierConfig config) throws IOException {
    if (!config.type().equals(TYPE) && !ALIASES.contains(config.type())) {
      throw new IllegalArgumentException("the fs provider does not serve type \"" + config.type() + "\"");
    }
    if (config.root().isEmpty()) {
      throw new IllegalArgumentException(
          config.type() + " tier \"" + config.name() + "\" needs a root (mount_path)");
    }
    LocalTierOptions.checkKnown(config, OPTIONS);
    boolean createRoot = LocalTierOptions.flag(config, LocalTierOptions.CREATE_ROOT, false);
    TierConfig effective = config;
    if (!config.has(TierFlag.EPHEMERAL) && !config.has(TierFlag.PERSISTENT)) {
      Set<TierFlag> flags = EnumSet.of(TierFlag.PERSISTENT);
      flags.addAll(config.flags());
      effective = config.withFlags(flags);
    }
    return LocalTier.open(effective, createRoot, false);
  }
}
