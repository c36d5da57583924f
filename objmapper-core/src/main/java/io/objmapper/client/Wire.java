package io.objmapper.client;

import io.objmapper.protocol.HelloAck;
import io.objmapper.protocol.Protocol;
import io.objmapper.protocol.ProtocolDecoder;
import io.objmapper.protocol.ProtocolException;
import io.objmapper.protocol.ServerMessage;
import io.objmapper.protocol.Status;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * The reading side of a client connection: buffered reads that keep track of which byte a
 * received descriptor came with. The kernel ends a read right after the byte a descriptor
 * travels with, so a descriptor received by a read belongs to that read's last byte,
 * which must be an {@code 'X'}.
 */
final class Wire {
  private final SocketChannel ch;
  private final AFUNIXSocketChannel unix;
  private final ByteBuffer in;
  private final ArrayDeque<long[]> fdOffsets = new ArrayDeque<>();
  private final ArrayDeque<FileDescriptor> fds = new ArrayDeque<>();
  private long totalRead;

  Wire(SocketChannel ch, AFUNIXSocketChannel unix, int bufferSize) throws IOException {
    this.ch = ch;
    this.unix = unix;
    this.in = ByteBuffer.allocateDirect(bufferSize);
    in.flip();
    if (unix != null) {
      unix.setAncillaryReceiveBufferSize(1024);
    }
  }

  private void fill() throws IOException {
    in.compact();
    int n;
    try {
      n = ch.read(in);
    } finally {
      in.flip();
    }
    if (n < 0) {
      throw new EOFException("server closed the connection");
    }
    totalRead += n;
    if (unix != null) {
      FileDescriptor[] got = unix.getReceivedFileDescriptors();
      if (got != null) {
        for (FileDescriptor fd : got) {
          fdOffsets.add(new long[] {totalRead - 1});
          fds.add(fd);
        }
      }
    }
  }

  HelloAck readHelloAck() throws IOException {
    HelloAck ack;
    while ((ack = ProtocolDecoder.decodeHelloAck(in)) == null) {
      fill();
    }
    return ack;
  }

  ServerMessage readMessage(int version) throws IOException {
    ServerMessage m;
    while ((m = ProtocolDecoder.decodeServerMessage(in, version)) == null) {
      fill();
    }
    return m;
  }

  /**
   * Consumes the {@code 'X'} byte that carries a descriptor and returns a duplicate of the
   * descriptor owned by the caller (the socket's own copy is closed at once).
   */
  FileInputStream readDescriptor() throws IOException {
    if (!in.hasRemaining()) {
      fill();
    }
    long offset = totalRead - in.remaining();
    byte b = in.get(in.position());
    if (b != Protocol.FD_MARKER) {
      throw new ProtocolException(Status.PROTOCOL_ERROR,
          String.format("expected 'X' before a descriptor, got 0x%02x", b & 0xFF));
    }
    in.position(in.position() + 1);
    long[] at = fdOffsets.peek();
    if (at == null || at[0] != offset) {
      throw new ProtocolException(Status.PROTOCOL_ERROR, "'X' arrived without a descriptor");
    }
    fdOffsets.poll();
    FileDescriptor received = fds.poll();
    try {
      return new FileInputStream(FileDescriptorCast.duplicating(received).getFileDescriptor());
    } finally {
      new FileInputStream(received).close();
    }
  }

  /** Reads exactly {@code n} content bytes into a new buffer. */
  ByteBuffer readBytes(long n) throws IOException {
    if (n > Integer.MAX_VALUE - 8) {
      throw new IOException("content of " + n + " bytes does not fit in memory");
    }
    ByteBuffer out = ByteBuffer.allocate((int) n);
    while (out.hasRemaining()) {
      if (!in.hasRemaining()) {
        if (out.remaining() >= in.capacity()) {
          // large bodies go straight into the destination
          int r = ch.read(out);
          if (r < 0) {
            throw new EOFException("server closed the connection mid-content");
          }
          totalRead += r;
          continue;
        }
        fill();
      }
      int k = Math.min(out.remaining(), in.remaining());
      ByteBuffer slice = in.slice();
      slice.limit(k);
      out.put(slice);
      in.position(in.position() + k);
    }
    return out.flip();
  }

  /** Closes descriptors that arrived but were never claimed. */
  void closeUnclaimed() {
    FileDescriptor fd;
    while ((fd = fds.poll()) != null) {
      try {
        new FileInputStream(fd).close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    fdOffsets.clear();
  }
}
