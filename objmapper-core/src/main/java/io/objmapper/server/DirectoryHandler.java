package io.objmapper.server;

import io.objmapper.ObjectNotFoundException;
import io.objmapper.StorageException;
import io.objmapper.spi.ObjectNames;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * Serves the regular files under a directory as objects: {@code /a/b} is {@code root/a/b}.
 * No index and no descriptor cache: every request opens the file (about a microsecond).
 * Symbolic links are not followed out of {@code root} (neither as the object itself nor as a
 * directory on the way to it), so nothing outside {@code root} is ever served or deleted.
 * The {@link io.objmapper.ObjMapper} facade is the indexed, cached alternative.
 */
public final class DirectoryHandler implements RequestHandler {
  private final Path root;
  private final Path realRoot;

  public DirectoryHandler(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    if (!Files.isDirectory(this.root)) {
      throw new IllegalArgumentException("not a directory: " + root);
    }
    try {
      this.realRoot = this.root.toRealPath();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot resolve " + root + ": " + e.getMessage(), e);
    }
  }

  public Path root() {
    return root;
  }

  @Override
  public ServedObject acquire(String uri) {
    return open(uri, false);
  }

  @Override
  public ServedObject acquireWritable(String uri) {
    return open(uri, true);
  }

  @Override
  public void delete(String uri) {
    Path p = ObjectNames.resolve(root, uri);
    try {
      if (!parentInsideRoot(p) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || !Files.deleteIfExists(p)) {
        throw new ObjectNotFoundException("no object " + uri);
      }
    } catch (IOException e) {
      throw new StorageException("cannot delete " + uri + ": " + reason(e), e);
    }
  }

  private ServedObject open(String uri, boolean writable) {
    Path p = ObjectNames.resolve(root, uri);
    try {
      if (writable && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        if (!parentInsideRoot(firstMissing(p))) {
          throw new ObjectNotFoundException("no object " + uri);
        }
        Files.createDirectories(p.getParent());
      }
      if (!parentInsideRoot(p)) {
        throw new ObjectNotFoundException("no object " + uri);
      }
      BasicFileAttributes attrs = writable && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)
          ? null : Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (attrs != null && !attrs.isRegularFile()) {
        throw new ObjectNotFoundException("no object " + uri);
      }
      RandomAccessFile file = new RandomAccessFile(p.toFile(), writable ? "rw" : "r");
      long mtime = attrs != null ? attrs.lastModifiedTime().toMillis() / 1000 : System.currentTimeMillis() / 1000;
      return FileObject.of(file, mtime, -1);
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new ObjectNotFoundException("no object " + uri);
    } catch (IOException e) {
      if (!Files.isDirectory(p.getParent())) {
        throw new ObjectNotFoundException("no object " + uri); // a segment names a file (ENOTDIR)
      }
      throw new StorageException("cannot open " + uri + ": " + reason(e), e);
    }
  }

  /** What went wrong, without the server's own path (a client has no business knowing it). */
  private static String reason(IOException e) {
    if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      return ((FileSystemException) e).getReason();
    }
    return e.getClass().getSimpleName();
  }

  /**
   * True if the directory holding {@code p} is below the root once links are resolved. The
   * last segment is never followed (it is read with NOFOLLOW_LINKS), but a link among the
   * directories above it would lead out of the root.
   */
  private boolean parentInsideRoot(Path p) throws IOException {
    Path parent = p.getParent();
    return parent.equals(root) || parent.toRealPath().startsWith(realRoot);
  }

  /** The first path on the way from the root to {@code p} that is missing (its parent exists). */
  private Path firstMissing(Path p) {
    Path q = p;
    while (!q.getParent().equals(root) && !Files.exists(q.getParent())) {
      q = q.getParent();
    }
    return q;
  }
}
