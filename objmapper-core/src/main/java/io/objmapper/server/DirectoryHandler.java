package io.objmapper.server;

import io.objmapper.ObjectNotFoundException;
import io.objmapper.StorageException;
import io.objmapper.spi.ObjectNames;
import io.objmapper.spi.dir.BeneathRoot;
import io.objmapper.spi.dir.DirectoryTier;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;

/**
 * Serves the regular files under a directory as objects: {@code /a/b} is {@code root/a/b}.
 * No index and no descriptor cache: every request opens the file. Every open, create and
 * delete goes through {@link BeneathRoot}: no symbolic link is followed (neither as the object
 * itself nor as a directory on the way to it) and nothing but a regular file is opened, never
 * blocking on a FIFO, so nothing outside {@code root} is ever served, created or deleted.
 * The {@link io.objmapper.ObjMapper} facade is the indexed, cached alternative.
 */
public final class DirectoryHandler implements RequestHandler {
  private final Path root;
  private final BeneathRoot beneath;

  public DirectoryHandler(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    if (!Files.isDirectory(this.root)) {
      throw new IllegalArgumentException("not a directory: " + root);
    }
    try {
      this.beneath = BeneathRoot.open(this.root);
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
    String rel = relative(uri);
    int slash = rel.lastIndexOf('/');
    try (BeneathRoot.Directory dir = beneath.directory(slash < 0 ? "" : rel.substring(0, slash), false, null)) {
      String fileName = rel.substring(slash + 1);
      if (dir.regularFile(fileName) == null) {
        throw new ObjectNotFoundException("no object " + uri); // nothing, or no regular file: never removed
      }
      Files.delete(dir.path().resolve(fileName));
      dir.sync();
    } catch (NoSuchFileException | FileAlreadyExistsException e) {
      throw new ObjectNotFoundException("no object " + uri); // no folder, or a file or link in its place
    } catch (IOException e) {
      throw new StorageException("cannot delete " + uri + ": " + reason(e), e);
    }
  }

  private ServedObject open(String uri, boolean writable) {
    String rel = relative(uri);
    try {
      if (writable) {
        createIfMissing(rel);
      }
      RandomAccessFile file = beneath.openRandomAccess(rel, writable);
      BasicFileAttributes attrs = beneath.stat(rel); // for the answer's mtime only
      long mtime = attrs != null ? attrs.lastModifiedTime().toMillis() / 1000 : System.currentTimeMillis() / 1000;
      return FileObject.of(file, mtime, -1);
    } catch (NoSuchFileException | FileAlreadyExistsException e) {
      throw new ObjectNotFoundException("no object " + uri);
    } catch (IOException e) {
      throw new StorageException("cannot open " + uri + ": " + reason(e), e);
    }
  }

  /**
   * Creates an empty {@code rel} (and its folders) unless something is there: O_CREAT|O_EXCL
   * neither follows a link nor opens a FIFO, and no folder is made through a link.
   */
  private void createIfMissing(String rel) throws IOException {
    int slash = rel.lastIndexOf('/');
    try (BeneathRoot.Directory dir = beneath.directory(slash < 0 ? "" : rel.substring(0, slash), true,
        DirectoryTier.DEFAULT_DIR_MODE)) {
      Path file = dir.path().resolve(rel.substring(slash + 1));
      Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(DirectoryTier.DEFAULT_FILE_MODE)).close();
      dir.sync();
    } catch (FileAlreadyExistsException exists) {
      // there already: the open after says whether it is a regular file
    }
  }

  private static String relative(String uri) {
    ObjectNames.validate(uri);
    return uri.substring(1);
  }

  /** What went wrong, without the server's own path (a client has no business knowing it). */
  private static String reason(IOException e) {
    if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      return ((FileSystemException) e).getReason();
    }
    return e.getClass().getSimpleName();
  }
}
