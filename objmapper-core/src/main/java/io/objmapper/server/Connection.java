package io.objmapper.server;

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
import io.objmapper.protocol.Status;
import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.ObjectNames;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.newsclub.net.unix.AFUNIXSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, driven by its {@link IoLoop}'s thread: handshake, then decode →
 * handler → encode (+ descriptor), all without blocking. Answers the socket cannot take
 * now wait in the connection's queue; while any wait, no further request is read, so the
 * queue holds at most one answer served in place plus the answers of requests in flight
 * (at most the negotiated pipeline depth). Workers and the timer never touch the socket:
 * they {@link #post} answers, which the loop writes.
 *
 * <p>Everything but {@link #post} and the fields it uses runs on the loop's thread.
 */
final class Connection {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);
  /** Holds one whole request of the longest URI, and what came with it. */
  private static final int PENDING_CAPACITY = 16 * 1024;
  /** Most puts one connection may have staged and not yet committed or aborted. */
  static final int MAX_PENDING_PUTS = 16;
  /** A put's place while a worker stages it. */
  private static final Object STAGING = new Object();

  final ObjectServer server;
  final IoLoop loop;
  final SocketChannel ch;
  final AFUNIXSocketChannel unix;
  final PeerCredentials peer;
  /** The key this connection is counted under in the per-peer limit. */
  final Object peerKey;
  /** In the C-compatible mode: whether this peer is a writer (creates, writes and deletes). */
  private final boolean cCompatWriter;
  private final RequestFrame frame = new RequestFrame();
  private final ConcurrentLinkedQueue<Answer> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /** Puts staged for this connection, by URI (STAGING while a worker stages one); null until the first PUT. */
  private volatile ConcurrentHashMap<String, Object> puts;
  private SelectionKey key;
  private int interest = -1;
  /** Input not yet decoded, when it did not all fit one pass; null otherwise. */
  private ByteBuffer pending;
  /**
   * The buffer {@link #pending} was, kept once drained: a client that sends each request in
   * two writes (the C client sends a V1 request's header, then its URI) is often read between
   * them, and a new buffer each time would allocate and zero {@link #PENDING_CAPACITY} bytes
   * per request. Let go when the connection closes or has sent nothing for a sweep period.
   */
  private ByteBuffer spare;
  private ArrayDeque<Answer> queue;
  private int queued;
  private boolean handshakeDone;
  private int version;
  /** The mode of the request being served on the loop (null outside one): for the request counts. */
  private Mode requestMode;
  private int caps;
  private int depth = 1;
  private long skip;
  /** Requests handed to workers whose answers the loop has not taken yet. */
  private int inFlight;
  /** A decoded request (ORDERED, V1, or CLOSE) that waits until nothing is in flight. */
  private boolean held;
  /** Requests in flight when the client's CLOSE came: CLOSE_ACK reports them. */
  private int owedAtClose;
  private boolean eof;
  private boolean closeAfterFlush;
  private volatile boolean closed;
  private long lastActivityNanos = System.nanoTime();
  private long lastWriteNanos;
  /** Answers go to the loop's batch, written once the input at hand is decoded ({@link #decode}). */
  private boolean batching;

  Connection(ObjectServer server, IoLoop loop, SocketChannel ch, AFUNIXSocketChannel unix, PeerCredentials peer,
      Object peerKey) {
    this.server = server;
    this.loop = loop;
    this.ch = ch;
    this.unix = unix;
    this.peer = peer;
    this.peerKey = peerKey;
    this.cCompatWriter = server.cCompat && server.mayWrite(peer);
  }

  void register() throws IOException {
    ch.configureBlocking(false);
    if (unix != null) {
      unix.setAncillaryReceiveBufferSize(0);
    }
    key = ch.register(loop.selector, SelectionKey.OP_READ, this);
    interest = SelectionKey.OP_READ;
  }

  // ---- events (loop thread) --------------------------------------------------------------

  void onSelected(int readyOps) {
    try {
      if ((readyOps & SelectionKey.OP_WRITE) != 0) {
        flush();
      }
      if ((readyOps & SelectionKey.OP_READ) != 0 && !closed && readable()) {
        read();
      }
      afterEvent();
    } catch (IOException e) {
      if (!closed) {
        log.debug("connection {} ended: {}", peer, e.toString());
      }
      close();
    } catch (RuntimeException e) {
      // Part of an answer may be on the wire: the framing cannot be trusted any more.
      ServerWarnings.warn(log, peerKey, peer, "connection failed; closing it", e);
      close();
    }
  }

  /** Answers were posted by a worker or the timer. */
  void onPosted() {
    scheduled.set(false);
    if (closed) {
      dropInbox();
      return;
    }
    try {
      takePosted();
      flush();
      afterEvent();
    } catch (IOException e) {
      log.debug("connection {} ended: {}", peer, e.toString());
      close();
    } catch (RuntimeException e) {
      ServerWarnings.warn(log, peerKey, peer, "connection failed; closing it", e);
      close();
    }
  }

  private void takePosted() {
    Answer a;
    while ((a = inbox.poll()) != null) {
      if (a.async) {
        inFlight--;
      }
      enqueue(a);
    }
  }

  /** After any event: go on with input that waited, close if done, set the interest. */
  private void afterEvent() throws IOException {
    if (closed) {
      return;
    }
    if ((held || pending != null) && canDecode() && pending != null) {
      decode(pending);
      keepRest(pending);
    }
    if (queued == 0 && (closeAfterFlush || (eof && inFlight == 0 && !held))) {
      close();
      return;
    }
    int want = (queued > 0 ? SelectionKey.OP_WRITE : 0) | (readable() ? SelectionKey.OP_READ : 0);
    if (want != interest) {
      key.interestOps(want);
      interest = want;
    }
  }

  /** Whether to read more: not while answers wait, a held request waits, or after the end. */
  private boolean readable() {
    return !eof && !closeAfterFlush && queued == 0 && !held;
  }

  private boolean canDecode() {
    if (closed || closeAfterFlush || queued > 0) {
      return false;
    }
    if (held) {
      if (inFlight > 0) {
        return false;
      }
      held = false;
      serveFrame(); // the request that waited for the ones before it
      return !closed && !closeAfterFlush && queued == 0;
    }
    return true;
  }

  private void read() throws IOException {
    ByteBuffer in;
    int n;
    int room;
    if (pending != null) {
      in = pending;
      in.compact();
    } else {
      in = loop.readBuf;
      in.clear();
    }
    room = in.remaining();
    try {
      n = ch.read(in);
    } finally {
      in.flip();
    }
    // Called only when the selector said readable: nothing to read then is the end of the
    // stream (junixsocket's non-blocking read answers 0, not -1, at the end).
    if (n < 0 || (n == 0 && room > 0)) {
      eof = true;
      pending = null;
      spare = null;
      log.debug("{} disconnected", peer);
      return;
    }
    if (n > 0) {
      lastActivityNanos = System.nanoTime();
      if (loop.spins()) {
        server.served.served(this, lastActivityNanos);
      }
    }
    decode(in);
    keepRest(in);
  }

  /**
   * Serves the requests in {@code in}, holding their answers back until all of them are
   * decoded (and their descriptors opened), then writes them back to back. Answering each
   * request as it is decoded made every write wake the client while the server still had
   * opens to do: on two CPUs the client then ran one answer at a time, and a private
   * descriptor per answer cost a third of the throughput.
   */
  private void decode(ByteBuffer in) throws IOException {
    batching = true;
    boolean done = false;
    try {
      process(in);
      done = true;
    } finally {
      batching = false;
      if (!done) {
        dropBatch(); // the caller closes the connection
      }
    }
    writeBatch();
  }

  /** Writes the answers held back in the loop's batch, in order; what the socket cannot take now is queued. */
  private void writeBatch() {
    Answer[] b = loop.batch;
    int n = loop.batched;
    loop.batched = 0;
    int i = 0;
    try {
      for (; i < n; i++) {
        write(b[i]);
      }
    } finally {
      for (i++; i < n; i++) { // a write threw: the connection closes, the rest is given back
        b[i].release();
        b[i].clear();
      }
    }
  }

  private void dropBatch() {
    Answer[] b = loop.batch;
    int n = loop.batched;
    loop.batched = 0;
    for (int i = 0; i < n; i++) {
      b[i].release();
      b[i].clear();
    }
  }

  /** Keeps undecoded input for later: the loop's buffer is shared with other connections. */
  private void keepRest(ByteBuffer in) {
    if (closed || eof) {
      pending = null;
      spare = null;
      return;
    }
    if (in == pending) {
      if (!in.hasRemaining()) {
        spare = pending;
        pending = null;
      }
      return;
    }
    if (in.hasRemaining()) {
      ByteBuffer p = spare != null && spare.capacity() >= in.remaining()
          ? spare.clear()
          : ByteBuffer.allocate(Math.max(PENDING_CAPACITY, in.remaining()));
      spare = null;
      p.put(in).flip();
      pending = p;
    }
  }

  // ---- decoding (loop thread) --------------------------------------------------------------

  private void process(ByteBuffer in) {
    while (!closed && in.hasRemaining() && canDecode()) {
      if (!handshakeDone) {
        if (!handshake(in)) {
          return;
        }
        continue;
      }
      if (skip > 0) {
        int n = (int) Math.min(skip, in.remaining());
        in.position(in.position() + n);
        skip -= n;
        continue;
      }
      boolean decoded;
      try {
        decoded = ProtocolDecoder.decodeRequest(in, version, frame);
      } catch (ProtocolException e) {
        long id = e.requestId() == ProtocolException.NO_REQUEST_ID ? 0 : e.requestId();
        answerError(id, e.status(), e.getMessage());
        if (!e.recoverable()) {
          if (version == Protocol.VERSION_2) {
            ByteBuffer out = loop.out;
            out.clear();
            ProtocolEncoder.close(out, CloseReason.PROTOCOL_ERROR);
            out.flip();
            submit(loop.scratch.set(out, null, false, 0, 0));
          }
          closeAfterFlush = true;
          return;
        }
        skip = e.skipBytes();
        continue;
      }
      if (!decoded) {
        return;
      }
      lastActivityNanos = System.nanoTime();
      if (frame.type() == Protocol.TYPE_CLOSE) {
        owedAtClose = inFlight;
      }
      if (mustWait()) {
        held = true;
        return;
      }
      serveFrame();
    }
  }

  /** Whether the decoded frame must wait for the requests in flight. */
  private boolean mustWait() {
    if (inFlight == 0) {
      return false;
    }
    if (frame.type() == Protocol.TYPE_CLOSE || version == Protocol.VERSION_1) {
      return true;
    }
    return (frame.flags() & 0x01) != 0 || !Capabilities.has(caps, Capabilities.OOO_REPLIES);
  }

  /** Reads HELLO (or decides on V1); false if more bytes are needed or the connection ends. */
  private boolean handshake(ByteBuffer in) {
    if (in.get(in.position()) != Protocol.MAGIC_FIRST_BYTE) {
      version = Protocol.VERSION_1;
      depth = 1;
      handshakeDone = true;
      return true;
    }
    Hello hello;
    try {
      hello = ProtocolDecoder.decodeHello(in);
    } catch (ProtocolException e) {
      log.debug("{}: rejected handshake: {}", peer, e.getMessage());
      closeAfterFlush = true; // no status in HELLO_ACK: a rejected HELLO closes the connection
      return false;
    }
    if (hello == null) {
      return false;
    }
    HelloAck ack = negotiate(hello);
    version = Protocol.VERSION_2;
    caps = ack.capabilities();
    depth = Math.max(1, ack.pipelineDepth());
    handshakeDone = true;
    ByteBuffer out = loop.out;
    out.clear();
    ProtocolEncoder.helloAck(out, ack);
    out.flip();
    submit(loop.scratch.set(out, null, false, 0, 0));
    log.debug("{}: V2 caps {} depth {}", peer, Capabilities.toString(caps), depth);
    return true;
  }

  /** The server's answer to a client's HELLO (SHARED_FD only to the peers trusted with it). */
  private HelloAck negotiate(Hello hello) {
    return HelloAck.negotiate(hello, server.capabilitiesFor(peer), server.maxPipeline, server.parallelism);
  }

  private void serveFrame() {
    if (frame.type() == Protocol.TYPE_CLOSE) {
      ByteBuffer out = loop.out;
      out.clear();
      ProtocolEncoder.closeAck(out, owedAtClose); // the owed answers are all out before this one
      out.flip();
      submit(loop.scratch.set(out, null, false, 0, 0));
      closeAfterFlush = true;
      return;
    }
    requestMode = frame.mode();
    try {
      serve(frame.requestId(), frame.flags(), frame.mode(), frame.uri());
    } finally {
      requestMode = null;
    }
  }

  private void serve(long id, int flags, Mode mode, String uri) {
    if (mode.isExtension()) {
      serveExtension(id, flags, mode, uri);
      return;
    }
    if (mode == Mode.SEGMENTED && !Capabilities.has(caps, Capabilities.SEGMENTED)) {
      answerError(id, Status.INVALID_MODE, "mode '4' (segmented) needs the SEGMENTED capability");
      return;
    }
    if ((mode == Mode.FDPASS || mode == Mode.SPLICE) && unix == null) {
      answerError(id, Status.UNSUPPORTED_OP, "descriptors cannot be passed over TCP: use COPY mode");
      return;
    }
    boolean writable = false;
    boolean delete = false;
    if (server.cCompat) {
      if (uri.equals("/list")) {
        answerError(id, Status.UNSUPPORTED_OP, "list is not supported");
        return;
      }
      if (uri.startsWith("/delete/")) {
        uri = uri.substring("/delete".length());
        if (!cCompatWriter) {
          answerError(id, Status.PERMISSION_DENIED, PeerAccess.notAWriter(peer, "delete " + uri));
          return;
        }
        delete = true;
      }
      // Only a writer creates on a miss and gets a read-write descriptor; anyone else reads
      // what exists (served here, as a writer's request is) and is denied a create.
      writable = cCompatWriter;
    }
    if (!ObjectNames.isValid(uri)) {
      answerError(id, Status.INVALID_REQUEST, invalidNameMessage(uri));
      return;
    }
    if (version == Protocol.VERSION_2 && inFlight >= depth) {
      answerError(id, Status.PROTOCOL_ERROR, "pipeline depth " + depth + " exceeded");
      return;
    }
    if (delete) {
      // Removing a file may wait (a commit of the same name holds its lock): a worker's job.
      WorkerRequest r = new WorkerRequest(this, id, Mode.DELETE, uri, version, false);
      r.cCompatDelete = mode;
      dispatch(r);
      return;
    }
    if (writable ? server.handler.mayBlockWritable(uri) : server.handler.mayBlock(uri)) {
      dispatch(id, mode, uri, writable);
      return;
    }
    ServedObject obj;
    try {
      obj = writable ? server.handler.acquireWritable(uri) : server.handler.acquire(uri);
    } catch (RuntimeException | Error t) { // an Error too: it would end this I/O thread and its connections
      RuntimeException e = AnswerEncoder.failure(t);
      answerError(id, failureStatus(e, writable), failureMessage(e, uri, writable));
      return;
    }
    answerObject(id, mode, obj, loop.out, loop.scratch);
  }

  /**
   * The status a failed open answers: a C-compatible peer that is not a writer, asking for a
   * missing object a writer's request would create, is denied the create.
   */
  Status failureStatus(RuntimeException e, boolean writable) {
    Status status = AnswerEncoder.statusOf(e);
    return status == Status.NOT_FOUND && server.cCompat && !writable ? Status.PERMISSION_DENIED : status;
  }

  /** The ERROR TLV text that goes with {@link #failureStatus}. */
  String failureMessage(RuntimeException e, String uri, boolean writable) {
    return failureStatus(e, writable) == Status.PERMISSION_DENIED && AnswerEncoder.statusOf(e) == Status.NOT_FOUND
        ? PeerAccess.notAWriter(peer, "create " + uri)
        : AnswerEncoder.messageOf(e, peer, peerKey);
  }

  private static String invalidNameMessage(String uri) {
    try {
      ObjectNames.validate(uri);
      return "invalid object name";
    } catch (InvalidObjectNameException e) {
      return e.getMessage();
    }
  }

  // ---- the write extension (loop thread; the work itself runs on workers) -------------------

  /**
   * PUT, COMMIT, ABORT, DELETE: every refusal is decided here, on the loop, without blocking;
   * what touches files is handed to a worker.
   */
  private void serveExtension(long id, int flags, Mode mode, String uri) {
    if (mode == Mode.STAT || mode == Mode.LIST) {
      serveInspect(id, mode, uri);
      return;
    }
    if (!Capabilities.has(caps, Capabilities.WRITE)) {
      answerError(id, Status.INVALID_MODE,
          "mode '" + (char) mode.code() + "' (" + mode + ") needs the WRITE capability (0x0200) in HELLO");
      return;
    }
    if (unix == null && mode != Mode.DELETE) {
      answerError(id, Status.UNSUPPORTED_OP, "puts pass a writable descriptor: they need the Unix socket, not TCP");
      return;
    }
    if (!server.mayWrite(peer)) {
      answerError(id, Status.PERMISSION_DENIED,
          PeerAccess.notAWriter(peer, mode.name().toLowerCase(java.util.Locale.ROOT) + " " + uri));
      return;
    }
    if (!ObjectNames.isValid(uri)) {
      answerError(id, Status.INVALID_REQUEST, invalidNameMessage(uri));
      return;
    }
    if (inFlight >= depth) {
      answerError(id, Status.PROTOCOL_ERROR, "pipeline depth " + depth + " exceeded");
      return;
    }
    RequestHandler.PendingPut put = null;
    if (mode == Mode.PUT) {
      if (puts == null) {
        puts = new ConcurrentHashMap<>();
      }
      if (puts.containsKey(uri)) {
        answerError(id, Status.INVALID_REQUEST, "a put of " + uri + " is already pending on this connection");
        return;
      }
      if (puts.size() >= MAX_PENDING_PUTS) {
        answerError(id, Status.UNAVAILABLE, "too many puts pending on this connection (at most "
            + MAX_PENDING_PUTS + "): commit or abort one first");
        return;
      }
      puts.put(uri, STAGING);
    } else if (mode == Mode.COMMIT || mode == Mode.ABORT) {
      Object p = puts == null ? null : puts.get(uri);
      if (!(p instanceof RequestHandler.PendingPut)) {
        answerError(id, Status.INVALID_REQUEST, p == null ? "no put of " + uri + " is pending on this connection"
            : "the put of " + uri + " is not answered yet");
        return;
      }
      puts.remove(uri);
      put = (RequestHandler.PendingPut) p;
    }
    WorkerRequest r = new WorkerRequest(this, id, mode, uri, version, false);
    r.flags = flags;
    r.put = put;
    dispatch(r);
  }

  /** STAT and LIST: read-only, for any peer that negotiated INSPECT; served by a worker. */
  private void serveInspect(long id, Mode mode, String uri) {
    if (!Capabilities.has(caps, Capabilities.INSPECT)) {
      answerError(id, Status.INVALID_MODE,
          "mode '" + (char) mode.code() + "' (" + mode + ") needs the INSPECT capability (0x0400) in HELLO");
      return;
    }
    boolean valid = mode == Mode.STAT ? ObjectNames.isValid(uri)
        : uri.equals("/") || (uri.startsWith("/") && ObjectNames.isValid(uri + "x"));
    if (!valid) {
      answerError(id, Status.INVALID_REQUEST, mode == Mode.STAT ? invalidNameMessage(uri)
          : "a LIST prefix starts with / and is the start of a valid name, not " + uri);
      return;
    }
    if (inFlight >= depth) {
      answerError(id, Status.PROTOCOL_ERROR, "pipeline depth " + depth + " exceeded");
      return;
    }
    dispatch(new WorkerRequest(this, id, mode, uri, version, false));
  }

  /**
   * The worker that staged {@code put} offers it to this connection (any thread); false if
   * the connection no longer waits for it (closed meanwhile), and then the caller aborts it.
   */
  boolean adoptPut(String uri, RequestHandler.PendingPut put) {
    ConcurrentHashMap<String, Object> p = puts;
    return p != null && !closed && p.replace(uri, STAGING, put) && !(closed && p.remove(uri, put));
  }

  /** Forgets a put this connection waited for (its PUT failed or timed out). */
  void forgetPut(String uri, Object put) {
    ConcurrentHashMap<String, Object> p = puts;
    if (p != null) {
      p.remove(uri, put == null ? STAGING : put);
    }
  }

  /** A closed connection's pending puts are aborted (their temporary files removed) by a worker. */
  private void abortPuts() {
    ConcurrentHashMap<String, Object> p = puts;
    if (p == null || p.isEmpty()) {
      return;
    }
    java.util.List<RequestHandler.PendingPut> pending = new java.util.ArrayList<>();
    for (String uri : p.keySet()) {
      Object v = p.remove(uri);
      if (v instanceof RequestHandler.PendingPut put) {
        pending.add(put);
      }
    }
    if (pending.isEmpty()) {
      return;
    }
    Runnable abort = () -> {
      for (RequestHandler.PendingPut put : pending) {
        try {
          put.abort();
        } catch (RuntimeException | Error e) {
          log.warn("{}: could not abort a pending put: {}", peer, e.toString());
        }
      }
    };
    try {
      server.backendWorkers.execute(abort);
    } catch (RejectedExecutionException e) {
      abort.run(); // the workers are stopping: remove the files here
    }
  }

  // ---- requests served by workers ----------------------------------------------------------

  /**
   * Hands a request that may block to a worker. Its answer may overtake others (V2 with
   * out-of-order replies); otherwise the next request waits for it. One timeout per request:
   * whichever of the worker and the timer claims the request first answers it.
   */
  private void dispatch(long id, Mode mode, String uri, boolean writable) {
    dispatch(new WorkerRequest(this, id, mode, uri, version, writable));
  }

  private void dispatch(WorkerRequest r) {
    long id = r.id;
    inFlight++;
    try {
      // The timeout first: a request completed at once must find it, to cancel it.
      r.timeout = server.timer.schedule(r::expire, server.requestTimeoutMillis, TimeUnit.MILLISECONDS);
      server.backendWorkers.execute(r);
    } catch (RejectedExecutionException e) {
      ScheduledFuture<?> t = r.timeout;
      if (t != null) {
        t.cancel(false);
      }
      inFlight--;
      if (r.mode == Mode.PUT) {
        forgetPut(r.uri, null);
      } else if (r.put != null) {
        puts.put(r.uri, r.put); // a COMMIT or ABORT not taken: the put stays pending
      }
      answerError(id, Status.UNAVAILABLE, "server busy");
    }
  }

  /** Queues an answer built off the loop's thread and wakes the loop (any thread; never blocks). */
  void post(Answer a) {
    inbox.add(a);
    if (closed) {
      dropInbox();
      return;
    }
    if (scheduled.compareAndSet(false, true)) {
      loop.ready(this);
    }
  }

  private void dropInbox() {
    Answer a;
    while ((a = inbox.poll()) != null) {
      a.release();
    }
  }

  // ---- answers ----------------------------------------------------------------------------

  /** Counts an answer to the request being served, or a worker's ({@code mode}), by status. */
  void counted(Mode mode, Status status) {
    server.requests.count(unix != null ? RequestCounts.Transport.UNIX : RequestCounts.Transport.TCP, version, mode,
        status);
  }

  private void counted(Status status) {
    counted(requestMode, status);
  }

  private void answerError(long id, Status status, String message) {
    counted(status);
    ByteBuffer out = loop.out;
    out.clear();
    ProtocolEncoder.error(out, version, id, status, message);
    out.flip();
    submit(loop.scratch.set(out, null, false, 0, 0));
  }

  private void answerObject(long id, Mode mode, ServedObject obj, ByteBuffer out, Answer a) {
    try {
      AnswerEncoder.encodeObject(version, id, mode, obj, unix != null, sharedFd(), answerMetadata(), out, a);
    } catch (RuntimeException e) {
      obj.release();
      answerError(id, AnswerEncoder.statusOf(e), AnswerEncoder.messageOf(e, peer, peerKey));
      return;
    }
    counted(Status.OK);
    submit(a);
  }

  /** The ERROR text of a failed answer to this peer (an internal error is logged, not told). */
  String errorMessage(RuntimeException e) {
    return AnswerEncoder.messageOf(e, peer, peerKey);
  }

  /** Whether descriptors this connection passes may be the shared cached description (SHARED_FD). */
  boolean sharedFd() {
    return Capabilities.has(caps, Capabilities.SHARED_FD);
  }

  /**
   * Whether an object's answer carries its SIZE, MTIME and BACKEND TLVs: not on V1 in the
   * C-compatible mode, whose answers are the C server's (no metadata, so the C client makes
   * one system call less per answer: it reads metadata with a read of its own).
   */
  boolean answerMetadata() {
    return !(server.cCompat && version == Protocol.VERSION_1);
  }

  // ---- writing (loop thread) ----------------------------------------------------------------

  /**
   * Answers: while the input at hand is being decoded, into the loop's batch (written once
   * it is decoded, or when the batch is full); otherwise now ({@link #write}). {@code a} may
   * be the loop's reusable answer.
   */
  private void submit(Answer a) {
    if (batching && !closed) {
      Answer[] b = loop.batch;
      if (loop.batched < b.length && b[loop.batched].fits(a)) {
        b[loop.batched++].takeFrom(a);
        return;
      }
      writeBatch(); // full, or too long to hold: what is held goes first
    }
    write(a);
  }

  /**
   * Writes {@code a} now if nothing waits before it and the socket takes it; otherwise
   * queues what is left. {@code a} may be one of the loop's reusable answers.
   */
  private void write(Answer a) {
    if (closed) {
      a.release();
      a.clear();
      return;
    }
    if (queued == 0) {
      try {
        if (a.writeTo(this)) {
          if (a.closeAfter) {
            closeAfterFlush = true;
          }
          a.clear();
          return;
        }
      } catch (IOException e) {
        log.debug("{}: write failed: {}", peer, e.toString());
        a.release();
        a.clear();
        close();
        return;
      } catch (RuntimeException e) {
        a.release(); // the caller closes the connection: its framing cannot be trusted any more
        a.clear();
        throw e;
      }
    }
    enqueue(a == loop.scratch || a.slotBytes != null ? a.detach() : a);
  }

  private void enqueue(Answer a) {
    if (queue == null) {
      queue = new ArrayDeque<>(4);
    }
    if (queued > 0) {
      a.park(); // it waits behind another: no description of its own meanwhile
    }
    if (queued == 0) {
      lastWriteNanos = System.nanoTime(); // the write timeout counts from here
      server.waitingForReader.incrementAndGet();
    }
    queue.add(a);
    queued++;
  }

  /** Writes queued answers until the socket is full. */
  private void flush() throws IOException {
    while (queued > 0) {
      Answer a = queue.peek();
      if (!a.writeTo(this)) {
        return;
      }
      queue.poll();
      if (--queued == 0) {
        server.waitingForReader.decrementAndGet();
      }
      if (a.closeAfter) {
        closeAfterFlush = true;
      }
    }
    if (queue != null && queue.isEmpty()) {
      queue = null; // an idle connection keeps nothing
    }
  }

  /**
   * Called on every write that made progress. The write timeout counts only while answers
   * wait in the queue ({@link #enqueue} starts it), so an answer written at once reads no clock.
   */
  void wrote() {
    if (queued > 0) {
      lastWriteNanos = System.nanoTime();
    }
  }

  /** Sends one {@code 'X'} with {@code fd}; false if the socket cannot take it now. */
  boolean sendDescriptor(FileDescriptor fd) throws IOException {
    FileDescriptor[] fds = loop.outboundFd;
    fds[0] = fd;
    unix.setOutboundFileDescriptors(fds);
    ByteBuffer m = loop.marker;
    m.clear();
    int n;
    try {
      n = ch.write(m);
    } finally {
      fds[0] = null;
    }
    if (n <= 0) {
      unix.setOutboundFileDescriptors((FileDescriptor[]) null);
      return false;
    }
    return true;
  }

  // ---- lifecycle (loop thread) ---------------------------------------------------------------

  /** Lets go of the kept input buffer if nothing came for {@code quietNanos} ({@link IoLoop}'s sweep). */
  void trim(long now, long quietNanos) {
    if (spare != null && now - lastActivityNanos >= quietNanos) {
      spare = null;
    }
  }

  /** Whether the idle or the write timeout has run out ({@link IoLoop}'s sweep). */
  boolean expired(long now) {
    if (closed) {
      return false;
    }
    if (queued > 0) {
      return server.writeTimeoutNanos > 0 && now - lastWriteNanos >= server.writeTimeoutNanos;
    }
    return server.idleTimeoutNanos > 0 && inFlight == 0 && !held
        && now - lastActivityNanos >= server.idleTimeoutNanos;
  }

  void closeExpired(long now) {
    if (queued > 0) {
      log.debug("{}: closing a connection that read nothing for {} ms", peer,
          TimeUnit.NANOSECONDS.toMillis(now - lastWriteNanos));
      server.writeTimeouts.increment();
      close();
      return;
    }
    log.debug("{}: closing idle connection", peer);
    sayClose(CloseReason.IDLE_TIMEOUT);
    close();
  }

  /** Tells a V2 client that the server is going away; it should answer CLOSE. */
  void announceShutdown() {
    if (closed) {
      return;
    }
    if (version != Protocol.VERSION_2 || !handshakeDone) {
      if (queued == 0 && inFlight == 0 && !held && pending == null) {
        close(); // nothing owed, nothing half-received: a V1 client just sees the end
      }
      return;
    }
    ByteBuffer out = loop.out;
    out.clear();
    ProtocolEncoder.close(out, CloseReason.SHUTTING_DOWN);
    out.flip();
    submit(loop.scratch.set(out, null, false, 0, 0));
    try {
      afterEvent();
    } catch (IOException e) {
      close();
    }
  }

  /** A last CLOSE to a V2 client, if the socket takes it now; nothing otherwise. */
  private void sayClose(int reason) {
    if (version != Protocol.VERSION_2 || !handshakeDone || queued > 0) {
      return;
    }
    ByteBuffer out = loop.out;
    out.clear();
    ProtocolEncoder.close(out, reason);
    out.flip();
    try {
      ch.write(out);
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Closes the socket and gives back everything queued (loop thread). Idempotent. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (loop.spins()) {
      server.served.forget(this);
    }
    if (key != null) {
      key.cancel();
    }
    ObjectServer.closeQuietly(ch);
    if (queue != null) {
      for (Answer a : queue) {
        a.release();
      }
      queue = null;
      if (queued > 0) {
        server.waitingForReader.decrementAndGet();
      }
      queued = 0;
    }
    dropInbox();
    abortPuts();
    pending = null;
    spare = null;
    loop.removed(this);
    server.connectionClosed(this);
  }

  boolean isClosed() {
    return closed;
  }
}
