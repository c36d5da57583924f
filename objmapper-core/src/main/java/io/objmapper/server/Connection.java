package io.objmapper.server;

import io.objmapper.ObjMapperException;
import io.objmapper.protocol.Capabilities;
import io.objmapper.protocol.CloseReason;
import io.objmapper.protocol.Hello;
import io.objmapper.protocol.HelloAck;
import io.objmapper.protocol.Mode;
import io.objmapper.protocol.Protocol;
import io.objmapper.protocol.ProtocolDecoder;
import io.objmapper.protocol.ProtocolEncoder;
import io.objmapper.protocol.ProtocolException;
import io.objmapper.protocol.RequestFrame;
import io.objmapper.protocol.Segment;
import io.objmapper.protocol.Status;
import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.ObjectNames;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served by one connection worker: handshake, then a loop of
 * decode → handler → encode (+ descriptor). Buffers and the request frame are reused, so
 * an FD-pass request allocates nothing but its URI string.
 */
final class Connection implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);
  private static final int IN_CAPACITY = 64 * 1024;
  private static final int OUT_CAPACITY = 2 * 1024;
  private static final int SEGMENTED_OUT_CAPACITY =
      Protocol.SEGMENTED_HEADER_LENGTH + Protocol.MAX_METADATA_LENGTH + Protocol.MAX_SEGMENTS * Protocol.SEGMENT_ENTRY_LENGTH;
  private static final long MAX_INLINE_SEGMENT = 0xFFFF_FFFFL;
  private static final long TIMEOUT_RETRY_MILLIS = 10;

  private final ObjectServer server;
  private final SocketChannel ch;
  private final AFUNIXSocketChannel unix;
  private final PeerCredentials peer;
  private final ByteBuffer in = ByteBuffer.allocateDirect(IN_CAPACITY);
  private final ByteBuffer out = ByteBuffer.allocateDirect(OUT_CAPACITY);
  private final ByteBuffer marker = ByteBuffer.allocateDirect(1);
  private final FileDescriptor[] outboundFd = new FileDescriptor[1];
  private final RequestFrame frame = new RequestFrame();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Condition drained = writeLock.newCondition();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile long lastActivityNanos = System.nanoTime();
  private volatile boolean handshakeDone;
  private volatile boolean closed;
  private volatile boolean busy;
  private int version;
  private int caps;
  private int depth = 1;
  private long skip;

  Connection(ObjectServer server, SocketChannel ch, AFUNIXSocketChannel unix, PeerCredentials peer) {
    this.server = server;
    this.ch = ch;
    this.unix = unix;
    this.peer = peer;
    in.flip();
    marker.put(0, Protocol.FD_MARKER);
  }

  @Override
  public void run() {
    try {
      if (unix != null) {
        unix.setAncillaryReceiveBufferSize(0);
      }
      if (!fill()) {
        return;
      }
      if (in.get(in.position()) == Protocol.MAGIC_FIRST_BYTE) {
        if (!handshake()) {
          return;
        }
      } else {
        version = Protocol.VERSION_1;
        depth = 1;
        handshakeDone = true;
      }
      serveRequests();
    } catch (EOFException e) {
      log.debug("{} disconnected", peer);
    } catch (IOException e) {
      if (!closed) {
        log.debug("connection {} ended: {}", peer, e.toString());
      }
    } catch (RuntimeException e) {
      log.warn("connection {} failed", peer, e);
    } finally {
      awaitDrained(server.requestTimeoutMillis);
      closeChannel();
      server.connectionClosed(this);
      server.notifyConnectionsChanged();
    }
  }

  /** Reads more bytes; false at end of stream. The buffer stays in read mode. */
  private boolean fill() throws IOException {
    in.compact();
    try {
      int n = ch.read(in);
      if (n < 0) {
        return false;
      }
    } finally {
      in.flip();
    }
    lastActivityNanos = System.nanoTime();
    return true;
  }

  private boolean handshake() throws IOException {
    Hello hello;
    try {
      while ((hello = ProtocolDecoder.decodeHello(in)) == null) {
        if (!fill()) {
          return false;
        }
      }
    } catch (ProtocolException e) {
      log.debug("{}: rejected handshake: {}", peer, e.getMessage());
      return false; // no status in HELLO_ACK: a rejected HELLO closes the connection
    }
    int offered = server.capabilitiesFor(peer);
    HelloAck ack = HelloAck.negotiate(hello, offered, server.maxPipeline, server.parallelism);
    version = Protocol.VERSION_2;
    caps = ack.capabilities();
    depth = Math.max(1, ack.pipelineDepth());
    writeLock.lock();
    try {
      out.clear();
      ProtocolEncoder.helloAck(out, ack);
      flushOut();
      handshakeDone = true;
    } finally {
      writeLock.unlock();
    }
    log.debug("{}: V2 caps {} depth {}", peer, Capabilities.toString(caps), depth);
    return true;
  }

  private void serveRequests() throws IOException {
    while (true) {
      if (skip > 0) {
        int n = (int) Math.min(skip, in.remaining());
        in.position(in.position() + n);
        skip -= n;
        if (skip > 0) {
          if (!fill()) {
            return;
          }
          continue;
        }
      }
      boolean decoded;
      try {
        decoded = ProtocolDecoder.decodeRequest(in, version, frame);
      } catch (ProtocolException e) {
        long id = e.requestId() == ProtocolException.NO_REQUEST_ID ? 0 : e.requestId();
        sendError(id, e.status(), e.getMessage());
        if (!e.recoverable()) {
          if (version == Protocol.VERSION_2) {
            sendClose(CloseReason.PROTOCOL_ERROR);
          }
          return;
        }
        skip = e.skipBytes();
        continue;
      }
      if (!decoded) {
        if (!fill()) {
          return;
        }
        continue;
      }
      if (frame.type() == Protocol.TYPE_CLOSE) {
        int owed = inFlight.get();
        awaitDrained(server.requestTimeoutMillis);
        writeLock.lock();
        try {
          out.clear();
          ProtocolEncoder.closeAck(out, owed);
          flushOut();
        } finally {
          writeLock.unlock();
        }
        return;
      }
      busy = true; // the idle reaper leaves a connection alone while it serves
      try {
        serve(frame.requestId(), frame.flags(), frame.mode(), frame.uri());
      } finally {
        lastActivityNanos = System.nanoTime();
        busy = false;
      }
    }
  }

  private void serve(long id, int flags, Mode mode, String uri) throws IOException {
    if (mode == Mode.SEGMENTED && !Capabilities.has(caps, Capabilities.SEGMENTED)) {
      sendError(id, Status.INVALID_MODE, "mode '4' (segmented) needs the SEGMENTED capability");
      return;
    }
    if ((mode == Mode.FDPASS || mode == Mode.SPLICE) && unix == null) {
      sendError(id, Status.UNSUPPORTED_OP, "descriptors cannot be passed over TCP: use COPY mode");
      return;
    }
    boolean writable = false;
    if (server.cCompat) {
      if (uri.equals("/list")) {
        sendError(id, Status.UNSUPPORTED_OP, "list is not supported");
        return;
      }
      if (uri.startsWith("/delete/")) {
        deleteObject(id, mode, uri.substring("/delete".length()));
        return;
      }
      writable = true;
    }
    if (!ObjectNames.isValid(uri)) {
      sendError(id, Status.INVALID_REQUEST, invalidNameMessage(uri));
      return;
    }
    if (version == Protocol.VERSION_2) {
      if (inFlight.get() >= depth) {
        sendError(id, Status.PROTOCOL_ERROR, "pipeline depth " + depth + " exceeded");
        return;
      }
      boolean ordered = (flags & 0x01) != 0;
      if (ordered) {
        awaitDrained(server.requestTimeoutMillis);
      } else if (Capabilities.has(caps, Capabilities.OOO_REPLIES) && server.handler.mayBlock(uri)) {
        dispatch(id, mode, uri, writable);
        return;
      }
    }
    ServedObject obj;
    try {
      obj = writable ? server.handler.acquireWritable(uri) : server.handler.acquire(uri);
    } catch (RuntimeException e) {
      sendError(id, e);
      return;
    }
    try {
      writeLock.lock();
      try {
        sendObject(id, mode, obj);
      } finally {
        writeLock.unlock();
      }
    } finally {
      obj.release();
    }
  }

  private static String invalidNameMessage(String uri) {
    try {
      ObjectNames.validate(uri);
      return "invalid object name";
    } catch (InvalidObjectNameException e) {
      return e.getMessage();
    }
  }

  private void deleteObject(long id, Mode mode, String uri) throws IOException {
    try {
      ObjectNames.validate(uri);
      server.handler.delete(uri);
    } catch (RuntimeException e) {
      sendError(id, e);
      return;
    }
    writeLock.lock();
    try {
      out.clear();
      // As the C server answers a delete: OK, content_len 1, no body, no descriptor. A COPY
      // reader would wait for that one byte, so COPY gets content_len 0: an empty body.
      ProtocolEncoder.responseHeader(out, version, id, Status.OK, mode == Mode.COPY ? 0 : 1, 0);
      flushOut();
    } finally {
      writeLock.unlock();
    }
  }

  /** Serves a request that may block on a backend worker; its answer may overtake others. */
  private void dispatch(long id, Mode mode, String uri, boolean writable) throws IOException {
    AsyncRequest r = new AsyncRequest(id);
    inFlight.incrementAndGet();
    try {
      // The timeout first: a request completed at once must find it, to cancel it.
      r.timeout = server.timer.schedule(() -> server.sideWriter(() -> timeoutAsync(r)), server.requestTimeoutMillis,
          TimeUnit.MILLISECONDS);
      server.backendWorkers.execute(() -> completeAsync(r, mode, uri, writable));
    } catch (RejectedExecutionException e) {
      ScheduledFuture<?> t = r.timeout;
      if (t != null) {
        t.cancel(false);
      }
      if (r.finish()) {
        sendError(id, Status.UNAVAILABLE, "server busy");
      }
    }
  }

  private void completeAsync(AsyncRequest r, Mode mode, String uri, boolean writable) {
    ServedObject obj = null;
    RuntimeException error = null;
    try {
      obj = writable ? server.handler.acquireWritable(uri) : server.handler.acquire(uri);
    } catch (RuntimeException e) {
      error = e;
    }
    try {
      writeLock.lock();
      try {
        if (!r.finish()) {
          return; // already answered with TIMEOUT
        }
        if (error != null) {
          writeError(r.id, statusOf(error), messageOf(error));
        } else {
          sendObject(r.id, mode, obj);
        }
      } finally {
        writeLock.unlock();
      }
    } catch (IOException e) {
      log.debug("{}: write failed: {}", peer, e.toString());
      closeChannel();
    } catch (RuntimeException e) {
      // Part of an answer may be on the wire: the framing cannot be trusted any more.
      log.warn("{}: answering request {} failed; closing the connection", peer, r.id, e);
      closeChannel();
    } finally {
      if (obj != null) {
        obj.release();
      }
      ScheduledFuture<?> t = r.timeout;
      if (t != null) {
        t.cancel(false);
      }
    }
  }

  /**
   * Runs on a side writer, never on the server's one timer thread: the write itself may block
   * on a client that stopped reading. It never waits for this connection's writer either:
   * while the writer is busy the TIMEOUT answer is tried again a little later.
   */
  private void timeoutAsync(AsyncRequest r) {
    if (r.answered.get() || closed) {
      return;
    }
    if (!writeLock.tryLock()) {
      try {
        r.timeout = server.timer.schedule(() -> server.sideWriter(() -> timeoutAsync(r)), TIMEOUT_RETRY_MILLIS,
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // the server is shutting down and closes this connection
      }
      return;
    }
    try {
      if (!r.finish()) {
        return;
      }
      writeError(r.id, Status.TIMEOUT, "request not served within " + server.requestTimeoutMillis + " ms");
    } catch (IOException e) {
      closeChannel();
    } finally {
      writeLock.unlock();
    }
  }

  /** A request served by a backend worker; answered exactly once (result or timeout). */
  private final class AsyncRequest {
    final long id;
    final AtomicBoolean answered = new AtomicBoolean();
    volatile ScheduledFuture<?> timeout;

    AsyncRequest(long id) {
      this.id = id;
    }

    /** Claims the answer; true for the one caller that may send it. Call under the write lock. */
    boolean finish() {
      if (!answered.compareAndSet(false, true)) {
        return false;
      }
      // Counted out before the answer is written, so a client that sends its next
      // request on receipt never finds the pipeline still full.
      if (inFlight.decrementAndGet() == 0 && writeLock.isHeldByCurrentThread()) {
        drained.signalAll();
      }
      return true;
    }
  }

  private void awaitDrained(long timeoutMillis) {
    if (inFlight.get() == 0) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    writeLock.lock();
    try {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
          return;
        }
        drained.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      writeLock.unlock();
    }
  }

  // ---- writing (callers hold the write lock) ---------------------------------------------

  private void sendObject(long id, Mode mode, ServedObject obj) throws IOException {
    long size = obj.size();
    int tier = obj.tierId();
    int metaLen = ProtocolEncoder.SIZE_MTIME_LENGTH + (tier >= 0 ? ProtocolEncoder.BACKEND_TLV_LENGTH : 0);
    switch (mode) {
      case FDPASS:
      case SPLICE: {
        ServedObject pass = forPassing(id, obj);
        if (pass == null) {
          return;
        }
        try {
          out.clear();
          ProtocolEncoder.responseHeader(out, version, id, Status.OK, 0, metaLen);
          putMetadata(size, obj.mtimeSeconds(), tier);
          flushOut();
          sendDescriptor(pass.descriptor());
        } finally {
          passed(obj, pass);
        }
        break;
      }
      case COPY:
        out.clear();
        ProtocolEncoder.responseHeader(out, version, id, Status.OK, size, metaLen);
        putMetadata(size, obj.mtimeSeconds(), tier);
        flushOut();
        transfer(obj.channel(), 0, size);
        break;
      case SEGMENTED:
        sendSegmented(id, obj, size, metaLen, tier);
        break;
      default:
        throw new IllegalStateException("mode " + mode);
    }
  }

  /**
   * The object whose descriptor this answer passes: a description of the receiver's own
   * unless the peer negotiated SHARED_FD. Opened before any byte of the answer is written,
   * so a failed open is answered with its status; null then.
   */
  private ServedObject forPassing(long id, ServedObject obj) throws IOException {
    try {
      return obj.forPassing(Capabilities.has(caps, Capabilities.SHARED_FD));
    } catch (RuntimeException e) {
      writeError(id, statusOf(e), messageOf(e));
      return null;
    }
  }

  /** Closes what {@link #forPassing} opened for one answer, once its descriptor is sent. */
  private static void passed(ServedObject obj, ServedObject pass) {
    if (pass != obj) {
      pass.release();
    }
  }

  private void putMetadata(long size, long mtime, int tier) {
    ProtocolEncoder.sizeTlv(out, size);
    ProtocolEncoder.mtimeTlv(out, Math.max(0, mtime)); // a file dated before 1970: u64 on the wire
    if (tier >= 0) {
      ProtocolEncoder.backendTlv(out, tier);
    }
  }

  private void sendSegmented(long id, ServedObject obj, long size, int metaLen, int tier) throws IOException {
    List<Segment> segments = new ArrayList<>(2);
    if (unix != null && size > 0) {
      segments.add(Segment.fd(0, size, true));
    } else {
      long left = size;
      do {
        long n = Math.min(left, MAX_INLINE_SEGMENT);
        left -= n;
        segments.add(Segment.inline(n, left == 0));
      } while (left > 0 && segments.size() < Protocol.MAX_SEGMENTS);
      if (left > 0) {
        writeError(id, Status.UNSUPPORTED_OP, "object too large for inline segments");
        return;
      }
    }
    ServedObject pass = obj;
    if (segments.get(0).type() == Segment.FD) {
      pass = forPassing(id, obj);
      if (pass == null) {
        return;
      }
    }
    try {
      sendSegments(id, obj, pass, segments, size, metaLen, tier);
    } finally {
      passed(obj, pass);
    }
  }

  private void sendSegments(long id, ServedObject obj, ServedObject pass, List<Segment> segments, long size,
      int metaLen, int tier) throws IOException {
    ByteBuffer seg = ByteBuffer.allocate(SEGMENTED_OUT_CAPACITY);
    ProtocolEncoder.segmentedHeader(seg, id, Status.OK, segments.size(), metaLen);
    ProtocolEncoder.sizeTlv(seg, size);
    ProtocolEncoder.mtimeTlv(seg, Math.max(0, obj.mtimeSeconds()));
    if (tier >= 0) {
      ProtocolEncoder.backendTlv(seg, tier);
    }
    for (Segment s : segments) {
      ProtocolEncoder.segment(seg, s);
    }
    seg.flip();
    writeFully(seg);
    if (segments.get(0).type() == Segment.FD) {
      sendDescriptor(pass.descriptor());
    } else {
      transfer(obj.channel(), 0, size);
    }
  }

  private void sendDescriptor(FileDescriptor fd) throws IOException {
    outboundFd[0] = fd;
    unix.setOutboundFileDescriptors(outboundFd);
    marker.clear();
    writeFully(marker);
    outboundFd[0] = null; // sent (the kernel copied it); the caller may close it now
  }

  private void transfer(FileChannel src, long position, long count) throws IOException {
    long done = 0;
    while (done < count) {
      long n = src.transferTo(position + done, count - done, ch);
      if (n <= 0) {
        if (position + done >= src.size()) {
          // The file shrank after its size was announced: the frame cannot be completed.
          throw new IOException("object shrank while being sent");
        }
        continue;
      }
      done += n;
    }
  }

  private void sendError(long id, RuntimeException e) throws IOException {
    sendError(id, statusOf(e), messageOf(e));
  }

  private void sendError(long id, Status status, String message) throws IOException {
    writeLock.lock();
    try {
      writeError(id, status, message);
    } finally {
      writeLock.unlock();
    }
  }

  private void writeError(long id, Status status, String message) throws IOException {
    out.clear();
    ProtocolEncoder.error(out, version, id, status, message);
    flushOut();
  }

  private void sendClose(int reason) {
    writeLock.lock();
    try {
      out.clear();
      ProtocolEncoder.close(out, reason);
      flushOut();
    } catch (IOException e) {
      // the peer is gone; closing anyway
    } finally {
      writeLock.unlock();
    }
  }

  static Status statusOf(RuntimeException e) {
    if (e instanceof ObjMapperException) {
      return ((ObjMapperException) e).status();
    }
    if (e instanceof InvalidObjectNameException) {
      return Status.INVALID_REQUEST;
    }
    if (e instanceof UnsupportedOperationException) {
      return Status.UNSUPPORTED_OP;
    }
    if (e instanceof UncheckedIOException) {
      return Status.STORAGE_ERROR;
    }
    return Status.INTERNAL_ERROR;
  }

  private String messageOf(RuntimeException e) {
    if (statusOf(e) == Status.INTERNAL_ERROR) {
      log.warn("{}: handler failed", peer, e);
      return "internal error";
    }
    String m = e.getMessage();
    return m != null ? m : e.getClass().getSimpleName();
  }

  private void flushOut() throws IOException {
    out.flip();
    writeFully(out);
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (ch.write(b) < 0) {
        throw new EOFException();
      }
    }
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  void closeIfIdle(long now, long idleNanos) {
    if (closed || busy || inFlight.get() > 0 || now - lastActivityNanos < idleNanos) {
      return;
    }
    server.sideWriter(this::closeIdle);
  }

  private void closeIdle() {
    if (closed || busy) {
      return;
    }
    if (version == Protocol.VERSION_2 && handshakeDone && writeLock.tryLock()) {
      try {
        out.clear();
        ProtocolEncoder.close(out, CloseReason.IDLE_TIMEOUT);
        flushOut();
      } catch (IOException e) {
        // closing anyway
      } finally {
        writeLock.unlock();
      }
    }
    log.debug("{}: closing idle connection", peer);
    closeChannel();
  }

  /**
   * Tells a V2 client that the server is going away; it should answer CLOSE. Waits for the
   * connection's writer until {@code deadlineNanos} at most: a connection blocked writing to
   * a client that stopped reading is not told, and is closed when the grace period ends.
   */
  void announceShutdown(long deadlineNanos) {
    if (version != Protocol.VERSION_2 || !handshakeDone || closed) {
      return;
    }
    try {
      if (!writeLock.tryLock(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      if (!closed) {
        out.clear();
        ProtocolEncoder.close(out, CloseReason.SHUTTING_DOWN);
        flushOut();
      }
    } catch (IOException e) {
      // the peer is gone; it is closed with the others
    } finally {
      writeLock.unlock();
    }
  }

  void closeChannel() {
    closed = true;
    ObjectServer.closeQuietly(ch);
    // A worker waiting for owed answers (CLOSE, ORDERED, end of connection) stops waiting now.
    if (writeLock.tryLock()) {
      try {
        drained.signalAll();
      } finally {
        writeLock.unlock();
      }
    }
  }
}
