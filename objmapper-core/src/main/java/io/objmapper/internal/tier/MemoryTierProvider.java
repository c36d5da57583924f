package io.objmapper.internal.tier;

import io.objmapper.spi.Tier;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import io.objmapper.spi.TierProvider;
import io.objmapper.spi.dir.DirectoryTier;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Tiers of type {@value #TYPE}: the objects are files in a directory on tmpfs, so they live in
 * memory and are lost on reboot. The tier is {@link TierFlag#EPHEMERAL}: it may hold
 * ephemeral objects, it cannot be persistent, and it never persists an index.
 *
 * <pre>{@code
 * try (Tier memory = new MemoryTierProvider().create(TierConfig.builder().type("memory").build())) {
 *   // objects live in /dev/shm/objmapper-<pid>-<random>, removed on close
 * }
 * }</pre>
 *
 * <ul>
 *   <li>With a root (the configuration's {@code mount_path}) the tier uses that directory and
 *       leaves it in place on close. It must exist unless option {@code create_root} is
 *       {@code true}. The directory is assumed to be in memory; nothing checks it.
 *   <li>Without a root the tier creates a directory of its own, readable by its owner only,
 *       named {@code objmapper-<pid>-<random>} in {@value #DEFAULT_BASE_DIR} (or in option
 *       {@code base_dir}), and removes it with everything in it on close. A process that dies
 *       without closing leaves it behind; the next tier created in the same base folder
 *       removes the folders of processes that are gone ({@link MemoryTierLeftovers}).
 *   <li>Options: {@code create_root} ({@code true}/{@code false}, default {@code false}, only
 *       with a root), {@code base_dir} (only without a root), {@code file_mode} (as for
 *       {@code fs}, see {@link DirectoryTier}); any other option is rejected.
 * </ul>
 *
 * <p>Public only because {@link java.util.ServiceLoader} (META-INF/services) needs a public
 * provider class; not API.
 */
public final class MemoryTierProvider implements TierProvider {
  /** The type this provider is named by. */
  public static final String TYPE = "memory";

  /** Where a tier without a root creates its directory unless option {@code base_dir} says otherwise. */
  public static final String DEFAULT_BASE_DIR = "/dev/shm";

  /** Option: the directory in which a tier without a root creates its own. */
  public static final String BASE_DIR = "base_dir";

  private static final Set<String> OPTIONS = Set.of(LocalTierOptions.CREATE_ROOT, BASE_DIR, DirectoryTier.FILE_MODE);

  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

  /** For {@link java.util.ServiceLoader}; the provider holds no state. */
  public MemoryTierProvider() {}

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Tier create(TierConfig config) throws IOException {
    if (!config.type().equals(TYPE)) {
      throw new IllegalArgumentException("the memory provider does not serve type \"" + config.type() + "\"");
    }
    if (config.has(TierFlag.PERSISTENT)) {
      throw new IllegalArgumentException("memory tier \"" + config.name() + "\" cannot be persistent");
    }
    if (config.persistIndex()) {
      throw new IllegalArgumentException("memory tier \"" + config.name() + "\" never persists an index");
    }
    LocalTierOptions.checkKnown(config, OPTIONS);
    Set<TierFlag> flags = EnumSet.of(TierFlag.EPHEMERAL);
    flags.addAll(config.flags());
    TierConfig effective = config.withFlags(flags);

    if (config.root().isPresent()) {
      if (config.option(BASE_DIR).isPresent()) {
        throw new IllegalArgumentException("memory tier \"" + config.name() + "\" has a root, so "
            + BASE_DIR + " does not apply");
      }
      boolean createRoot = LocalTierOptions.flag(config, LocalTierOptions.CREATE_ROOT, false);
      return LocalTier.open(effective, createRoot, false);
    }
    if (config.option(LocalTierOptions.CREATE_ROOT).isPresent()) {
      throw new IllegalArgumentException("memory tier \"" + config.name() + "\" has no root, so "
          + LocalTierOptions.CREATE_ROOT + " does not apply");
    }
    Path base = Path.of(config.option(BASE_DIR).orElse(DEFAULT_BASE_DIR));
    if (!Files.isDirectory(base)) {
      throw new NoSuchFileException(base.toString(), null, "memory tier \"" + config.name()
          + "\" has no root and cannot create one here: not a directory");
    }
    MemoryTierLeftovers.removeDead(base, MemoryTierLeftovers::alive);
    Path own = createPrivateDirectory(base);
    try {
      return LocalTier.open(effective.withRoot(own), false, true);
    } catch (IOException | RuntimeException | Error e) {
      try {
        DirectoryTier.deleteRecursively(own);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Creates {@code base/objmapper-<pid>-<random>}, rwx for its owner only where POSIX allows. */
  private static Path createPrivateDirectory(Path base) throws IOException {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    long pid = ProcessHandle.current().pid();
    while (true) {
      String unique = Integer.toHexString(ThreadLocalRandom.current().nextInt());
      Path dir = base.resolve("objmapper-" + pid + "-" + unique);
      try {
        return posix
            ? Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY))
            : Files.createDirectory(dir);
      } catch (FileAlreadyExistsException taken) {
        // another tier drew the same name: draw again
      }
    }
  }
}
