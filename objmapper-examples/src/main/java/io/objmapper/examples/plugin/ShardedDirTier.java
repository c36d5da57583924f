package io.objmapper.examples.plugin;

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
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

/**
 * A local tier that keeps each object in a file at its {@link ShardedLayout} position below
 * the root, so no directory grows past a few hundred entries however many objects there are.
 *
 * <p>A write goes to a temporary file {@code .objmapper-tmp-<random>} in the target's
 * directory; it is synced, renamed over the target, and the directory synced. Readers see
 * either version whole, and an open descriptor keeps reading the version it opened. If the
 * write fails, the temporary file is removed and the old object stays. Shard directories are
 * created on first use (each synced into its parent) and never removed, so a concurrent write
 * into one cannot lose it.
 *
 * <p>Writes and deletes of one name are serialized by a striped lock just long enough to read
 * the old size and rename, which keeps {@link #usedBytes()} and {@link #objectCount()} right
 * under concurrent overwrites; writes of different names run in parallel.
 */
final class ShardedDirTier implements Tier {
  private static final System.Logger LOG = System.getLogger(ShardedDirTier.class.getName());

  /** File name prefix of a write in progress. */
  static final String TEMP_PREFIX = ObjectNames.RESERVED_PREFIX + "-tmp-";

  /** A scan reports progress after this many objects. */
  static final int PROGRESS_INTERVAL = 1000;

  private static final int LOCK_STRIPES = 64;
  private static final int COPY_BUFFER_BYTES = 64 * 1024;

  private final TierConfig config;
  private final Path root;
  private final Path indexPath;
  private final Object[] locks = new Object[LOCK_STRIPES];
  private final AtomicBoolean closed = new AtomicBoolean();

  private final Object countLock = new Object();
  private long usedBytes;
  private long objectCount;
  private long modifications;

  /**
   * A tier on the existing directory {@code root} (a real path); call {@link #scan} once
   * before use to set the counts.
   */
  ShardedDirTier(TierConfig config, Path root, Path indexPath) {
    this.config = config;
    this.root = root;
    this.indexPath = indexPath;
    for (int i = 0; i < LOCK_STRIPES; i++) {
      locks[i] = new Object();
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
    // The channel of a FileInputStream is read-only, and closing it closes the stream.
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
          // transferTo says 0 both at the source's end and when it cannot help: read to tell.
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
      try {
        Files.delete(file);
      } catch (NoSuchFileException e) {
        return false;
      }
      account(-1, -old.size());
    }
    syncDirectory(file.getParent());
    return true;
  }

  @Override
  public long scan(ScanVisitor visitor, ScanProgress progress) throws IOException {
    Objects.requireNonNull(visitor, "visitor");
    Objects.requireNonNull(progress, "progress");
    ensureOpen();
    if (!Files.isDirectory(root)) {
      throw new NoSuchFileException(root.toString(), null,
          "root of tier \"" + name() + "\" is gone");
    }
    long modificationsBefore;
    synchronized (countLock) {
      modificationsBefore = modifications;
    }
    Walker walker = new Walker(visitor, progress);
    Files.walkFileTree(root, walker);
    progress.progress(walker.objects, walker.bytes);
    synchronized (countLock) {
      if (modifications == modificationsBefore) {
        objectCount = walker.objects;
        usedBytes = walker.bytes;
      }
    }
    if (walker.foreign > 0) {
      LOG.log(Level.WARNING, "tier \"{0}\": skipped {1} files in shard directories that are not"
          + " objects of this layout (first: {2})", name(), walker.foreign, walker.firstForeign);
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

  /** Marks the tier closed; the files stay where they are. Idempotent. */
  @Override
  public void close() {
    closed.set(true);
  }

  @Override
  public String toString() {
    return "ShardedDirTier{" + name() + " at " + root + "}";
  }

  // ---- writing --------------------------------------------------------------------------

  /** Writes an object's bytes to the temporary file. */
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
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        renamed = true;
        account(old == null ? 1 : 0, stat.size() - (old == null ? 0 : old.size()));
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

  /** Creates the missing directories down to {@code dir}, each synced into its parent. */
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
              "a file is where tier \"" + name() + "\" needs a shard directory");
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
    if (n < 0) {
      return -1;
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

  private void account(long objects, long bytes) {
    synchronized (countLock) {
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
      // Opens and rejects a directory in one call, where a FileChannel would open it.
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
   * is no object: no file, a directory, or a file where a shard directory should be.
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

  /** True if a directory on the way from the root to {@code file} is not a directory. */
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

  /** Validates {@code name} before anything else, then places it in the layout. */
  private Path file(String name) {
    ObjectNames.validateStorable(name);
    return root.resolve(ShardedLayout.relativePath(name));
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("tier \"" + name() + "\" is closed");
    }
  }

  // ---- scanning -------------------------------------------------------------------------

  /**
   * Walks the shard directories only: anything else below the root (the tier's own files, an
   * index, files an administrator left there) is not an object of this tier.
   */
  private final class Walker extends SimpleFileVisitor<Path> {
    private final ScanVisitor visitor;
    private final ScanProgress progress;
    long objects;
    long bytes;
    long foreign;
    Path firstForeign;

    Walker(ScanVisitor visitor, ScanProgress progress) {
      this.visitor = visitor;
      this.progress = progress;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
      if (dir.equals(root)) {
        return FileVisitResult.CONTINUE;
      }
      if (isTiersOwn(dir)) {
        return FileVisitResult.SKIP_SUBTREE;
      }
      Path relative = root.relativize(dir);
      String segment = dir.getFileName().toString();
      boolean inLayout = relative.getNameCount() <= ShardedLayout.SHARD_LEVELS
          ? ShardedLayout.isShard(segment)
          : ShardedLayout.isChunkDirectory(segment);
      return inLayout ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
      Path relative = root.relativize(file);
      if (isTiersOwn(file) || relative.getNameCount() <= ShardedLayout.SHARD_LEVELS) {
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
      String name = ShardedLayout.nameOf(relative);
      if (name == null) {
        if (foreign++ == 0) {
          firstForeign = file;
        }
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
      return path.getFileName().toString().startsWith(ObjectNames.RESERVED_PREFIX)
          || path.equals(indexPath);
    }
  }
}
