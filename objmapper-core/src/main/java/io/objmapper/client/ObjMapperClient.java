package io.objmapper.client;

import io.objmapper.ObjMapperException;
import io.objmapper.protocol.Capabilities;
import io.objmapper.protocol.Capability;
import io.objmapper.protocol.Close;
import io.objmapper.protocol.CloseAck;
import io.objmapper.protocol.CloseReason;
import io.objmapper.protocol.Hello;
import io.objmapper.protocol.HelloAck;
import io.objmapper.protocol.Metadata;
import io.objmapper.protocol.Mode;
import io.objmapper.protocol.Protocol;
import io.objmapper.protocol.ProtocolEncoder;
import io.objmapper.protocol.ProtocolException;
import io.objmapper.protocol.RequestFlag;
import io.objmapper.protocol.Response;
import io.objmapper.protocol.Segment;
import io.objmapper.protocol.SegmentedResponse;
import io.objmapper.protocol.ServerMessage;
import io.objmapper.protocol.Status;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketChannel;

/**
 * A client of an objmapper server, over a Unix socket (descriptors passed) or TCP (bytes).
 * Thread-safe.
 *
 * <pre>{@code
 * try (ObjMapperClient client = ObjMapperClient.unix(Path.of("objmapper.sock")).connect();
 *      RemoteObject obj = client.get("/photos/cat.jpg")) {
 *   FileChannel ch = obj.channel(); // read-only, valid after the client closes
 * }
 * }</pre>
 *
 * <p>With protocol V2 requests are pipelined: {@link #getAsync} sends at once (blocking
 * only while the negotiated pipeline is full) and a reader thread completes the futures,
 * matching responses by request id, in whatever order the server answers. Error statuses
 * become {@link ObjMapperException}s ({@link io.objmapper.ObjectNotFoundException} for
 * NOT_FOUND, ...).
 */
public final class ObjMapperClient implements AutoCloseable {
  /** See {@link #tierNames()}. */
  private volatile List<String> tierNames = List.of();
  private final SocketChannel ch;
  private final boolean unix;
  private final int version;
  private final HelloAck session;
  private final Wire wire;
  private final ByteBuffer out = ByteBuffer.allocateDirect(Protocol.V2_REQUEST_HEADER_LENGTH + Protocol.MAX_URI_LENGTH);
  private final Object writeLock = new Object();
  private final Object v1Lock = new Object();
  private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
  private final Semaphore window;
  private final CompletableFuture<Long> closeAck = new CompletableFuture<>();
  private final Thread reader;
  private long nextId = 1;
  private boolean closeSent;
  private volatile boolean closing;
  private volatile IOException failure;

  private ObjMapperClient(Builder b) throws IOException {
    AFUNIXSocketChannel u = null;
    if (b.socket != null) {
      u = AFUNIXSocketChannel.open(AFUNIXSocketAddress.of(b.socket));
      ch = u;
      unix = true;
    } else {
      ch = SocketChannel.open(b.tcp);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      unix = false;
    }
    try {
      wire = new Wire(ch, u, 64 * 1024);
      version = b.version;
      if (version == Protocol.VERSION_2) {
        out.clear();
        // WRITE and INSPECT are always asked for: they only let this client send puts, deletes,
        // stats and lists; the server still allows writes per request to its writers alone.
        int caps = b.capabilities | Capabilities.WRITE | Capabilities.INSPECT
            | (b.sharedDescriptors ? Capabilities.SHARED_FD : 0);
        ProtocolEncoder.hello(out, new Hello(caps, b.maxPipeline));
        out.flip();
        writeFully(out);
        session = wire.readHelloAck();
        window = new Semaphore(Math.max(1, session.pipelineDepth()));
        reader = new Thread(this::readLoop, "objmapper-client-reader");
        reader.setDaemon(true);
        reader.start();
      } else {
        session = null;
        window = null;
        reader = null;
      }
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** A client of the server listening on the Unix socket {@code socket}. */
  public static Builder unix(Path socket) {
    return new Builder(Objects.requireNonNull(socket, "socket"), null);
  }

  /** A client of the server listening on TCP {@code host:port} (COPY mode only). */
  public static Builder tcp(String host, int port) {
    return new Builder(null, new InetSocketAddress(host, port));
  }

  /** 1 or 2. */
  public int version() {
    return version;
  }

  /** What the server agreed to in the V2 handshake, or {@code null} for V1. */
  public HelloAck session() {
    return session;
  }

  /** The capabilities both sides agreed to in the V2 handshake (unmodifiable); none for V1. */
  public Set<Capability> capabilities() {
    return session == null ? Set.of() : Capability.of(session.capabilities());
  }

  /** The object named {@code uri}: a descriptor over a Unix socket, bytes over TCP. */
  public RemoteObject get(String uri) throws IOException {
    return get(uri, unix ? Mode.FDPASS : Mode.COPY);
  }

  /**
   * The object named {@code uri}, delivered in {@code mode}.
   *
   * @throws ObjMapperException for an error status (NOT_FOUND, INVALID_REQUEST, ...)
   * @throws IOException if the connection fails
   */
  public RemoteObject get(String uri, Mode mode) throws IOException {
    checkNotReader();
    if (version == Protocol.VERSION_1) {
      return getV1(uri, mode);
    }
    return await(send(uri, mode, 0));
  }

  /**
   * Sends a V2 request now and returns its future answer. Blocks while the negotiated
   * pipeline is full. The future fails with an {@link ObjMapperException} for an error
   * status and with an {@link IOException} if the connection fails.
   *
   */
  public CompletableFuture<RemoteObject> getAsync(String uri, Mode mode) throws IOException {
    return send(uri, mode, 0);
  }

  /**
   * {@link #getAsync(String, Mode)} with per-request flags: {@link RequestFlag#ORDERED} keeps
   * the answer from overtaking the answers to earlier requests.
   */
  public CompletableFuture<RemoteObject> getAsync(String uri, Mode mode, Set<RequestFlag> flags)
      throws IOException {
    return send(uri, mode, RequestFlag.mask(Objects.requireNonNull(flags, "flags")));
  }

  /** Sends a V2 request with the flag byte {@code flags}. */
  private CompletableFuture<RemoteObject> send(String uri, Mode mode, int flags) throws IOException {
    if (version != Protocol.VERSION_2) {
      throw new IllegalStateException("pipelined requests need protocol V2");
    }
    byte[] uriBytes = requestUri(uri, mode, flags);
    checkOpen();
    try {
      window.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
    Pending p = new Pending(uri, mode);
    synchronized (writeLock) {
      try {
        checkOpen();
      } catch (IOException e) {
        window.release();
        throw e;
      }
      long id = nextId;
      nextId = nextId == 0xFFFF_FFFFL ? 1 : nextId + 1;
      pending.put(id, p);
      out.clear();
      ProtocolEncoder.requestV2(out, id, flags, mode, uriBytes);
      out.flip();
      try {
        writeFully(out);
      } catch (IOException e) {
        if (pending.remove(id) != null) { // else fail() on the reader already failed it and freed its slot
          window.release();
        }
        fail(e);
        throw e;
      }
      IOException failed = failure;
      if (failed != null && pending.remove(id) != null) {
        // the connection failed after checkOpen() but before fail() could see this request
        window.release();
        p.future.completeExceptionally(failed);
      }
    }
    return p.future;
  }

  // ---- the write extension ---------------------------------------------------------------

  /** Writes a put's content into the temporary file the server passed. */
  @FunctionalInterface
  private interface Content {
    void writeTo(FileChannel target) throws IOException;
  }

  /**
   * Stores {@code content} as object {@code name}, atomically: the server hands this client a
   * writable descriptor to a fresh temporary file (PUT), the client writes it, and the server
   * syncs and publishes it (COMMIT); readers see the old version or the whole new one. On any
   * failure the put is abandoned (ABORT) and nothing changes.
   *
   * <p>A content that cannot be written (the source fails or shrinks, the temporary file
   * refuses it) is a {@link PutContentException}: the put is abandoned and the connection
   * stays usable; any other {@link IOException} is the connection's.
   *
   * @param flags EPHEMERAL and/or PINNED for the new object
   * @throws io.objmapper.PermissionDeniedException if this peer is not one of the server's writers
   * @throws io.objmapper.StorageException if it does not fit (STORAGE_ERROR) or cannot be stored
   * @throws ObjMapperException for any other error status (INVALID_REQUEST for a bad name, ...)
   * @throws UnsupportedOperationException without a V2 Unix-socket session granting WRITE
   */
  public StoredObject put(String name, byte[] content, io.objmapper.ObjectFlag... flags) throws IOException {
    Objects.requireNonNull(content, "content");
    return put(name, flags, target -> {
      ByteBuffer b = ByteBuffer.wrap(content);
      while (b.hasRemaining()) {
        target.write(b);
      }
    });
  }

  /**
   * {@link #put(String, byte[], io.objmapper.ObjectFlag...)} of the content of {@code file}
   * (a symbolic link is followed, as {@code cp} does). The new object gets the server's file
   * mode, not the file's.
   *
   * @throws java.nio.file.FileSystemException if {@code file} is not a regular file (a FIFO or
   *     device is refused at once, never waited on)
   */
  public StoredObject put(String name, Path file, io.objmapper.ObjectFlag... flags) throws IOException {
    Objects.requireNonNull(file, "file");
    try (io.objmapper.spi.dir.SourceFile src = io.objmapper.spi.dir.SourceFile.open(file)) {
      return put(name, src.channel(), flags);
    }
  }

  /**
   * {@link #put(String, byte[], io.objmapper.ObjectFlag...)} of the content of {@code in}
   * from position 0 to its size (not closed here).
   *
   * @throws PutContentException if it shrank while being sent (its cause an {@link java.io.EOFException})
   *     or could not be read
   */
  public StoredObject put(String name, FileChannel in, io.objmapper.ObjectFlag... flags) throws IOException {
    Objects.requireNonNull(in, "in");
    return put(name, flags, target -> {
      long size = in.size();
      long done = 0;
      while (done < size) {
        long n = in.transferTo(done, size - done, target);
        if (n <= 0) {
          throw new java.io.EOFException("the source shrank while being sent");
        }
        done += n;
      }
    });
  }

  /** {@link #put(String, byte[], io.objmapper.ObjectFlag...)} of what {@code in} yields (not closed here). */
  public StoredObject put(String name, java.io.InputStream in, io.objmapper.ObjectFlag... flags) throws IOException {
    Objects.requireNonNull(in, "in");
    return put(name, flags, target -> {
      byte[] chunk = new byte[64 * 1024];
      int n;
      while ((n = in.read(chunk)) >= 0) {
        ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
        while (b.hasRemaining()) {
          target.write(b);
        }
      }
    });
  }

  /**
   * Deletes object {@code name} (DELETE); false if there was none.
   *
   * @throws io.objmapper.PermissionDeniedException if this peer is not one of the server's writers
   * @throws UnsupportedOperationException without a V2 session granting WRITE
   */
  public boolean delete(String name) throws IOException {
    checkWriteSession(false);
    try (RemoteObject done = await(send(name, Mode.DELETE, 0))) {
      return true;
    } catch (io.objmapper.ObjectNotFoundException e) {
      return false;
    }
  }

  /**
   * What the server's store knows of object {@code name} (STAT), without fetching it; empty if
   * there is none.
   *
   * @throws UnsupportedOperationException without a V2 session granting INSPECT
   */
  public java.util.Optional<StoredObject> stat(String name) throws IOException {
    checkInspectSession();
    try (RemoteObject o = await(send(name, Mode.STAT, 0))) {
      learnTierNames(o.metadata());
      List<StoredObject> one = listing(o);
      return one.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(one.get(0));
    } catch (io.objmapper.ObjectNotFoundException e) {
      return java.util.Optional.empty();
    }
  }

  /**
   * The objects whose names start with {@code prefix} (LIST), sorted by name. A server answers
   * at most {@link io.objmapper.protocol.ListingLines#MAX_LINES}; more is UNSUPPORTED_OP.
   *
   * @throws UnsupportedOperationException without a V2 session granting INSPECT
   */
  public List<StoredObject> list(String prefix) throws IOException {
    checkInspectSession();
    try (RemoteObject o = await(send(prefix, Mode.LIST, 0))) {
      learnTierNames(o.metadata());
      return listing(o);
    }
  }

  /**
   * The server's tier names in id order ({@link StoredObject#tierId()} indexes them), as its
   * last STAT, LIST or put answer told (the TIERS TLV); empty before any, or from a server
   * that does not send them.
   */
  public List<String> tierNames() {
    return tierNames;
  }

  private void learnTierNames(Metadata m) {
    List<String> names = m.tierNames();
    if (!names.isEmpty()) {
      tierNames = names;
    }
  }

  private static List<StoredObject> listing(RemoteObject o) throws ProtocolException {
    List<StoredObject> found = new ArrayList<>();
    for (io.objmapper.protocol.ListingLines.Entry e : io.objmapper.protocol.ListingLines.parse(o.bytes())) {
      found.add(new StoredObject(e.name(), e.size(), e.mtimeSeconds(), e.tierId(),
          (e.flags() & io.objmapper.protocol.ListingLines.EPHEMERAL) != 0,
          (e.flags() & io.objmapper.protocol.ListingLines.PINNED) != 0));
    }
    return found;
  }

  private void checkInspectSession() {
    if (version != Protocol.VERSION_2 || !session.has(Capabilities.INSPECT)) {
      throw new UnsupportedOperationException("STAT and LIST need a V2 session in which the server granted INSPECT "
          + "(0x0400)");
    }
  }

  private StoredObject put(String name, io.objmapper.ObjectFlag[] flags, Content content) throws IOException {
    checkWriteSession(true);
    int flagByte = 0;
    for (io.objmapper.ObjectFlag f : flags) {
      flagByte |= f == io.objmapper.ObjectFlag.EPHEMERAL ? io.objmapper.protocol.RequestFlags.PUT_EPHEMERAL
          : io.objmapper.protocol.RequestFlags.PUT_PINNED;
    }
    boolean written = false;
    try (RemoteObject temp = await(send(name, Mode.PUT, flagByte))) {
      try (java.io.FileOutputStream f = new java.io.FileOutputStream(temp.descriptor())) {
        content.writeTo(f.getChannel()); // this client's own description: offset 0, nobody else's
      } catch (IOException e) {
        throw new PutContentException(name, e); // the source's or the file's, not the connection's
      }
      written = true;
    } finally {
      if (!written) {
        abortQuietly(name);
      }
    }
    try (RemoteObject done = await(send(name, Mode.COMMIT, 0))) {
      Metadata m = done.metadata();
      learnTierNames(m);
      return new StoredObject(name, m.size().orElse(0), m.mtimeSeconds().orElse(0),
          m.backend().isPresent() ? m.backend().getAsInt() : -1,
          (flagByte & io.objmapper.protocol.RequestFlags.PUT_EPHEMERAL) != 0,
          (flagByte & io.objmapper.protocol.RequestFlags.PUT_PINNED) != 0);
    }
  }

  private void abortQuietly(String name) {
    try {
      await(send(name, Mode.ABORT, 0)).close();
    } catch (IOException | RuntimeException e) {
      // the connection is failing or the put is gone: the server removes the file either way
    }
  }

  private void checkWriteSession(boolean descriptor) {
    if (version != Protocol.VERSION_2 || !session.has(Capabilities.WRITE)) {
      throw new UnsupportedOperationException("writes need a V2 session in which the server granted WRITE (0x0200)");
    }
    if (descriptor && !unix) {
      throw new UnsupportedOperationException("puts pass a writable descriptor: they need a Unix socket");
    }
  }

  private RemoteObject await(CompletableFuture<RemoteObject> f) throws IOException {
    checkNotReader();
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      if (c instanceof IOException) {
        throw (IOException) c;
      }
      throw new IOException(c);
    }
  }

  /**
   * Checks a request's arguments before anything is taken (a pipeline slot, a request id),
   * so a bad argument costs nothing; returns the URI's UTF-8 bytes.
   */
  /**
   * The typed exception for an error status received from a server: the {@link
   * io.objmapper.ErrorCode} of the same name (NOT_FOUND: {@link io.objmapper.ObjectNotFoundException},
   * STORAGE_ERROR: {@link io.objmapper.StorageException}). An unknown status code is reported
   * as INTERNAL_ERROR, with the code in the message.
   */
  static ObjMapperException remoteError(int code, String message) {
    Status status = Status.of(code);
    String text = message == null || message.isEmpty() ? Status.nameOf(code) : message;
    if (status == null || status == Status.OK) {
      return new ObjMapperException(io.objmapper.ErrorCode.INTERNAL_ERROR,
          "unknown status " + Status.nameOf(code) + ": " + text);
    }
    return ObjMapperException.of(io.objmapper.ErrorCode.valueOf(status.name()), text);
  }

  private static byte[] requestUri(String uri, Mode mode, int flags) {
    if (mode == null) {
      throw new IllegalArgumentException("mode == null");
    }
    if (flags < 0 || flags > 0xFF) {
      throw new IllegalArgumentException("flags not a u8: " + flags);
    }
    byte[] bytes = ProtocolEncoder.utf8(uri);
    if (bytes.length == 0 || bytes.length > Protocol.MAX_URI_LENGTH) {
      throw new IllegalArgumentException("URI of " + bytes.length + " bytes, not in 1.." + Protocol.MAX_URI_LENGTH);
    }
    return bytes;
  }

  /** Every object of {@code uris}, pipelined; the list is in the order of {@code uris}. */
  public List<RemoteObject> getAll(List<String> uris, Mode mode) throws IOException {
    checkNotReader();
    if (version == Protocol.VERSION_1) {
      List<RemoteObject> list = new ArrayList<>(uris.size());
      for (String uri : uris) {
        list.add(getV1(uri, mode));
      }
      return list;
    }
    List<CompletableFuture<RemoteObject>> futures = new ArrayList<>(uris.size());
    for (String uri : uris) {
      futures.add(send(uri, mode, 0));
    }
    List<RemoteObject> list = new ArrayList<>(uris.size());
    IOException ioError = null;
    RuntimeException error = null;
    for (CompletableFuture<RemoteObject> f : futures) {
      try {
        list.add(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException && error == null) {
          error = (RuntimeException) c;
        } else if (c instanceof IOException && ioError == null) {
          ioError = (IOException) c;
        }
      }
    }
    if (error != null || ioError != null) {
      list.forEach(RemoteObject::close);
      if (error != null) {
        throw error;
      }
      throw ioError;
    }
    return list;
  }

  private RemoteObject getV1(String uri, Mode mode) throws IOException {
    byte[] uriBytes = requestUri(uri, mode, 0);
    synchronized (v1Lock) {
      checkOpen();
      out.clear();
      ProtocolEncoder.requestV1(out, mode, uriBytes);
      out.flip();
      try {
        writeFully(out);
        return complete(uri, mode, (Response) wire.readMessage(Protocol.VERSION_1));
      } catch (ProtocolException e) {
        fail(e);
        throw e;
      } catch (ObjMapperException e) {
        throw e;
      } catch (IOException e) {
        fail(e);
        throw e;
      }
    }
  }

  /** Reads what follows a response and makes the object, or throws its error. */
  private RemoteObject complete(String uri, Mode mode, Response r) throws IOException {
    Metadata m = r.metadata();
    if (!r.ok()) {
      if (r.contentLength() > 0 && mode == Mode.COPY) {
        wire.readBytes(r.contentLength()); // keep the framing
      }
      throw remoteError(r.status(), m.error());
    }
    long size = m.size().orElse(r.contentLength());
    if (r.fdFollows(mode)) {
      FileInputStream f = wire.readDescriptor();
      if (m.size().isEmpty()) {
        size = f.getChannel().size();
      }
      return new RemoteObject(uri, r.requestId(), m, size, f, null, List.of(), RemoteObject.noFiles());
    }
    if (mode == Mode.COPY || mode == Mode.STAT || mode == Mode.LIST) {
      ByteBuffer content = wire.readBytes(r.contentLength());
      return new RemoteObject(uri, r.requestId(), m, r.contentLength(), null, content, List.of(), RemoteObject.noFiles());
    }
    // OK with a content length but no descriptor: the C server's answer to a delete; no body.
    return new RemoteObject(uri, r.requestId(), m, 0, null, ByteBuffer.allocate(0), List.of(), RemoteObject.noFiles());
  }

  private RemoteObject completeSegmented(String uri, SegmentedResponse s) throws IOException {
    ByteBuffer inline = wire.readBytes(s.inlineLength());
    List<FileInputStream> files = RemoteObject.files(s.segments().size());
    try {
      FileInputStream current = null;
      for (Segment seg : s.segments()) {
        if (seg.carriesDescriptor()) {
          current = wire.readDescriptor();
          files.add(current);
        } else if (seg.type() != Segment.INLINE) {
          files.add(current); // REUSE_FD: the previous descriptor again
        }
      }
    } catch (IOException e) {
      new RemoteObject(uri, s.requestId(), s.metadata(), 0, null, null, List.of(), files).close();
      throw e;
    }
    List<FileInputStream> perFd = RemoteObject.files(files.size());
    for (FileInputStream f : files) {
      if (perFd.isEmpty() || perFd.get(perFd.size() - 1) != f) {
        perFd.add(f);
      }
    }
    RemoteObject obj = new RemoteObject(uri, s.requestId(), s.metadata(), s.contentLength(), null, inline,
        s.segments(), perFd);
    if (s.status() != Status.OK.code()) {
      obj.close();
      throw remoteError(s.status(), s.metadata().error());
    }
    return obj;
  }

  private void readLoop() {
    try {
      while (true) {
        ServerMessage m = wire.readMessage(Protocol.VERSION_2);
        if (m instanceof Response) {
          Response r = (Response) m;
          Pending p = take(r.requestId());
          try {
            RemoteObject obj = complete(p.uri, p.mode, r);
            if (!p.future.complete(obj)) {
              obj.close(); // the caller gave up on it (cancelled, timed out): its descriptor is ours to close
            }
          } catch (ObjMapperException e) {
            p.future.completeExceptionally(e);
          } catch (IOException | RuntimeException e) {
            p.future.completeExceptionally(e); // taken from pending: fail() would not see it
            throw e;
          }
        } else if (m instanceof SegmentedResponse) {
          SegmentedResponse s = (SegmentedResponse) m;
          Pending p = take(s.requestId());
          try {
            RemoteObject obj = completeSegmented(p.uri, s);
            if (!p.future.complete(obj)) {
              obj.close();
            }
          } catch (ObjMapperException e) {
            p.future.completeExceptionally(e);
          } catch (IOException | RuntimeException e) {
            p.future.completeExceptionally(e);
            throw e;
          }
        } else if (m instanceof Close) {
          // The server is going away: answer CLOSE; owed responses still arrive before CLOSE_ACK.
          closing = true;
          sendClose(CloseReason.NORMAL);
        } else if (m instanceof CloseAck) {
          closeAck.complete(((CloseAck) m).outstanding());
          fail(new IOException("connection closed"));
          return;
        }
      }
    } catch (IOException e) {
      fail(e);
    } catch (RuntimeException e) {
      fail(new IOException("client reader failed", e));
    } finally {
      wire.closeUnclaimed();
    }
  }

  private Pending take(long id) throws ProtocolException {
    Pending p = pending.remove(id);
    if (p == null) {
      throw new ProtocolException(Status.PROTOCOL_ERROR, "response to unknown request id " + id);
    }
    window.release();
    return p;
  }

  private void sendClose(int reason) {
    synchronized (writeLock) {
      if (closeSent) {
        return;
      }
      closeSent = true;
      out.clear();
      ProtocolEncoder.close(out, reason);
      out.flip();
      try {
        writeFully(out);
      } catch (IOException e) {
        fail(e);
      }
    }
  }

  private void fail(IOException e) {
    if (failure == null) {
      failure = e;
    }
    closing = true;
    closeAck.completeExceptionally(e); // no CLOSE_ACK can come any more: close() must not wait for one
    for (Long id : new ArrayList<>(pending.keySet())) {
      Pending p = pending.remove(id);
      if (p != null) {
        p.future.completeExceptionally(e);
        if (window != null) {
          window.release();
        }
      }
    }
    try {
      ch.close();
    } catch (IOException ignored) {
      // already failing
    }
    if (reader == null || Thread.currentThread() == reader) {
      // Only the thread that reads touches the wire's descriptors (V2: the reader, which
      // also gets here once the closed channel ends its read; V1: callers under v1Lock).
      wire.closeUnclaimed();
    }
  }

  /**
   * Futures complete on the client's reader thread, so a callback runs there: waiting for
   * another answer on that thread would wait for itself.
   */
  private void checkNotReader() {
    if (reader != null && Thread.currentThread() == reader) {
      throw new IllegalStateException("a blocking call from a future's callback would wait for itself: "
          + "use getAsync and compose, or hand the work to an executor (thenApplyAsync)");
    }
  }

  private void checkOpen() throws IOException {
    if (failure != null) {
      throw new IOException("connection is closed: " + failure.getMessage(), failure);
    }
    if (closing) {
      throw new ObjMapperException(io.objmapper.ErrorCode.UNAVAILABLE, "connection is closing");
    }
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /**
   * Closes gracefully: V2 sends CLOSE and waits (briefly) for the server's CLOSE_ACK after
   * owed responses; then the socket is closed. Objects already received stay valid.
   */
  @Override
  public void close() throws IOException {
    boolean onReader = reader != null && Thread.currentThread() == reader;
    if (version == Protocol.VERSION_2 && failure == null && !onReader) {
      closing = true;
      sendClose(CloseReason.NORMAL);
      try {
        closeAck.get(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        // the server did not acknowledge: close anyway
      }
    }
    closing = true;
    synchronized (v1Lock) {
      fail(new IOException("client closed"));
    }
    if (reader != null && !onReader) {
      try {
        reader.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static final class Pending {
    final String uri;
    final Mode mode;
    final CompletableFuture<RemoteObject> future = new CompletableFuture<>();

    Pending(String uri, Mode mode) {
      this.uri = uri;
      this.mode = mode;
    }
  }

  /** How to connect. */
  public static final class Builder {
    private static final Set<Capability> DEFAULT_CAPABILITIES =
        Set.of(Capability.OOO_REPLIES, Capability.PIPELINING, Capability.SEGMENTED);

    private final Path socket;
    private final InetSocketAddress tcp;
    private int version = Protocol.VERSION_2;
    private int capabilities = Capability.mask(DEFAULT_CAPABILITIES);
    private int maxPipeline = 100;
    private boolean sharedDescriptors;

    private Builder(Path socket, InetSocketAddress tcp) {
      this.socket = socket;
      this.tcp = tcp;
    }

    /** Protocol 1 (ordered, no handshake) or 2 (default). */
    public Builder version(int version) {
      if (version != Protocol.VERSION_1 && version != Protocol.VERSION_2) {
        throw new IllegalArgumentException("version must be 1 or 2");
      }
      this.version = version;
      return this;
    }

    /**
     * Capabilities offered in HELLO (the server agrees to those it offers too); default
     * OOO_REPLIES, PIPELINING and SEGMENTED. Without OOO_REPLIES answers come in request order.
     */
    public Builder capabilities(Set<Capability> capabilities) {
      this.capabilities = Capability.mask(Objects.requireNonNull(capabilities, "capabilities"));
      return this;
    }

    /**
     * Asks for SHARED_FD (V2 over a Unix socket; default off): received descriptors may then
     * be the server's cached open file description, shared with other such clients. Only
     * for a client that reads them positionally ({@code FileChannel.read(buf, position)},
     * {@code map}, {@code transferTo}) and never changes their status flags: a relative read
     * or seek would move the offset of every other holder. The server grants it only to
     * peers it trusts with it ({@code client.session().has(Capabilities.SHARED_FD)}
     * tells); otherwise every descriptor is the client's own.
     */
    public Builder sharedDescriptors(boolean on) {
      this.sharedDescriptors = on;
      return this;
    }

    /** Deepest pipeline asked for (1..1000, or 0 for the server's); default 100. */
    public Builder maxPipeline(int depth) {
      if (depth < 0 || depth > Protocol.MAX_PIPELINE_DEPTH) {
        throw new IllegalArgumentException("maxPipeline not in 0.." + Protocol.MAX_PIPELINE_DEPTH);
      }
      this.maxPipeline = depth;
      return this;
    }

    /** Connects (and for V2 shakes hands). */
    public ObjMapperClient connect() throws IOException {
      return new ObjMapperClient(this);
    }
  }

  @Override
  public String toString() {
    return "ObjMapperClient{v" + version + (session != null ? ", " + Capabilities.toString(session.capabilities()) : "")
        + "}";
  }
}
