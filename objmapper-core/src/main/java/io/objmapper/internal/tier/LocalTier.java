package io.objmapper.internal.tier;

import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.ObjectStat;
import io.objmapper.spi.Tier;
import io.objmapper.spi.TierAccessException;
import io.objmapper.spi.TierConfig;
import io.objmapper.spi.TierFlag;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tier whose objects are the regular files below a root directory: object {@code /a/b} is
 * file {@code root/a/b}. The fs and memory providers both open this class, with different
 * defaults.
 *
 * <p>A write goes to a temporary file {@code .objmapper-tmp-<random>} in the target's
 * directory, is synced, renamed over the target and the directory synced, so readers see
 * either version whole and an open descriptor keeps the version it opened. Directories
 * created for nested names are synced into their parents; they are not removed when their
 * last object is deleted, so a concurrent write into them cannot lose its directory.
 *
 * <p>Writes and deletes of one name are serialized by a striped lock just long enough to
 * read the old size and rename, which keeps {@link #usedBytes()} and {@link #objectCount()}
 * right under concurrent overwrites; writes of different names run in parallel.
 *
 * <p>The scan does not descend into symbolic links to directories; a symbolic link to a
 * regular file is reported with the target's attributes, as {@link #stat} reports it.
 */
final class LocalTier implements Tier {
  private static final Logger log = LoggerFactory.getLogger(LocalTier.class);

  /** File name prefix of a write in progress. */
  static final String TEMP_PREFIX = ObjectNames.RESERVED_PREFIX + "-tmp-";

  /** A scan reports progress after this many objects. */
  static final int PROGRESS_INTERVAL = 1000;

  /** The scan at open logs its progress after this many objects. */
  private static final long OPEN_LOG_INTERVAL = 1_000_000;

  private static final int LOCK_STRIPES = 64;
  private static final int COPY_BUFFER_BYTES = 64 * 1024;

  private final TierConfig config;
  private final Path root;
  private final Path indexPath;
  private final boolean removeRootOnClose;
  private final Object[] locks = new Object[LOCK_STRIPES];
  private final AtomicBoolean closed = new AtomicBoolean();

  private final Object countLock = new Object();
  private long usedBytes;
  private long objectCount;
  private long modifications;
  private int changesInFlight;

  private LocalTier(TierConfig config, Path root, Path indexPath, boolean removeRootOnClose) {
    this.config = config;
    this.root = root;
    this.indexPath = indexPath;
    this.removeRootOnClose = removeRootOnClose;
    for (int i = 0; i < LOCK_STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /**
   * Opens the tier on {@code config}'s root and scans it for the counts. The root is used by
   * its real path, so a root that is a symbolic link (to a mount point, say) is followed once,
   * here; {@link #path} answers below the real path.
   *
   * @param createRoot create the root (and its parents) if it does not exist
   * @param removeRootOnClose the root was made for this tier alone: remove it with
   *     everything below it on {@link #close()}, and on a failed open
   * @throws NoSuchFileException if the root does not exist and {@code createRoot} is false
   * @throws NotDirectoryException if the root is not a directory
   */
  static LocalTier open(TierConfig config, boolean createRoot, boolean removeRootOnClose)
      throws IOException {
    Path configured = config.root()
        .orElseThrow(() -> new IllegalArgumentException("tier \"" + config.name() + "\" has no root"))
        .toAbsolutePath()
        .normalize();
    if (!Files.isDirectory(configured)) {
      if (Files.exists(configured)) {
        throw new NotDirectoryException(configured.toString());
      }
      if (!createRoot) {
        throw new NoSuchFileException(configured.toString(), null, "root of tier \"" + config.name()
            + "\" does not exist (set option " + LocalTierOptions.CREATE_ROOT + "=true to create it)");
      }
      Files.createDirectories(configured);
    }
    Path root = configured.toRealPath();
    Path indexPath = config.indexPath()
        .map(p -> p.toAbsolutePath().normalize())
        .map(p -> p.startsWith(configured) ? root.resolve(configured.relativize(p)) : p)
        .orElse(null);
    LocalTier tier = new LocalTier(config, root, indexPath, removeRootOnClose);
    try {
      if (tier.adoptSavedCounts()) {
        log.info("tier \"{}\" ({}) at {}: {} objects, {} bytes, as counted at the last clean close",
            config.name(), config.type(), root, tier.objectCount, tier.usedBytes);
        return tier;
      }
      long started = System.nanoTime();
      // No clean close last time: writes a crash cut short may have left temporary files.
      long objects = tier.scan((name, stat) -> {}, (n, bytes) -> {
        if (n > 0 && n % OPEN_LOG_INTERVAL == 0) {
          log.info("tier \"{}\": scanned {} objects so far", config.name(), n);
        }
      }, true);
      log.info("tier \"{}\" ({}) at {}: {} objects, {} bytes, scanned in {} ms", config.name(),
          config.type(), root, objects, tier.usedBytes(), (System.nanoTime() - started) / 1_000_000);
      return tier;
    } catch (IOException | RuntimeException | Error e) {
      try {
        tier.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  @Override
  public TierConfig config() {
    return config;
  }

  @Override
  public boolean isLocal() {
    return true;
  }

  @Override
  public Path path(String name) {
    Path file = file(name);
    ensureOpen();
    return file;
  }

  @Override
  public ObjectStat stat(String name) throws IOException {
    Path file = file(name);
    ensureOpen();
    BasicFileAttributes a = objectAttributes(file);
    return a == null ? null : statOf(a);
  }

  @Override
  public FileChannel openRead(String name) throws IOException {
    return openFile(name).getChannel();
  }

  @Override
  public InputStream openStream(String name) throws IOException {
    return openFile(name);
  }

  @Override
  public ObjectStat write(String name, InputStream source) throws IOException {
    Objects.requireNonNull(source, "source");
    return store(name, target -> {
      byte[] chunk = new byte[COPY_BUFFER_BYTES];
      ByteBuffer buf = ByteBuffer.wrap(chunk);
      int n;
      while ((n = source.read(chunk)) >= 0) {
        buf.clear().limit(n);
        writeFully(target, buf);
      }
    });
  }

  @Override
  public ObjectStat write(String name, ByteBuffer source) throws IOException {
    Objects.requireNonNull(source, "source");
    return store(name, target -> writeFully(target, source));
  }

  @Override
  public ObjectStat write(String name, FileChannel source, long position, long count)
      throws IOException {
    Objects.requireNonNull(source, "source");
    if (position < 0) {
      throw new IllegalArgumentException("position < 0");
    }
    if (count < 0) {
      throw new IllegalArgumentException("count < 0");
    }
    return store(name, target -> {
      long done = 0;
      while (done < count) {
        long n = source.transferTo(position + done, count - done, target);
        if (n <= 0) {
          n = copyChunk(source, position + done, count - done, target);
          if (n < 0) {
            throw new EOFException("source ended after " + done + " of " + count + " bytes");
          }
        }
        done += n;
      }
    });
  }

  @Override
  public boolean delete(String name) throws IOException {
    Path file = file(name);
    ensureOpen();
    TierAccessException.check(config, TierFlag.WRITABLE);
    synchronized (lockFor(name)) {
      BasicFileAttributes old = objectAttributes(file);
      if (old == null) {
        return false;
      }
      beginChange();
      try {
        Files.delete(file);
      } catch (NoSuchFileException e) {
        endChange(0, 0);
        return false;
      } catch (IOException | RuntimeException e) {
        endChange(0, 0);
        throw e;
      }
      endChange(-1, -old.size());
    }
    syncDirectory(file.getParent());
    return true;
  }

  @Override
  public long scan(ScanVisitor visitor, ScanProgress progress) throws IOException {
    return scan(visitor, progress, false);
  }

  /**
   * The scan; with {@code removeTemporaries} (only while the tier opens, before any write
   * can be in progress) it also deletes the temporary files of writes a crash cut short.
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
    Walker walker = new Walker(visitor, progress, removeTemporaries);
    Files.walkFileTree(root, walker);
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
      log.warn("tier \"{}\": skipped {} files whose names are not valid object names (first: {})",
          name(), walker.skipped, walker.firstSkipped);
    }
    return walker.objects;
  }

  @Override
  public long usedBytes() {
    ensureOpen();
    synchronized (countLock) {
      return usedBytes;
    }
  }

  @Override
  public long objectCount() {
    ensureOpen();
    synchronized (countLock) {
      return objectCount;
    }
  }

  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (removeRootOnClose) {
      deleteRecursively(root);
    } else if (config().has(TierFlag.PERSISTENT) && config().has(TierFlag.WRITABLE)) {
      saveCounts(); // a read-only tier is never written, so it is scanned at every open
    }
  }

  /**
   * The counts file: written by a clean {@link #close()} of a writable persistent tier, read and
   * deleted by the next open, which then needs no scan. A tier that did not close cleanly
   * has none, and is scanned. Changes made behind the tier's back while it was closed are
   * seen by the next {@link #scan}, as always.
   */
  private Path countsFile() {
    return root.resolve(ObjectNames.RESERVED_PREFIX + "_counts");
  }

  private void saveCounts() {
    long objects;
    long bytes;
    synchronized (countLock) {
      objects = objectCount;
      bytes = usedBytes;
    }
    Path file = countsFile();
    Path tmp = root.resolve(ObjectNames.RESERVED_PREFIX + "_counts.tmp");
    try {
      Files.writeString(tmp, objects + " " + bytes + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      log.warn("tier \"{}\": could not save its counts ({}); the next open scans", name(), e.toString());
    }
  }

  /** Reads and deletes the counts a clean close left; false if there are none (then scan). */
  private boolean adoptSavedCounts() {
    Path file = countsFile();
    if (!config().has(TierFlag.PERSISTENT) || !config().has(TierFlag.WRITABLE) || !Files.exists(file)) {
      return false;
    }
    try {
      String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
      Files.delete(file); // a crash before the next clean close forces a scan
      long objects = Long.parseLong(parts[0]);
      long bytes = Long.parseLong(parts[1]);
      if (parts.length != 2 || objects < 0 || bytes < 0) {
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

  @Override
  public String toString() {
    return "LocalTier{" + name() + " at " + root + "}";
  }

  /** Removes {@code dir} and everything below it, without following symbolic links. */
  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
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

  // ---- writing --------------------------------------------------------------------------

  @FunctionalInterface
  private interface Body {
    void writeTo(FileChannel target) throws IOException;
  }

  private ObjectStat store(String name, Body body) throws IOException {
    Path target = file(name);
    ensureOpen();
    TierAccessException.check(config, TierFlag.WRITABLE);
    Path dir = target.getParent();
    ensureDirectory(dir);
    Path temp = null;
    boolean renamed = false;
    try {
      FileChannel channel = null;
      while (channel == null) {
        temp = dir.resolve(TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
          channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException taken) {
          temp = null;
        }
      }
      try (FileChannel ch = channel) {
        body.writeTo(ch);
        ch.force(true);
      }
      ObjectStat stat = statOf(Files.readAttributes(temp, BasicFileAttributes.class));
      synchronized (lockFor(name)) {
        BasicFileAttributes old = objectAttributes(target);
        beginChange();
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
          endChange(0, 0);
          throw e;
        }
        renamed = true;
        endChange(old == null ? 1 : 0, stat.size() - (old == null ? 0 : old.size()));
      }
      syncDirectory(dir);
      return stat;
    } catch (Throwable t) {
      if (temp != null && !renamed) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException | RuntimeException suppressed) {
          t.addSuppressed(suppressed);
        }
      }
      throw t;
    }
  }

  /** Creates the missing directories from the root down to {@code dir}, each synced into its parent. */
  private void ensureDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Deque<Path> missing = new ArrayDeque<>();
    for (Path d = dir; !d.equals(root) && !Files.isDirectory(d); d = d.getParent()) {
      missing.push(d);
    }
    while (!missing.isEmpty()) {
      Path d = missing.pop();
      try {
        Files.createDirectory(d);
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(d)) {
          throw new FileAlreadyExistsException(d.toString(), null,
              "an object is where tier \"" + name() + "\" needs a directory");
        }
      }
      syncDirectory(d.getParent());
    }
  }

  private static void writeFully(FileChannel target, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      target.write(buf);
    }
  }

  /** Copies up to one buffer from {@code source} at {@code position}; -1 at its end. */
  private static long copyChunk(FileChannel source, long position, long max, FileChannel target)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(max, COPY_BUFFER_BYTES));
    int n = source.read(buf, position);
    if (n <= 0) {
      return n < 0 || position >= source.size() ? -1 : 0;
    }
    buf.flip();
    writeFully(target, buf);
    return n;
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
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

  /** After the change: accounts it. */
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

  // ---- reading --------------------------------------------------------------------------

  private FileInputStream openFile(String name) throws IOException {
    Path file = file(name);
    ensureOpen();
    TierAccessException.check(config, TierFlag.READABLE);
    try {
      // Opens and checks for a directory in one go: a FileChannel would open a directory.
      return new FileInputStream(file.toFile());
    } catch (FileNotFoundException e) {
      if (objectAttributes(file) == null) {
        NoSuchFileException missing =
            new NoSuchFileException(name, null, "no such object in tier \"" + name() + "\"");
        missing.initCause(e);
        throw missing;
      }
      throw e;
    }
  }

  /**
   * The attributes of the object's file, following a symbolic link, or {@code null} if there
   * is no object: no file, a directory, or a file where a parent directory should be.
   */
  private BasicFileAttributes objectAttributes(Path file) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return a.isRegularFile() ? a : null;
    } catch (NoSuchFileException e) {
      return null;
    } catch (FileSystemException e) {
      if (!(e instanceof AccessDeniedException) && belowAFile(file)) {
        return null;
      }
      throw e;
    }
  }

  /** True if a parent of {@code file} below the root is not a directory. */
  private boolean belowAFile(Path file) {
    for (Path p = file.getParent(); p != null && !p.equals(root); p = p.getParent()) {
      if (Files.exists(p) && !Files.isDirectory(p)) {
        return true;
      }
    }
    return false;
  }

  private static ObjectStat statOf(BasicFileAttributes a) {
    return new ObjectStat(a.size(), a.lastModifiedTime().toMillis(), a.fileKey());
  }

  /**
   * True for the index file and its companions ({@code F.lock}, {@code F.clean},
   * {@code F.map.N}, ...): files of the tier's own, never objects.
   */
  private boolean isIndexFile(Path path) {
    if (indexPath == null || !path.startsWith(indexPath.getParent() == null ? path : indexPath.getParent())) {
      return false;
    }
    return path.equals(indexPath) || (path.getParent() != null && path.getParent().equals(indexPath.getParent())
        && path.getFileName().toString().startsWith(indexPath.getFileName().toString() + "."));
  }

  private Path file(String name) {
    ObjectNames.validateStorable(name);
    try {
      Path p = ObjectNames.resolve(root, name);
      if (isIndexFile(p)) {
        throw new InvalidObjectNameException(name, "names the tier's index file");
      }
      return p;
    } catch (InvalidPathException e) {
      throw new InvalidObjectNameException(name, "cannot be a file name here (file names are "
          + System.getProperty("sun.jnu.encoding") + "): " + e.getReason());
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("tier \"" + name() + "\" is closed");
    }
  }

  // ---- scanning -------------------------------------------------------------------------

  private final class Walker extends SimpleFileVisitor<Path> {
    private final ScanVisitor visitor;
    private final ScanProgress progress;
    long objects;
    long bytes;
    long skipped;
    Path firstSkipped;

    private final boolean removeTemporaries;
    long temporariesRemoved;

    Walker(ScanVisitor visitor, ScanProgress progress, boolean removeTemporaries) {
      this.visitor = visitor;
      this.progress = progress;
      this.removeTemporaries = removeTemporaries;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
      if (dir.equals(root)) {
        return FileVisitResult.CONTINUE;
      }
      return isTiersOwn(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
      if (isTiersOwn(file)) {
        if (removeTemporaries && file.getFileName().toString().startsWith(TEMP_PREFIX)
            && Files.deleteIfExists(file)) {
          temporariesRemoved++;
        }
        return FileVisitResult.CONTINUE;
      }
      BasicFileAttributes a = attrs;
      if (a.isSymbolicLink()) {
        try {
          a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException dangling) {
          return FileVisitResult.CONTINUE;
        }
      }
      if (!a.isRegularFile()) {
        return FileVisitResult.CONTINUE;
      }
      String name = ObjectNames.nameOf(root, file);
      if (!ObjectNames.isValid(name)) {
        if (skipped++ == 0) {
          firstSkipped = file;
        }
        log.debug("tier \"{}\": skipping {}: not a valid object name", name(), file);
        return FileVisitResult.CONTINUE;
      }
      visitor.visit(name, statOf(a));
      objects++;
      bytes += a.size();
      if (objects % PROGRESS_INTERVAL == 0) {
        progress.progress(objects, bytes);
      }
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
    public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
      if (exc != null && !(exc instanceof NoSuchFileException)) {
        throw exc;
      }
      return FileVisitResult.CONTINUE;
    }

    private boolean isTiersOwn(Path path) {
      return path.getFileName().toString().startsWith(ObjectNames.RESERVED_PREFIX) || isIndexFile(path);
    }
  }
}
