package io.objmapper.spi.dir;

import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.LocalFiles;
import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.StagedWrite;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierAccessException;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tier whose objects are the regular files below a root directory, placed by a {@link
 * DirectoryLayout}. Everything but the layout is here, for the built-in tiers and plugins
 * alike: the safe open ({@link BeneathRoot}), atomic writes ({@link AtomicWrite}), deletes,
 * scans, the counts, and recovery after a crash.
 *
 * <pre>{@code
 * final class MyTier extends DirectoryTier {
 *   MyTier(TierConfig config, Path root) throws IOException {
 *     super(config, root, MyLayout.INSTANCE, false);
 *   }
 * }
 * Tier tier = DirectoryTier.start(new MyTier(config, DirectoryTier.prepareRoot(config, createRoot)));
 * }</pre>
 *
 * <p><b>Safety.</b> Reads, stats, writes and deletes reach only what is below the root
 * without a symbolic link at any segment: a link, FIFO, socket or device where an object
 * would be is no object (stat answers {@code null}, an open {@link NoSuchFileException}, a
 * delete {@code false}); a write through a linked folder fails with {@link
 * java.nio.file.FileAlreadyExistsException} and creates nothing outside. Scans do not follow
 * links and skip everything but regular files.
 *
 * <p><b>Modes.</b> Files are written with option {@value #FILE_MODE} (octal, default {@code
 * 0640}), directories with the same bits plus search ({@code x}) wherever read is granted
 * ({@code 0750} by default); the process umask narrows both further. A copy never gets a
 * wider mode than that, whatever its source had, and a copy made with {@link #write(Tier,
 * String, FileChannel, long, long, Set)} no wider than its source's either.
 *
 * <p><b>Counts.</b> A clean {@link #close()} of a writable persistent tier saves {@link
 * #usedBytes()} and {@link #objectCount()} in {@code .objmapper_counts}; {@link #start} reads
 * and deletes it. Without it (a first open, a crash, a read-only tier) the counts come from
 * the tier's <em>first scan</em>, which also removes the temporary files of writes a crash cut
 * short: the first {@link #scan} call does it while visiting, so an owner that scans at once
 * (to fill an index) walks the tree once, not twice; otherwise the first count, write, delete
 * or staging runs it (and waits for it), so nothing is written before it. {@link #counted()}
 * says whether it is still to come. Writes and deletes of one name are serialized by a striped
 * lock just long enough to read the old size and rename, which keeps the counts right under
 * concurrent overwrites; writes of different names run in parallel. Directories created for
 * objects are never removed, so a concurrent write into one cannot lose it.
 */
public abstract class DirectoryTier implements Tier, LocalFiles {
  private static final Logger log = LoggerFactory.getLogger(DirectoryTier.class);

  /** Option: the mode of written files, in octal ({@code "0640"}). */
  public static final String FILE_MODE = "file_mode";

  /** Files are written {@code rw-r-----} unless option {@value #FILE_MODE} says otherwise. */
  public static final Set<PosixFilePermission> DEFAULT_FILE_MODE = modeOf(0640);

  /** Directories are made {@code rwxr-x---} unless option {@value #FILE_MODE} says otherwise. */
  public static final Set<PosixFilePermission> DEFAULT_DIR_MODE = modeOf(0750);

  /** A scan reports progress after this many objects. */
  public static final int PROGRESS_INTERVAL = 1000;

  private static final long OPEN_LOG_INTERVAL = 1_000_000;
  private static final int LOCK_STRIPES = 64;
  private static final int COPY_BUFFER_BYTES = 64 * 1024;
  private static final String COUNTS_FILE = ObjectNames.RESERVED_PREFIX + "_counts";

  private final TierConfig config;
  private final Path root;
  private final Path indexPath;
  /** {@link #indexPath} relative to the root, '/'-separated, if it is below the root; else null. */
  private final String indexRelative;
  private final DirectoryLayout layout;
  private final BeneathRoot beneath;
  private final boolean removeRootOnClose;
  private final Set<PosixFilePermission> fileMode;
  private final Set<PosixFilePermission> dirMode;
  /** Files made ahead for unsynced writes (staged cache copies). */
  private final SpareFiles spares;
  private final Object[] locks = new Object[LOCK_STRIPES];
  private final AtomicBoolean closed = new AtomicBoolean();
  /** A descriptor open for writing was handed out: the counts may miss what went through it. */
  private volatile boolean writtenBehind;

  /** True once the counts are known: adopted from a clean close, or found by the first scan. */
  private volatile boolean counted;
  /** Held while the first scan runs: writes, deletes and counts wait for it. */
  private final Object firstScanLock = new Object();
  /** The thread running the first scan (its visitor may ask for the counts: they are not final yet). */
  private Thread firstScanner; // guarded by firstScanLock

  private final Object countLock = new Object();
  private long usedBytes;
  private long objectCount;
  private long modifications;
  private int changesInFlight;

  /**
   * A tier on the existing directory {@code root} (see {@link #prepareRoot}); pass it to
   * {@link #start} before use.
   *
   * @param removeRootOnClose the root was made for this tier alone: {@link #close()} removes
   *     it with everything below it
   * @throws IllegalArgumentException if option {@value #FILE_MODE} is not an octal mode
   */
  protected DirectoryTier(TierConfig config, Path root, DirectoryLayout layout, boolean removeRootOnClose)
      throws IOException {
    this.config = Objects.requireNonNull(config, "config");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.beneath = BeneathRoot.open(root);
    this.root = beneath.root();
    this.removeRootOnClose = removeRootOnClose;
    int mode = fileModeOption(config);
    this.fileMode = modeOf(mode);
    this.dirMode = modeOf(mode | ((mode & 0444) >> 2));
    this.spares = new SpareFiles(beneath, fileMode, config.name());
    Path configured = config.root().map(p -> p.toAbsolutePath().normalize()).orElse(this.root);
    this.indexPath = config.indexPath()
        .map(p -> p.toAbsolutePath().normalize())
        .map(p -> p.startsWith(configured) ? this.root.resolve(configured.relativize(p)) : p)
        .orElse(null);
    this.indexRelative = indexPath != null && indexPath.getParent() != null && indexPath.startsWith(this.root)
        && !indexPath.equals(this.root) ? this.root.relativize(indexPath).toString() : null;
    for (int i = 0; i < LOCK_STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /**
   * The tier's root: {@code config}'s root made absolute, created (with its parents) if
   * missing and {@code createRoot}, resolved to its real path (a root that is a symbolic link,
   * to a mount point say, is followed once, here).
   *
   * @throws IllegalArgumentException if the config has no root
   * @throws NoSuchFileException if the root does not exist and {@code createRoot} is false
   * @throws NotDirectoryException if the root is not a directory
   */
  public static Path prepareRoot(TierConfig config, boolean createRoot) throws IOException {
    Path configured = config.root()
        .orElseThrow(() -> new IllegalArgumentException(config.type() + " tier \"" + config.name()
            + "\" needs a root (mount_path)"))
        .toAbsolutePath()
        .normalize();
    if (!Files.isDirectory(configured)) {
      if (Files.exists(configured)) {
        throw new NotDirectoryException(configured.toString());
      }
      if (!createRoot) {
        throw new NoSuchFileException(configured.toString(), null, "root of tier \"" + config.name()
            + "\" does not exist (set option create_root=true to create it)");
      }
      createDirectories(configured);
    }
    return configured.toRealPath();
  }

  /**
   * Creates {@code dir} and its missing parents with {@link #DEFAULT_DIR_MODE} (0750, less
   * what the umask takes), so that another local user cannot list the names a store keeps:
   * the folders a store makes for itself (roots, data and index folders), not the umask's
   * usual 0755.
   */
  public static Path createDirectories(Path dir) throws IOException {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(DEFAULT_DIR_MODE));
    }
    return Files.createDirectories(dir);
  }

  /**
   * Makes {@code tier} ready: adopts the counts a clean close saved; without them the counts
   * come from its first scan (see the class comment), which walks no file now. Closes the
   * tier if that fails.
   *
   * @return {@code tier}
   */
  public static <T extends DirectoryTier> T start(T started) throws IOException {
    DirectoryTier tier = started;
    try {
      if (tier.adoptSavedCounts()) {
        tier.counted = true;
        log.info("tier \"{}\" ({}) at {}: {} objects, {} bytes, as counted at the last clean close",
            tier.name(), tier.config.type(), tier.root, tier.objectCount, tier.usedBytes);
      } else {
        log.debug("tier \"{}\" ({}) at {}: no counts saved; its first scan counts it", tier.name(),
            tier.config.type(), tier.root);
      }
      return started;
    } catch (RuntimeException | Error e) {
      try {
        tier.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The layout this tier places objects by. */
  protected final DirectoryLayout layout() {
    return layout;
  }

  @Override
  public final TierConfig config() {
    return config;
  }

  @Override
  public final Optional<LocalFiles> localFiles() {
    return Optional.of(this);
  }

  @Override
  public final Path root() {
    return root;
  }

  @Override
  public final Path path(String name) {
    String rel = relative(name);
    ensureOpen();
    return root.resolve(rel);
  }

  @Override
  public final ObjectStat stat(String name) throws IOException {
    String rel = relative(name);
    ensureOpen();
    BasicFileAttributes a = beneath.stat(rel);
    return a == null ? null : statOf(a);
  }

  @Override
  public final FileInputStream openRead(String name, ObjectStat expected) throws IOException {
    String rel = relative(name);
    ensureOpen();
    TierAccessException.check(config, TierFlag.READABLE);
    try {
      return beneath.openRead(rel, expected);
    } catch (NoSuchFileException e) {
      throw noSuchObject(name, e);
    }
  }

  @Override
  public final RandomAccessFile openReadWrite(String name) throws IOException {
    String rel = relative(name);
    ensureOpen();
    TierAccessException.check(config, TierFlag.WRITABLE);
    writtenBehind = true; // what is written through it is counted by recount(), or by the next open's scan
    try {
      return beneath.openReadWrite(rel);
    } catch (NoSuchFileException e) {
      throw noSuchObject(name, e);
    }
  }

  /**
   * A write of {@code name} whose bytes another party writes ({@link StagedWrite}): the
   * temporary file is made in the object's directory (created as for a write); its commit
   * renames under the same lock and with the same counts as {@link #write(String, ByteBuffer)}.
   */
  @Override
  public final StagedWrite stage(String name) throws IOException {
    String rel = relative(name);
    ensureOpen();
    TierAccessException.check(config, TierFlag.WRITABLE);
    ensureCounted();
    int slash = rel.lastIndexOf('/');
    BeneathRoot.Directory dir = beneath.directory(slash < 0 ? "" : rel.substring(0, slash), true, dirMode);
    return StagedFile.create(dir, rel.substring(slash + 1), fileMode, (d, fileName, size, rename) -> {
      ensureOpen();
      synchronized (lockFor(name)) {
        BasicFileAttributes old = d.regularFile(fileName);
        beginChange();
        try {
          rename.run();
        } catch (IOException | RuntimeException e) {
          endChange(0, 0);
          throw e;
        }
        endChange(old == null ? 1 : 0, size - (old == null ? 0 : old.size()));
      }
    });
  }

  @Override
  public final ReadWrite openReadWriteDescriptor(String name) throws IOException {
    String rel = relative(name);
    ensureOpen();
    TierAccessException.check(config, TierFlag.WRITABLE);
    try {
      return beneath.openReadWriteDescriptor(rel);
    } catch (NoSuchFileException e) {
      throw noSuchObject(name, e);
    }
  }

  @Override
  public final InputStream openStream(String name) throws IOException {
    return openRead(name, null);
  }

  @Override
  public final ObjectStat write(String name, InputStream source) throws IOException {
    return write(name, source, true);
  }

  /**
   * As {@link #write(String, InputStream)}; without {@code sync} neither the new file nor its
   * directory is synced. For a copy that can be had again (a copy staged from a remote tier):
   * a crash of the process leaves the old version or the whole new one as before, but a crash
   * of the machine may leave the new one torn, so its user must be able to tell (the store
   * records a checksum and verifies it before serving such a copy after a restart).
   */
  public final ObjectStat write(String name, InputStream source, boolean sync) throws IOException {
    Objects.requireNonNull(source, "source");
    return store(name, fileMode, sync, sync ? null : spares, copying(source, -1), null);
  }

  /** A file {@link #writeOpen} wrote, and a read-only stream on it (the caller's to close). */
  public record WrittenFile(ObjectStat stat, FileInputStream reader) {}

  /**
   * As {@link #write(String, InputStream, boolean)} without a sync (a copy that can be had
   * again), and the new file opened for reading: a read-only description no one else holds,
   * position 0, the version written (even if the name is replaced meanwhile). Written into a
   * file made ahead, it comes with a description opened ahead of that file (no open on the
   * caller's way); else it is opened by the rules of {@link #openRead}, and is null if the
   * name no longer holds that version.
   *
   * @param size how many bytes {@code source} is expected to give, or -1 if unknown: it only
   *     sizes the copy's buffer (a small object is not copied through a large one); a source
   *     of another length is copied whole all the same
   */
  public final WrittenFile writeOpen(String name, InputStream source, long size) throws IOException {
    Objects.requireNonNull(source, "source");
    FileInputStream[] reader = new FileInputStream[1];
    ObjectStat s = store(name, fileMode, false, spares, copying(source, size), reader);
    if (reader[0] == null) {
      try {
        reader[0] = openRead(name, s);
      } catch (IOException | RuntimeException notOpened) {
        // Replaced or removed since, or no descriptor left: the write stands, and the caller
        // opens (or looks for) the file itself.
      }
    }
    return new WrittenFile(s, reader[0]);
  }

  /**
   * Copies {@code source} ({@code size} bytes expected, -1 if unknown) through a buffer of
   * {@value #COPY_BUFFER_BYTES} bytes, or of one byte more than a smaller expected size (one
   * read takes it all, the next sees the end); a source that fills such a buffer is longer than
   * said, and the rest goes through a full-size one.
   */
  private static AtomicWrite.Body copying(InputStream source, long size) {
    return target -> {
      byte[] chunk = new byte[size >= 0 && size < COPY_BUFFER_BYTES ? (int) size + 1 : COPY_BUFFER_BYTES];
      ByteBuffer buf = ByteBuffer.wrap(chunk);
      int n;
      while ((n = source.read(chunk)) >= 0) {
        buf.clear().limit(n);
        writeFully(target, buf);
        if (n == chunk.length && chunk.length < COPY_BUFFER_BYTES) {
          chunk = new byte[COPY_BUFFER_BYTES];
          buf = ByteBuffer.wrap(chunk);
        }
      }
    };
  }

  @Override
  public final ObjectStat write(String name, ByteBuffer source) throws IOException {
    Objects.requireNonNull(source, "source");
    return store(name, target -> writeFully(target, source));
  }

  @Override
  public final ObjectStat write(String name, FileChannel source, long position, long count) throws IOException {
    return write(name, source, position, count, null);
  }

  /**
   * Copies {@code count} bytes of {@code source} into object {@code name} on {@code tier}, as
   * {@link Tier#write(String, FileChannel, long, long)} does; on a directory tier the new file's
   * mode is also no wider than {@code sourceMode} (the source file's, from {@link
   * #modeOf(Path)}; {@code null} if unknown).
   */
  public static ObjectStat write(Tier tier, String name, FileChannel source, long position, long count,
      Set<PosixFilePermission> sourceMode) throws IOException {
    return tier instanceof DirectoryTier
        ? ((DirectoryTier) tier).write(name, source, position, count, sourceMode)
        : tier.write(name, source, position, count);
  }

  /** The permissions of {@code file} (not following a link), or {@code null} where there are none to read. */
  public static Set<PosixFilePermission> modeOf(Path file) {
    try {
      return Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  private ObjectStat write(String name, FileChannel source, long position, long count,
      Set<PosixFilePermission> sourceMode) throws IOException {
    return store(name, narrowed(sourceMode), copyBody(source, position, count));
  }

  /** The file mode, no wider than {@code sourceMode} where that is known. */
  private Set<PosixFilePermission> narrowed(Set<PosixFilePermission> sourceMode) {
    if (sourceMode == null) {
      return fileMode;
    }
    Set<PosixFilePermission> narrowed = EnumSet.noneOf(PosixFilePermission.class);
    narrowed.addAll(fileMode);
    narrowed.retainAll(sourceMode);
    return narrowed;
  }

  /** Copies {@code count} bytes of {@code source} from {@code position}, kernel to kernel where it can. */
  private static AtomicWrite.Body copyBody(FileChannel source, long position, long count) {
    Objects.requireNonNull(source, "source");
    if (position < 0) {
      throw new IllegalArgumentException("position < 0");
    }
    if (count < 0) {
      throw new IllegalArgumentException("count < 0");
    }
    return target -> {
      long done = 0;
      while (done < count) {
        long n = source.transferTo(position + done, count - done, target);
        if (n <= 0) {
          // transferTo says 0 both at the source's end and when it cannot help: read to tell.
          n = copyChunk(source, position + done, count - done, target);
          if (n < 0) {
            throw new EOFException("source ended after " + done + " of " + count + " bytes");
          }
        }
        done += n;
      }
    };
  }

  /**
   * Starts a batch of writes that share one sync, for bulk imports: {@link Batch#stage}
   * writes each new file to a temporary file in its object's directory (neither synced nor
   * visible), {@link Batch#sync} makes all of them durable with one {@code syncfs(2)} (an
   * fsync of each where that cannot be had), {@link Batch#publish} renames one over its
   * object and counts it, and {@link Batch#syncDirectories} syncs each directory renamed
   * into, once. Nothing is renamed before it is synced, so a crash at any point leaves each
   * object as it was or whole; temporary files a crash leaves are removed at the next open.
   *
   * <pre>{@code
   * try (DirectoryTier.Batch b = tier.batch()) {
   *   DirectoryTier.Staged s = b.stage("a/b", channel, 0, channel.size(), null);
   *   b.sync();
   *   ObjectStat stat = b.publish(s);
   *   b.syncDirectories(); // durable from here
   * }
   * }</pre>
   *
   * @throws TierAccessException if the tier is not {@link TierFlag#WRITABLE}
   */
  public final Batch batch() throws TierAccessException {
    ensureOpen();
    TierAccessException.check(config, TierFlag.WRITABLE);
    return new Batch();
  }

  /** A write staged in a {@link Batch}: its object's name and the stat it will have. */
  public static final class Staged {
    private final String name;
    private final BeneathRoot.Directory dir;
    private final String fileName;
    private final AtomicWrite write;
    private boolean synced;
    private boolean published;

    private Staged(String name, BeneathRoot.Directory dir, String fileName, AtomicWrite write) {
      this.name = name;
      this.dir = dir;
      this.fileName = fileName;
      this.write = write;
    }

    /** The object's name. */
    public String name() {
      return name;
    }

    /** The stat the object has once published. */
    public ObjectStat stat() {
      return write.stat();
    }
  }

  /** See {@link #batch()}. For one thread at a time; close it in any case. */
  public final class Batch implements java.io.Closeable {
    private final java.util.Map<String, BeneathRoot.Directory> dirs = new java.util.HashMap<>();
    private final java.util.Set<BeneathRoot.Directory> renamedInto =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final java.util.List<Staged> staged = new java.util.ArrayList<>();

    private Batch() {}

    /**
     * Copies {@code count} bytes of {@code source} from {@code position} into a temporary
     * file for object {@code name}, neither synced nor visible; the mode as for {@link
     * DirectoryTier#write(Tier, String, FileChannel, long, long, Set)}.
     *
     * @throws java.io.EOFException if {@code source} ends early; nothing is left then
     */
    public Staged stage(String name, FileChannel source, long position, long count,
        Set<PosixFilePermission> sourceMode) throws IOException {
      AtomicWrite.Body body = copyBody(source, position, count);
      String rel = relative(name);
      ensureOpen();
      ensureCounted();
      int slash = rel.lastIndexOf('/');
      String dirRel = slash < 0 ? "" : rel.substring(0, slash);
      BeneathRoot.Directory dir = dirs.get(dirRel);
      if (dir == null) {
        dir = beneath.directory(dirRel, true, dirMode);
        dirs.put(dirRel, dir);
      }
      String fileName = rel.substring(slash + 1);
      Staged s = new Staged(name, dir, fileName, AtomicWrite.stage(dir, fileName, body, narrowed(sourceMode), false));
      staged.add(s);
      return s;
    }

    /** Makes every file staged so far durable: one {@code syncfs(2)}, or an fsync of each. */
    public void sync() throws IOException {
      boolean any = false;
      for (Staged s : staged) {
        any |= !s.synced;
      }
      if (!any) {
        return;
      }
      if (!beneath.syncFileSystem()) {
        for (Staged s : staged) {
          if (!s.synced && !s.published) {
            try (FileChannel ch = FileChannel.open(s.write.tempPath(), java.nio.file.StandardOpenOption.WRITE)) {
              ch.force(true);
            }
          }
        }
      }
      for (Staged s : staged) {
        s.synced = true;
      }
    }

    /**
     * Renames {@code s} over its object, which readers see from now on, and counts it; durable
     * once {@link #syncDirectories} returns.
     *
     * @throws IllegalStateException if {@code s} was not synced by {@link #sync} yet, or was
     *     published already
     */
    public ObjectStat publish(Staged s) throws IOException {
      ensureOpen();
      if (!s.synced || s.published) {
        throw new IllegalStateException(s.published ? s.name + " is published already"
            : s.name + " is not synced: call sync() before publish()");
      }
      synchronized (lockFor(s.name)) {
        commitCounted(s.dir, s.fileName, s.write);
      }
      s.published = true;
      renamedInto.add(s.dir);
      return s.stat();
    }

    /** Syncs each directory a {@link #publish} renamed into since the last call, once. */
    public void syncDirectories() throws IOException {
      for (BeneathRoot.Directory d : renamedInto) {
        d.sync();
      }
      renamedInto.clear();
    }

    /** Removes the temporary files of writes not published, and releases the directories. */
    @Override
    public void close() throws IOException {
      IOException first = null;
      for (Staged s : staged) {
        try {
          s.write.close();
        } catch (IOException e) {
          first = first == null ? e : first;
        }
      }
      staged.clear();
      for (BeneathRoot.Directory d : dirs.values()) {
        d.close();
      }
      dirs.clear();
      if (first != null) {
        throw first;
      }
    }
  }

  @Override
  public final boolean delete(String name) throws IOException {
    String rel = relative(name);
    ensureOpen();
    TierAccessException.check(config, TierFlag.WRITABLE);
    ensureCounted();
    int slash = rel.lastIndexOf('/');
    BeneathRoot.Directory dir;
    try {
      dir = beneath.directory(slash < 0 ? "" : rel.substring(0, slash), false, null);
    } catch (NoSuchFileException | java.nio.file.FileAlreadyExistsException noDirectory) {
      return false; // no folder, or a file or link where it would be: no such object
    }
    try (BeneathRoot.Directory d = dir) {
      String fileName = rel.substring(slash + 1);
      synchronized (lockFor(name)) {
        BasicFileAttributes old = d.regularFile(fileName);
        if (old == null) {
          return false; // nothing, or not a regular file: never removed through the tier
        }
        beginChange();
        try {
          Files.delete(d.path().resolve(fileName));
        } catch (NoSuchFileException e) {
          endChange(0, 0);
          return false;
        } catch (IOException | RuntimeException e) {
          endChange(0, 0);
          throw e;
        }
        endChange(-1, -old.size());
      }
      d.sync();
      return true;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The tier's first scan (while {@link #counted()} is false) also counts the tier and
   * removes the temporary files of writes a crash cut short; writes, deletes and counts wait
   * for it.
   */
  @Override
  public final long scan(ScanVisitor visitor, ScanProgress progress) throws IOException {
    if (!counted) {
      synchronized (firstScanLock) {
        if (!counted && firstScanner == null) {
          return firstScan(visitor, progress);
        }
      }
    }
    return scan(visitor, progress, false);
  }

  /**
   * True once the counts are known without a walk: adopted from the last clean close, or found
   * by the tier's first scan. While false, the first {@link #scan} (or count, write, delete)
   * walks the tree.
   */
  public final boolean counted() {
    return counted;
  }

  /** The first scan, holding {@link #firstScanLock}: counts the tier and removes leftover temporary files. */
  private long firstScan(ScanVisitor visitor, ScanProgress progress) throws IOException {
    Objects.requireNonNull(progress, "progress");
    long began = System.nanoTime();
    firstScanner = Thread.currentThread();
    try {
      long objects = scan(visitor, (n, bytes) -> {
        progress.progress(n, bytes);
        if (n > 0 && n % OPEN_LOG_INTERVAL == 0) {
          log.info("tier \"{}\": counted {} objects so far", name(), n);
        }
      }, true);
      counted = true;
      log.info("tier \"{}\" ({}) at {}: {} objects, {} bytes, counted by its first scan in {} ms", name(),
          config.type(), root, objects, usedBytesNow(), (System.nanoTime() - began) / 1_000_000);
      return objects;
    } finally {
      firstScanner = null;
    }
  }

  /**
   * Runs the first scan if it is still to come (and waits for one in progress), so that the
   * counts are known before a write, delete or count; nothing for the first scan's own thread.
   */
  private void ensureCounted() throws IOException {
    if (counted) {
      return;
    }
    synchronized (firstScanLock) {
      if (!counted && firstScanner == null) {
        firstScan((name, stat) -> {}, ScanProgress.NONE);
      }
    }
  }

  private void ensureCountedUnchecked() {
    try {
      ensureCounted();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("tier \"" + name() + "\": counting its objects failed: " + e.getMessage(), e);
    }
  }

  private long usedBytesNow() {
    synchronized (countLock) {
      return usedBytes;
    }
  }

  /**
   * Counts object {@code name} at its size now instead of {@code countedBytes}, the size the
   * counts hold for it: for an object written through a descriptor from {@link
   * #openReadWrite}, which the tier does not see. An object gone since counts as removed.
   *
   * @return its size now, or -1 if it is gone
   */
  public final long recount(String name, long countedBytes) throws IOException {
    String rel = relative(name);
    ensureOpen();
    ensureCounted();
    synchronized (lockFor(name)) {
      BasicFileAttributes now = beneath.stat(rel);
      long size = now == null || !now.isRegularFile() ? -1 : now.size();
      beginChange();
      endChange(size < 0 ? -1 : 0, (size < 0 ? 0 : size) - countedBytes);
      return size;
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws java.io.UncheckedIOException if the tier's first scan, run now if it is still to
   *     come, fails
   */
  @Override
  public final long usedBytes() {
    ensureOpen();
    ensureCountedUnchecked();
    synchronized (countLock) {
      return usedBytes;
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws java.io.UncheckedIOException if the tier's first scan, run now if it is still to
   *     come, fails
   */
  @Override
  public final long objectCount() {
    ensureOpen();
    ensureCountedUnchecked();
    synchronized (countLock) {
      return objectCount;
    }
  }

  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      spares.close();
      if (removeRootOnClose) {
        deleteRecursively(root);
      } else if (config.has(TierFlag.PERSISTENT) && config.has(TierFlag.WRITABLE) && !writtenBehind && counted) {
        // A read-only tier is never written, so it is scanned at every open; one that handed
        // out writable descriptors is too, since bytes may have gone through them unseen; one
        // never counted has nothing to save.
        saveCounts();
      }
    } finally {
      beneath.close();
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + name() + " at " + root + "}";
  }

  /**
   * Removes {@code dir} and everything below it, without following symbolic links: a link
   * (also {@code dir} itself, if it is one) is removed, never what it points to. Where the
   * JDK offers a {@link SecureDirectoryStream} (Linux), each folder is held open and its
   * entries are removed relative to it ({@code unlinkat}), so a folder swapped for a link
   * while this runs cannot lead it outside {@code dir}.
   */
  public static void deleteRecursively(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath();
    Path parent = abs.getParent();
    if (parent == null || !Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (DirectoryStream<Path> up = Files.newDirectoryStream(parent, p -> false)) {
      if (up instanceof SecureDirectoryStream<Path> secure) {
        deleteEntry(secure, abs.getFileName());
        return;
      }
    }
    deleteByPath(abs);
  }

  /** Removes the entry {@code name} of the open folder {@code in}: a file or link at once, a folder after its entries. */
  private static void deleteEntry(SecureDirectoryStream<Path> in, Path name) throws IOException {
    BasicFileAttributes a;
    try {
      a = in.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
    } catch (NoSuchFileException gone) {
      return;
    }
    if (a.isDirectory()) {
      SecureDirectoryStream<Path> sub;
      try {
        sub = in.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS); // O_NOFOLLOW: a link swapped in fails here
      } catch (NoSuchFileException gone) {
        return;
      } catch (FileSystemException swapped) {
        in.deleteFile(name); // a link (or file) now where the folder was: removed itself
        return;
      }
      try (sub) {
        for (Path entry : sub) {
          deleteEntry(sub, entry.getFileName());
        }
      }
      try {
        in.deleteDirectory(name);
      } catch (NoSuchFileException gone) {
        // removed meanwhile
      }
      return;
    }
    try {
      in.deleteFile(name);
    } catch (NoSuchFileException gone) {
      // removed meanwhile
    }
  }

  /** {@link #deleteRecursively} by path, where there is no {@link SecureDirectoryStream}: checked, not race-free. */
  private static void deleteByPath(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
        if (exc instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw exc;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        if (exc != null && !(exc instanceof NoSuchFileException)) {
          throw exc;
        }
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** The stat of a file from its attributes (size, mtime, the file system's identity). */
  public static ObjectStat statOf(BasicFileAttributes a) {
    return new ObjectStat(a.size(), a.lastModifiedTime().toMillis(), a.fileKey());
  }

  // ---- writing --------------------------------------------------------------------------

  private ObjectStat store(String name, AtomicWrite.Body body) throws IOException {
    return store(name, fileMode, body);
  }

  private ObjectStat store(String name, Set<PosixFilePermission> mode, AtomicWrite.Body body) throws IOException {
    return store(name, mode, true, null, body, null);
  }

  /**
   * Writes {@code name} atomically; an unsynced write takes its temporary file from {@code
   * spares} if any is ready. With {@code reader}, a read-only description of the new file
   * that came with a spare is left in {@code reader[0]} (the caller's to close).
   */
  private ObjectStat store(String name, Set<PosixFilePermission> mode, boolean sync, SpareFiles spares,
      AtomicWrite.Body body, FileInputStream[] reader) throws IOException {
    String rel = relative(name);
    ensureOpen();
    TierAccessException.check(config, TierFlag.WRITABLE);
    ensureCounted();
    int slash = rel.lastIndexOf('/');
    String fileName = rel.substring(slash + 1);
    SpareFiles.Spare spare = spares == null || sync ? null : spares.take();
    try (BeneathRoot.Directory dir = directoryFor(rel, slash, spare);
         AtomicWrite w = spare != null ? AtomicWrite.stageUnsynced(dir, fileName, body, spare)
             : AtomicWrite.stage(dir, fileName, body, mode, sync)) {
      synchronized (lockFor(name)) {
        commitCounted(dir, fileName, w);
      }
      if (sync) {
        dir.sync();
      }
      if (reader != null) {
        reader[0] = w.takeReader();
      }
      return w.stat();
    }
  }

  /**
   * Commits {@code w} over {@code fileName} in {@code dir} and counts it (one object more
   * unless it replaced one, its bytes less the replaced file's); the caller holds the name's
   * lock. A new name is renamed with {@code RENAME_NOREPLACE}, so only a replacement looks
   * at the old file first.
   */
  private void commitCounted(BeneathRoot.Directory dir, String fileName, AtomicWrite w) throws IOException {
    long objects = 0;
    long bytes = 0;
    beginChange();
    try {
      if (w.commitIfAbsent()) {
        objects = 1;
        bytes = w.stat().size();
      } else {
        long old = dir.regularFileSize(fileName);
        w.commit();
        objects = old < 0 ? 1 : 0;
        bytes = w.stat().size() - Math.max(0, old);
      }
    } finally {
      endChange(objects, bytes);
    }
  }

  /** The files this tier made ahead for unsynced writes. */
  final SpareFiles spares() {
    return spares;
  }

  /** The directory of the object at {@code rel}; a {@code spare} taken for it is removed if that fails. */
  private BeneathRoot.Directory directoryFor(String rel, int slash, SpareFiles.Spare spare) throws IOException {
    try {
      return beneath.directory(slash < 0 ? "" : rel.substring(0, slash), true, dirMode);
    } catch (IOException | RuntimeException e) {
      if (spare != null) {
        spare.closeQuietly();
        Files.deleteIfExists(spare.path());
      }
      throw e;
    }
  }

  private static void writeFully(FileChannel target, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      target.write(buf);
    }
  }

  /** Copies up to one buffer from {@code source} at {@code position}; -1 at its end. */
  private static long copyChunk(FileChannel source, long position, long max, FileChannel target) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(max, COPY_BUFFER_BYTES));
    int n = source.read(buf, position);
    if (n <= 0) {
      return n < 0 || position >= source.size() ? -1 : 0;
    }
    buf.flip();
    writeFully(target, buf);
    return n;
  }

  /**
   * Before a write or delete changes the files: a scan that overlaps the change (from its
   * start to its {@link #endChange}) must not replace the counts, or the change would be
   * counted twice (once by the walk, once by the change's own account).
   */
  private void beginChange() {
    synchronized (countLock) {
      changesInFlight++;
      modifications++;
    }
  }

  private void endChange(long objects, long bytes) {
    synchronized (countLock) {
      changesInFlight--;
      objectCount = Math.max(0, objectCount + objects);
      usedBytes = Math.max(0, usedBytes + bytes);
      modifications++;
    }
  }

  private Object lockFor(String name) {
    return locks[(name.hashCode() & 0x7fffffff) % LOCK_STRIPES];
  }

  // ---- counts ---------------------------------------------------------------------------

  private void saveCounts() {
    long objects;
    long bytes;
    synchronized (countLock) {
      objects = objectCount;
      bytes = usedBytes;
    }
    byte[] text = (objects + " " + bytes + "\n").getBytes(StandardCharsets.US_ASCII);
    try (BeneathRoot.Directory dir = beneath.directory("", false, null)) {
      AtomicWrite.write(dir, COUNTS_FILE, ch -> writeFully(ch, ByteBuffer.wrap(text)), fileMode);
    } catch (IOException e) {
      log.warn("tier \"{}\": could not save its counts ({}); the next open scans", name(), e.toString());
    }
  }

  /** Reads and deletes the counts a clean close left; false if there are none (then scan). */
  private boolean adoptSavedCounts() {
    if (!config.has(TierFlag.PERSISTENT) || !config.has(TierFlag.WRITABLE)) {
      return false;
    }
    try {
      if (beneath.stat(COUNTS_FILE) == null) {
        return false;
      }
      String text;
      try (FileInputStream in = beneath.openRead(COUNTS_FILE, null)) {
        text = new String(in.readNBytes(64), StandardCharsets.US_ASCII);
      }
      Files.delete(beneath.held().resolve(COUNTS_FILE)); // a crash before the next clean close forces a scan
      String[] parts = text.trim().split(" ");
      if (parts.length != 2) {
        return false;
      }
      long objects = Long.parseLong(parts[0]);
      long bytes = Long.parseLong(parts[1]);
      if (objects < 0 || bytes < 0) {
        return false;
      }
      synchronized (countLock) {
        objectCount = objects;
        usedBytes = bytes;
      }
      return true;
    } catch (IOException | RuntimeException e) {
      log.warn("tier \"{}\": unreadable counts file ({}); scanning", name(), e.toString());
      return false;
    }
  }

  // ---- names ----------------------------------------------------------------------------

  private String relative(String name) {
    ObjectNames.validateStorable(name);
    String rel = layout.relativePath(name);
    if (isIndexFile(rel)) {
      throw new InvalidObjectNameException(name, "names the tier's index file");
    }
    if (!isAscii(rel)) { // an ASCII name is a file name in every encoding; others may not be
      try {
        root.resolve(rel);
      } catch (InvalidPathException e) {
        throw new InvalidObjectNameException(name, "cannot be a file name here (file names are "
            + System.getProperty("sun.jnu.encoding") + "): " + e.getReason());
      }
    }
    return rel;
  }

  /** {@link #isIndexFile(Path)} for a path relative to the root, without making a {@code Path} (the read path's check). */
  private boolean isIndexFile(String rel) {
    String idx = indexRelative;
    if (idx == null || !rel.startsWith(idx)) {
      return false;
    }
    int n = idx.length();
    return rel.length() == n || (rel.charAt(n) == '.' && rel.indexOf('/', n) < 0);
  }

  private static boolean isAscii(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /**
   * True for the index file and its companions ({@code F.lock}, {@code F.clean},
   * {@code F.map.N}, ...): files of the tier's own, never objects.
   */
  private boolean isIndexFile(Path path) {
    if (indexPath == null || indexPath.getParent() == null || !path.startsWith(indexPath.getParent())) {
      return false;
    }
    return path.equals(indexPath) || (path.getParent() != null && path.getParent().equals(indexPath.getParent())
        && path.getFileName().toString().startsWith(indexPath.getFileName().toString() + "."));
  }

  private NoSuchFileException noSuchObject(String name, NoSuchFileException cause) {
    NoSuchFileException missing = new NoSuchFileException(name, null, "no such object in tier \"" + name() + "\"");
    missing.initCause(cause);
    return missing;
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("tier \"" + name() + "\" is closed");
    }
  }

  private static int fileModeOption(TierConfig config) {
    String value = config.option(FILE_MODE).orElse(null);
    if (value == null) {
      return 0640;
    }
    try {
      int mode = Integer.parseInt(value, 8);
      if (mode < 0 || mode > 0777) {
        throw new NumberFormatException();
      }
      return mode;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option " + FILE_MODE + " of tier \"" + config.name()
          + "\" must be an octal mode from 0 to 0777, such as 0640, not \"" + value + "\"");
    }
  }

  static Set<PosixFilePermission> modeOf(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
    for (int i = 0; i < 9; i++) {
      if ((mode & (0400 >> i)) != 0) {
        set.add(bits[i]);
      }
    }
    return Set.copyOf(set);
  }

  // ---- scanning -------------------------------------------------------------------------

  /**
   * The scan; with {@code removeTemporaries} (only from {@link #start}, before any write can
   * be in progress) it also deletes the temporary files of writes a crash cut short.
   */
  private long scan(ScanVisitor visitor, ScanProgress progress, boolean removeTemporaries) throws IOException {
    Objects.requireNonNull(visitor, "visitor");
    Objects.requireNonNull(progress, "progress");
    ensureOpen();
    if (!Files.isDirectory(root)) {
      throw new NoSuchFileException(root.toString(), null, "root of tier \"" + name() + "\" is gone");
    }
    long modificationsBefore;
    synchronized (countLock) {
      // A change in flight may or may not be seen by the walk: the counts then stay as they are.
      modificationsBefore = changesInFlight > 0 ? -1 : modifications;
    }
    ScanWalker walker = new ScanWalker(root, layout, name(), p -> p.getFileName().toString()
        .startsWith(ObjectNames.RESERVED_PREFIX) || isIndexFile(p), visitor, progress, removeTemporaries);
    Files.walkFileTree(root, walker); // follows no link: links are visited as themselves
    if (walker.temporariesRemoved > 0) {
      log.info("tier \"{}\": removed {} temporary files of writes cut short", name(), walker.temporariesRemoved);
    }
    progress.progress(walker.objects, walker.bytes);
    synchronized (countLock) {
      if (modifications == modificationsBefore) {
        objectCount = walker.objects;
        usedBytes = walker.bytes;
      }
    }
    if (walker.skipped > 0) {
      log.warn("tier \"{}\": skipped {} files that are no objects of its {} layout (first: {})",
          name(), walker.skipped, layout, walker.firstSkipped);
    }
    return walker.objects;
  }
}
