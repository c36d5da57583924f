package io.objmapper.server;

import io.objmapper.ErrorCode;
import io.objmapper.ObjMapperException;
import io.objmapper.ObjectFlag;
import io.objmapper.ObjectInfo;
import io.objmapper.ObjectNotFoundException;
import io.objmapper.protocol.ListingLines;
import io.objmapper.protocol.Mode;
import io.objmapper.protocol.Protocol;
import io.objmapper.protocol.ProtocolEncoder;
import io.objmapper.protocol.RequestFlags;
import io.objmapper.protocol.Status;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Serves the write extension on a worker (every refusal was answered on the loop before):
 * PUT stages a temporary file and answers with a writable descriptor of the client's own to
 * it; COMMIT publishes it and answers its SIZE, MTIME, BACKEND and TIERS; ABORT removes it; DELETE
 * deletes the object. COMMIT, ABORT and DELETE answers carry neither body nor descriptor
 * (status 0, content_len 0: the client knows from its request's mode that no descriptor follows).
 * STAT and LIST answer a body of {@link ListingLines}.
 */
final class WriteRequests {
  private WriteRequests() {}

  static void serve(Connection c, WorkerRequest r) {
    if (r.mode == Mode.PUT) {
      put(c, r);
      return;
    }
    Answer a;
    try {
      a = switch (r.mode) {
        case COMMIT -> published(r, r.put.commit(), c.server.tiersTlv);
        case ABORT -> {
          r.put.abort();
          yield done(r, 0);
        }
        case DELETE -> {
          c.server.handler.delete(r.uri);
          yield r.cCompatDelete != null ? cCompatDeleted(r) : done(r, 0);
        }
        case STAT -> stat(r, c.server.handler.stat(r.uri)
            .orElseThrow(() -> new ObjectNotFoundException("no object " + r.uri)), c.server.tiersTlv);
        case LIST -> list(r, c.server.handler.list(r.uri), c.server.tiersTlv);
        default -> throw new IllegalStateException("mode " + r.mode);
      };
    } catch (RuntimeException | Error e) {
      if (r.put != null) {
        abortQuietly(c, r.put); // a failed commit leaves no temporary file
      }
      a = error(c, r, AnswerEncoder.failure(e));
    }
    r.finish(a);
  }

  private static void put(Connection c, WorkerRequest r) {
    RequestHandler.PendingPut p = null;
    ServedObject writer = null;
    Answer a;
    if (!c.server.pendingPuts.tryAcquire()) {
      c.forgetPut(r.uri, null);
      r.status = Status.UNAVAILABLE;
      r.finish(AnswerEncoder.errorAnswer(r.version, r.id, Status.UNAVAILABLE, "too many puts pending on this server "
          + "(at most " + c.server.maxPendingPuts + "): commit or abort one, or try again later"));
      return;
    }
    try {
      try {
        p = new CountedPut(c.server.handler.beginPut(r.uri, objectFlags(r.flags)), c.server.pendingPuts);
      } catch (RuntimeException | Error e) {
        c.server.pendingPuts.release();
        throw e;
      }
      writer = p.writer();
      if (!c.adoptPut(r.uri, p)) {
        writer.release();
        abortQuietly(c, p);
        // The connection closed meanwhile: the answer only cancels the timeout (a closed connection drops it).
        r.status = Status.UNAVAILABLE;
        r.finish(AnswerEncoder.errorAnswer(r.version, r.id, Status.UNAVAILABLE, "connection closed"));
        return;
      }
      ByteBuffer out = ByteBuffer.allocate(IoLoop.OUT_CAPACITY);
      a = new Answer();
      AnswerEncoder.encodeObject(r.version, r.id, Mode.FDPASS, writer, true, false, true, out, a);
    } catch (RuntimeException | Error e) {
      if (writer != null) {
        writer.release();
      }
      c.forgetPut(r.uri, null);
      if (p != null) {
        c.forgetPut(r.uri, p);
        abortQuietly(c, p);
      }
      a = error(c, r, AnswerEncoder.failure(e));
    }
    if (!r.finish(a) && p != null) {
      c.forgetPut(r.uri, p); // answered TIMEOUT: the client does not know of this put
      abortQuietly(c, p);
    }
  }

  /** A staged put that gives its server-wide slot back once, when it is committed or aborted. */
  private static final class CountedPut implements RequestHandler.PendingPut {
    private final RequestHandler.PendingPut put;
    private final java.util.concurrent.Semaphore slots;
    private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

    CountedPut(RequestHandler.PendingPut put, java.util.concurrent.Semaphore slots) {
      this.put = put;
      this.slots = slots;
    }

    @Override
    public ServedObject writer() {
      return put.writer();
    }

    @Override
    public RequestHandler.Published commit() {
      try {
        return put.commit();
      } finally {
        end(); // a failed commit is aborted next
      }
    }

    @Override
    public void abort() {
      try {
        put.abort();
      } finally {
        end();
      }
    }

    private void end() {
      if (ended.compareAndSet(false, true)) {
        slots.release();
      }
    }
  }

  /** The request flags' object flags: PUT_EPHEMERAL, PUT_PINNED. */
  static int objectFlags(int requestFlags) {
    int mask = 0;
    if ((requestFlags & RequestFlags.PUT_EPHEMERAL) != 0) {
      mask |= ObjectFlag.EPHEMERAL.bit();
    }
    if ((requestFlags & RequestFlags.PUT_PINNED) != 0) {
      mask |= ObjectFlag.PINNED.bit();
    }
    return mask;
  }

  private static Answer published(WorkerRequest r, RequestHandler.Published p, byte[] tiers) {
    int metaLen = AnswerEncoder.metadataLength(p.tierId()) + tiers.length;
    ByteBuffer out = ByteBuffer.allocate(Protocol.V2_RESPONSE_HEADER_LENGTH + metaLen);
    ProtocolEncoder.responseHeader(out, r.version, r.id, Status.OK, 0, metaLen);
    AnswerEncoder.putMetadata(out, p.size(), p.mtimeSeconds(), p.tierId());
    out.put(tiers).flip();
    return new Answer().set(out, null, false, 0, 0);
  }

  /** STAT: SIZE, MTIME, BACKEND, TIERS and a body of the object's one listing line. */
  private static Answer stat(WorkerRequest r, ObjectInfo o, byte[] tiers) {
    byte[] body = line(o).getBytes(StandardCharsets.UTF_8);
    int metaLen = AnswerEncoder.metadataLength(o.tierId()) + tiers.length;
    ByteBuffer out = ByteBuffer.allocate(Protocol.V2_RESPONSE_HEADER_LENGTH + metaLen + body.length);
    ProtocolEncoder.responseHeader(out, r.version, r.id, Status.OK, body.length, metaLen);
    AnswerEncoder.putMetadata(out, o.size(), Math.floorDiv(o.mtimeMillis(), 1000), o.tierId());
    out.put(tiers).put(body).flip();
    return new Answer().set(out, null, false, 0, 0);
  }

  /**
   * LIST: TIERS and a body of one listing line per object (none: content_len 0), or
   * UNSUPPORTED_OP if too many.
   */
  private static Answer list(WorkerRequest r, List<ObjectInfo> objects, byte[] tiers) {
    if (objects.size() > ListingLines.MAX_LINES) {
      throw new ObjMapperException(ErrorCode.UNSUPPORTED_OP, objects.size() + " objects under " + r.uri
          + ", more than a LIST answers (" + ListingLines.MAX_LINES + "): list a longer prefix");
    }
    StringBuilder b = new StringBuilder(objects.size() * 48);
    for (ObjectInfo o : objects) {
      b.append(line(o));
    }
    byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(Protocol.V2_RESPONSE_HEADER_LENGTH + tiers.length + body.length);
    ProtocolEncoder.responseHeader(out, r.version, r.id, Status.OK, body.length, tiers.length);
    out.put(tiers).put(body).flip();
    return new Answer().set(out, null, false, 0, 0);
  }

  private static String line(ObjectInfo o) {
    return ListingLines.line(o.name(), o.size(), o.tierId(), Math.floorDiv(o.mtimeMillis(), 1000),
        (o.ephemeral() ? ListingLines.EPHEMERAL : 0) | (o.pinned() ? ListingLines.PINNED : 0));
  }

  private static Answer done(WorkerRequest r, int metaLen) {
    ByteBuffer out = ByteBuffer.allocate(Protocol.V2_RESPONSE_HEADER_LENGTH);
    ProtocolEncoder.responseHeader(out, r.version, r.id, Status.OK, 0, metaLen);
    out.flip();
    return new Answer().set(out, null, false, 0, 0);
  }

  /**
   * As the C server answers a delete: OK, content_len 1, no body, no descriptor. A COPY
   * reader would wait for that one byte, so COPY gets content_len 0: an empty body.
   */
  private static Answer cCompatDeleted(WorkerRequest r) {
    ByteBuffer out = ByteBuffer.allocate(Protocol.V2_RESPONSE_HEADER_LENGTH);
    ProtocolEncoder.responseHeader(out, r.version, r.id, Status.OK, r.cCompatDelete == Mode.COPY ? 0 : 1, 0);
    out.flip();
    return new Answer().set(out, null, false, 0, 0);
  }

  private static Answer error(Connection c, WorkerRequest r, RuntimeException e) {
    r.status = AnswerEncoder.statusOf(e);
    return AnswerEncoder.errorAnswer(r.version, r.id, r.status, AnswerEncoder.messageOf(e, c.peer, c.peerKey));
  }

  static void abortQuietly(Connection c, RequestHandler.PendingPut p) {
    try {
      p.abort();
    } catch (RuntimeException | Error e) {
      org.slf4j.LoggerFactory.getLogger(WriteRequests.class).warn("{}: could not abort a put: {}", c.peer, e.toString());
    }
  }
}
