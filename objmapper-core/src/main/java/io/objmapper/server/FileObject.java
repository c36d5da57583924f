package io.objmapper.server;

import io.objmapper.StorageException;
import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;

/**
 * A {@link ServedObject} that owns one open file alone (no cache, no sharing): released, it
 * closes the file. For handlers that open a file per request, read-only or read-write.
 */
public final class FileObject implements ServedObject {
  private final RandomAccessFile file;
  private final FileInputStream stream;
  private final long size;
  private final long mtimeSeconds;
  private final int tierId;

  private FileObject(RandomAccessFile file, FileInputStream stream, long size, long mtimeSeconds, int tierId) {
    this.file = file;
    this.stream = stream;
    this.size = size;
    this.mtimeSeconds = mtimeSeconds;
    this.tierId = tierId;
  }

  /**
   * Takes ownership of {@code file}: its size is read now, and it is closed if that fails.
   *
   * @param mtimeSeconds modification time, Unix seconds
   * @param tierId the serving tier's id, or -1
   */
  public static FileObject of(RandomAccessFile file, long mtimeSeconds, int tierId) throws IOException {
    try {
      return new FileObject(file, null, file.length(), mtimeSeconds, tierId);
    } catch (IOException | RuntimeException e) {
      closeQuietly(file, e);
      throw e;
    }
  }

  /**
   * Takes ownership of the descriptor {@code stream} holds (which may be open for reading and
   * writing: it is the one passed; the stream's channel reads), of {@code size} bytes.
   *
   * @param mtimeSeconds modification time, Unix seconds
   * @param tierId the serving tier's id, or -1
   */
  public static FileObject of(FileInputStream stream, long size, long mtimeSeconds, int tierId) {
    return new FileObject(null, stream, size, mtimeSeconds, tierId);
  }

  private static void closeQuietly(Closeable c, Exception e) {
    try {
      c.close();
    } catch (IOException suppressed) {
      e.addSuppressed(suppressed);
    }
  }

  @Override
  public FileDescriptor descriptor() {
    try {
      return file != null ? file.getFD() : stream.getFD();
    } catch (IOException e) {
      throw new StorageException("descriptor closed", e);
    }
  }

  @Override
  public FileChannel channel() {
    return file != null ? file.getChannel() : stream.getChannel();
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public long mtimeSeconds() {
    return mtimeSeconds;
  }

  @Override
  public int tierId() {
    return tierId;
  }

  /** Closes the file. */
  @Override
  public void release() {
    try {
      if (file != null) {
        file.close();
      } else {
        stream.close();
      }
    } catch (IOException e) {
      // the descriptor is gone either way; writes through it were the client's own
    }
  }
}
