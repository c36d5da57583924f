package io.objmapper.server;

import io.objmapper.ObjMapperException;
import io.objmapper.protocol.Mode;
import io.objmapper.protocol.Protocol;
import io.objmapper.protocol.ProtocolEncoder;
import io.objmapper.protocol.Segment;
import io.objmapper.protocol.Status;
import io.objmapper.spi.InvalidObjectNameException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes answers: an object's answer in each mode (header, metadata TLVs, segments) and
 * error answers, with the wire status of an exception. Stateless; the loop's reusable
 * buffer and answer are passed in, so the request path allocates nothing here.
 */
final class AnswerEncoder {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);
  private static final long MAX_INLINE_SEGMENT = 0xFFFF_FFFFL;

  private AnswerEncoder() {
  }

  static Answer errorAnswer(int version, long id, Status status, String message) {
    ByteBuffer out = ByteBuffer.allocate(Protocol.V2_RESPONSE_HEADER_LENGTH + Protocol.MAX_METADATA_LENGTH);
    ProtocolEncoder.error(out, version, id, status, message);
    out.flip();
    return new Answer().set(out, null, false, 0, 0);
  }

  /**
   * Fills {@code a} with the answer carrying {@code obj} (encoded into {@code out}); on an
   * error status instead (an object too large for inline segments) {@code obj} is released.
   * An answer passing a descriptor opens what it passes ({@link ServedObject#forPassing}: a
   * description of the receiver's own unless the peer negotiated SHARED_FD; the answer keeps
   * it until the byte carrying the descriptor is written) before any of its bytes is written;
   * if that throws, the caller answers the exception's status. Without {@code metadata} the
   * answer carries no TLVs (segmented answers always do).
   */
  static void encodeObject(int version, long id, Mode mode, ServedObject obj, boolean unix, boolean sharedFd,
      boolean metadata, ByteBuffer out, Answer a) {
    long size = obj.size();
    int tier = obj.tierId();
    int metaLen = metadataLength(tier);
    out.clear();
    switch (mode) {
      case FDPASS:
      case SPLICE:
        ServedObject pass = obj.forPassing(sharedFd);
        ProtocolEncoder.responseHeader(out, version, id, Status.OK, 0, metadata ? metaLen : 0);
        if (metadata) {
          putMetadata(out, size, obj.mtimeSeconds(), tier);
        }
        out.flip();
        a.set(out, obj, true, 0, 0).passing(pass).answering(version, id);
        return;
      case COPY:
        ProtocolEncoder.responseHeader(out, version, id, Status.OK, size, metadata ? metaLen : 0);
        if (metadata) {
          putMetadata(out, size, obj.mtimeSeconds(), tier);
        }
        out.flip();
        a.set(out, obj, false, 0, size);
        return;
      case SEGMENTED:
        encodeSegmented(id, obj, size, metaLen, tier, unix, sharedFd, out, a);
        return;
      default:
        throw new IllegalStateException("mode " + mode);
    }
  }

  /** Bytes of an object's SIZE, MTIME and (for {@code tier >= 0}) BACKEND TLVs. */
  static int metadataLength(int tier) {
    return ProtocolEncoder.SIZE_MTIME_LENGTH + (tier >= 0 ? ProtocolEncoder.BACKEND_TLV_LENGTH : 0);
  }

  /** An object's SIZE, MTIME and (for {@code tier >= 0}) BACKEND TLVs: {@link #metadataLength} bytes. */
  static void putMetadata(ByteBuffer out, long size, long mtime, int tier) {
    ProtocolEncoder.sizeTlv(out, size);
    ProtocolEncoder.mtimeTlv(out, Math.max(0, mtime)); // a file dated before 1970: u64 on the wire
    if (tier >= 0) {
      ProtocolEncoder.backendTlv(out, tier);
    }
  }

  private static void encodeSegmented(long id, ServedObject obj, long size, int metaLen, int tier, boolean unix,
      boolean sharedFd, ByteBuffer out, Answer a) {
    List<Segment> segments = new ArrayList<>(2);
    if (unix && size > 0) {
      segments.add(Segment.fd(0, size, true));
    } else {
      long left = size;
      do {
        long n = Math.min(left, MAX_INLINE_SEGMENT);
        left -= n;
        segments.add(Segment.inline(n, left == 0));
      } while (left > 0 && segments.size() < Protocol.MAX_SEGMENTS);
      if (left > 0) {
        obj.release();
        ProtocolEncoder.error(out, Protocol.VERSION_2, id, Status.UNSUPPORTED_OP, "object too large for inline segments");
        out.flip();
        a.set(out, null, false, 0, 0);
        return;
      }
    }
    ProtocolEncoder.segmentedHeader(out, id, Status.OK, segments.size(), metaLen);
    putMetadata(out, size, obj.mtimeSeconds(), tier);
    for (Segment s : segments) {
      ProtocolEncoder.segment(out, s);
    }
    out.flip();
    if (segments.get(0).type() == Segment.FD) {
      a.set(out, obj, true, 0, 0).passing(obj.forPassing(sharedFd)).answering(Protocol.VERSION_2, id);
    } else {
      a.set(out, obj, false, 0, size);
    }
  }

  /**
   * An {@link Error} a handler threw (an {@link InternalError} from a fault in an unsafe memory
   * access, a {@link StackOverflowError}...), carried as the failure its request is answered
   * with: INTERNAL_ERROR, logged with its stack trace. The worker or I/O thread that caught it
   * goes on serving.
   */
  static final class HandlerError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HandlerError(Error cause) {
      super(cause.toString(), cause);
    }
  }

  /** {@code t} as the failure a request is answered with: a RuntimeException as it is, an Error as a {@link HandlerError}. */
  static RuntimeException failure(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    return new HandlerError(t instanceof Error e ? e : new Error(t));
  }

  static Status statusOf(RuntimeException e) {
    if (e instanceof ObjMapperException) {
      return WireStatus.of(((ObjMapperException) e).code());
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

  /**
   * The message an error answer carries; an internal error is logged (rate-limited per
   * {@code peerKey}, see {@link ServerWarnings}) and not described.
   */
  static String messageOf(RuntimeException e, Object peer, Object peerKey) {
    if (e instanceof HandlerError) {
      ServerWarnings.error(log, peerKey, peer, "handler failed with an error (answered INTERNAL_ERROR)", e.getCause());
      return "internal error";
    }
    if (statusOf(e) == Status.INTERNAL_ERROR) {
      ServerWarnings.warn(log, peerKey, peer, "handler failed", e);
      return "internal error";
    }
    String m = e.getMessage();
    return m != null ? m : e.getClass().getSimpleName();
  }
}
