package io.objmapper.examples.cli;

import io.objmapper.protocol.Capabilities;
import io.objmapper.protocol.Mode;
import io.objmapper.protocol.Protocol;
import io.objmapper.protocol.ProtocolEncoder;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import org.HdrHistogram.Histogram;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * One load-generating connection: keeps {@code depth} FDPASS (or COPY) requests outstanding
 * (1 for V1), reads each answer's header, metadata and descriptor (or content), closes the
 * descriptor and records the latency. Requests are pre-encoded, so the loop allocates next
 * to nothing.
 */
final class BenchConnection implements AutoCloseable {
  private final AFUNIXSocketChannel ch;
  private final boolean v2;
  private final int depth;
  private final boolean copy;
  private final ByteBuffer[] requests;
  private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
  private final ArrayDeque<FileDescriptor> fds = new ArrayDeque<>();
  private final long[] sentAt = new long[1 << 16];
  private long nextId = 1;
  private int next;
  long completed;
  long errors;

  /** True if the server granted SHARED_FD (asked for with {@code sharedFd}). */
  final boolean sharedFdGranted;

  BenchConnection(Path socket, boolean v2, int depth, String[] uris) throws IOException {
    this(socket, v2, depth, uris, Mode.FDPASS, false);
  }

  BenchConnection(Path socket, boolean v2, int depth, String[] uris, Mode mode) throws IOException {
    this(socket, v2, depth, uris, mode, false);
  }

  BenchConnection(Path socket, boolean v2, int depth, String[] uris, boolean sharedFd) throws IOException {
    this(socket, v2, depth, uris, Mode.FDPASS, sharedFd);
  }

  BenchConnection(Path socket, boolean v2, int depth, String[] uris, Mode mode, boolean sharedFd) throws IOException {
    this.ch = AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(socket));
    this.v2 = v2;
    this.depth = v2 ? depth : 1;
    this.copy = mode == Mode.COPY;
    ch.setAncillaryReceiveBufferSize(1024);
    in.flip();
    requests = new ByteBuffer[uris.length];
    for (int i = 0; i < uris.length; i++) {
      byte[] u = ProtocolEncoder.utf8(uris[i]);
      ByteBuffer b = ByteBuffer.allocateDirect(Protocol.V2_REQUEST_HEADER_LENGTH + u.length);
      if (v2) {
        ProtocolEncoder.requestV2(b, 0, 0, mode, u);
      } else {
        ProtocolEncoder.requestV1(b, mode, u);
      }
      requests[i] = b.flip();
    }
    if (v2) {
      ByteBuffer hello = ByteBuffer.allocate(Protocol.HELLO_LENGTH);
      ProtocolEncoder.hello(hello,
          Capabilities.OOO_REPLIES | Capabilities.PIPELINING | (sharedFd ? Capabilities.SHARED_FD : 0), depth);
      write(hello.flip());
      need(Protocol.HELLO_ACK_LENGTH);
      int agreed = in.getShort(in.position() + Protocol.HELLO_PIPELINE_OFFSET) & 0xFFFF;
      sharedFdGranted = Capabilities.has(in.getShort(in.position() + Protocol.HELLO_CAPS_OFFSET) & 0xFFFF, Capabilities.SHARED_FD);
      in.position(in.position() + Protocol.HELLO_ACK_LENGTH);
      if (agreed < depth) {
        close();
        throw new ExitCodes.CommandFailure(ExitCodes.USAGE, "--depth " + depth + ": the server grants at most "
            + agreed + " outstanding requests per connection (its protocol.max_pipeline); use --depth " + agreed
            + " or less");
      }
    } else {
      sharedFdGranted = false;
    }
  }

  /** Runs until {@code endNanos}, recording latencies after {@code recordFromNanos}. */
  void run(long recordFromNanos, long endNanos, Histogram latencies) throws IOException {
    int outstanding = 0;
    while (true) {
      long now = System.nanoTime();
      boolean sending = now < endNanos;
      while (sending && outstanding < depth) {
        send(now);
        outstanding++;
      }
      if (outstanding == 0) {
        return;
      }
      long id = receive();
      outstanding--;
      long done = System.nanoTime();
      long t0 = sentAt[(int) (id & 0xFFFF)];
      if (t0 >= recordFromNanos && done <= endNanos) {
        latencies.recordValue(Math.max(1, done - t0));
        completed++;
      }
    }
  }

  private void send(long now) throws IOException {
    ByteBuffer req = requests[next];
    next = next + 1 == requests.length ? 0 : next + 1;
    long id = nextId++;
    if (v2) {
      req.putInt(Protocol.V2_REQUEST_ID_OFFSET, (int) id);
    }
    sentAt[(int) (id & 0xFFFF)] = now;
    req.rewind();
    write(req);
  }

  /** Reads one answer; returns its request id (V1: the only outstanding one). */
  private long receive() throws IOException {
    int headerLen = v2 ? Protocol.V2_RESPONSE_HEADER_LENGTH : Protocol.V1_RESPONSE_HEADER_LENGTH;
    need(headerLen);
    int p = in.position();
    long id;
    int status;
    long contentLength;
    int metaLen;
    if (v2) {
      id = in.getInt(p + 1) & 0xFFFF_FFFFL;
      status = in.get(p + 5) & 0xFF;
      contentLength = in.getLong(p + 6);
      metaLen = in.getShort(p + 14) & 0xFFFF;
    } else {
      id = nextId - 1;
      status = in.get(p) & 0xFF;
      contentLength = in.getLong(p + 1);
      metaLen = in.getShort(p + 9) & 0xFFFF;
    }
    need(headerLen + metaLen);
    in.position(p + headerLen + metaLen);
    if (copy && status == 0) {
      skipContent(contentLength);
      return id;
    }
    if (status != 0 || contentLength != 0) {
      errors++;
      return id;
    }
    need(1);
    if (in.get() != Protocol.FD_MARKER) {
      throw new IOException("expected 'X'");
    }
    FileDescriptor fd = fds.poll();
    if (fd == null) {
      throw new IOException("'X' without a descriptor");
    }
    new FileInputStream(fd).close();
    return id;
  }

  private void skipContent(long n) throws IOException {
    while (n > 0) {
      if (!in.hasRemaining()) {
        need(1);
      }
      int k = (int) Math.min(n, in.remaining());
      in.position(in.position() + k);
      n -= k;
    }
  }

  /** One request's round trip now; its latency in nanoseconds. */
  long once() throws IOException {
    long t0 = System.nanoTime();
    send(t0);
    receive();
    return System.nanoTime() - t0;
  }

  private void need(int n) throws IOException {
    while (in.remaining() < n) {
      in.compact();
      int r = ch.read(in);
      in.flip();
      if (r < 0) {
        throw new EOFException("server closed the connection");
      }
      FileDescriptor[] got = ch.getReceivedFileDescriptors();
      if (got != null) {
        for (FileDescriptor fd : got) {
          fds.add(fd);
        }
      }
    }
  }

  private void write(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
