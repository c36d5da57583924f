package io.objmapper.client;

import io.objmapper.StorageException;
import io.objmapper.protocol.Metadata;
import io.objmapper.protocol.Segment;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * An object received from a server: either an open, read-only descriptor (FDPASS), the
 * content bytes (COPY, or TCP), or the segments of a SEGMENTED_RESPONSE. Descriptors are
 * this object's own (duplicated from the socket's), so they stay valid after the
 * connection closes; {@link #close()} closes them.
 */
public final class RemoteObject implements AutoCloseable {
  private final String uri;
  private final long requestId;
  private final Metadata metadata;
  private final long size;
  private final FileInputStream file;
  private final ByteBuffer content;
  private final List<Segment> segments;
  private final List<FileInputStream> segmentFiles;
  private boolean closed;

  RemoteObject(String uri, long requestId, Metadata metadata, long size, FileInputStream file, ByteBuffer content,
      List<Segment> segments, List<FileInputStream> segmentFiles) {
    this.uri = uri;
    this.requestId = requestId;
    this.metadata = metadata;
    this.size = size;
    this.file = file;
    this.content = content;
    this.segments = segments;
    this.segmentFiles = segmentFiles;
  }

  public String uri() {
    return uri;
  }

  /** The V2 request id (0 for V1). */
  public long requestId() {
    return requestId;
  }

  /** The response's metadata (SIZE, MTIME, BACKEND, ...). */
  public Metadata metadata() {
    return metadata;
  }

  /** The object's size in bytes: the SIZE TLV, the content length, or the descriptor's size. */
  public long size() {
    return size;
  }

  /** True if a descriptor was received (FDPASS/SPLICE). */
  public boolean hasDescriptor() {
    return file != null;
  }

  /**
   * The received descriptor.
   *
   * @throws IllegalStateException if the object came as bytes
   */
  public FileDescriptor descriptor() {
    requireDescriptor();
    try {
      return file.getFD();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A read-only channel on the received descriptor. */
  public FileChannel channel() {
    requireDescriptor();
    return file.getChannel();
  }

  /** The segment table of a segmented response, or an empty list. */
  public List<Segment> segments() {
    return segments;
  }

  /** The whole content, read from wherever it came (descriptor, bytes or segments). */
  public byte[] bytes() {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("object of " + size + " bytes does not fit in an array");
    }
    ByteBuffer out = ByteBuffer.allocate((int) size);
    try {
      writeTo(new WritableByteChannel() {
        @Override
        public int write(ByteBuffer src) {
          int n = src.remaining();
          out.put(src);
          return n;
        }

        @Override
        public boolean isOpen() {
          return true;
        }

        @Override
        public void close() {}
      });
    } catch (IOException e) {
      throw new StorageException("cannot read " + uri + ": " + e.getMessage(), e);
    }
    return out.array();
  }

  /** Writes the whole content to {@code target}. */
  public void writeTo(WritableByteChannel target) throws IOException {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (content != null && segments.isEmpty()) {
      writeAll(content.duplicate(), target);
      return;
    }
    if (file != null) {
      transfer(file.getChannel(), 0, size, target);
      return;
    }
    ByteBuffer inline = content != null ? content.duplicate() : ByteBuffer.allocate(0);
    int fdIndex = -1;
    for (Segment s : segments) {
      if (s.type() == Segment.INLINE) {
        ByteBuffer part = inline.slice();
        part.limit((int) s.copyLength());
        writeAll(part, target);
        inline.position(inline.position() + (int) s.copyLength());
      } else {
        if (s.carriesDescriptor()) {
          fdIndex++;
        }
        transfer(segmentFiles.get(fdIndex).getChannel(), s.storageOffset(), s.logicalLength(), target);
      }
    }
  }

  private static void writeAll(ByteBuffer b, WritableByteChannel target) throws IOException {
    while (b.hasRemaining()) {
      target.write(b);
    }
  }

  private static void transfer(FileChannel src, long position, long count, WritableByteChannel target)
      throws IOException {
    long done = 0;
    while (done < count) {
      long n = src.transferTo(position + done, count - done, target);
      if (n <= 0) {
        throw new IOException("object ended after " + done + " of " + count + " bytes");
      }
      done += n;
    }
  }

  private void requireDescriptor() {
    if (file == null) {
      throw new IllegalStateException("no descriptor: the object came as bytes");
    }
    if (closed) {
      throw new IllegalStateException("closed");
    }
  }

  /** Closes the received descriptors. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(file);
    Map<FileInputStream, Boolean> seen = new IdentityHashMap<>();
    for (FileInputStream f : segmentFiles) {
      if (seen.put(f, Boolean.TRUE) == null) {
        closeQuietly(f);
      }
    }
  }

  private static void closeQuietly(FileInputStream f) {
    if (f != null) {
      try {
        f.close();
      } catch (IOException e) {
        // a read-only descriptor: nothing to flush
      }
    }
  }

  static List<FileInputStream> noFiles() {
    return Collections.emptyList();
  }

  static List<FileInputStream> files(int n) {
    return new ArrayList<>(n);
  }

  @Override
  public String toString() {
    return "RemoteObject{" + uri + ", size=" + size + (file != null ? ", fd" : "") + ", " + metadata + "}";
  }
}
