package io.objmapper.server;

import io.objmapper.protocol.Mode;
import io.objmapper.protocol.Status;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request that may block, served by a backend worker for its {@link Connection}; answered
 * exactly once (the result, or TIMEOUT from the timer), by posting the answer to the
 * connection's I/O thread.
 */
final class WorkerRequest implements Runnable {
  private final Connection c;
  final long id;
  final Mode mode;
  final String uri;
  final int version;
  /** C-compatible write mode: the object is opened read-write, created if missing. */
  final boolean writable;
  final AtomicBoolean answered = new AtomicBoolean();
  /** The V2 request flags (a PUT's object flags). */
  int flags;
  /** The status the answer carries, counted when it is posted (OK unless set). */
  Status status = Status.OK;
  /**
   * A C-compatible {@code /delete/<uri>} (run as DELETE): the mode it was asked in, which its
   * answer and its count take; null for any other request.
   */
  Mode cCompatDelete;
  /** COMMIT, ABORT: the put they end, taken from the connection. */
  RequestHandler.PendingPut put;
  volatile ScheduledFuture<?> timeout;

  WorkerRequest(Connection c, long id, Mode mode, String uri, int version, boolean writable) {
    this.c = c;
    this.id = id;
    this.mode = mode;
    this.uri = uri;
    this.version = version;
    this.writable = writable;
  }

  /** The mode the answer is counted under: the one asked for. */
  private Mode countedMode() {
    return cCompatDelete != null ? cCompatDelete : mode;
  }

  /**
   * Serves the request. Whatever the handler throws, an {@link Error} included, is answered (an
   * error status with its ERROR text) and ends neither the request unanswered nor the worker.
   */
  @Override
  public void run() {
    try {
      serve();
    } catch (RuntimeException | Error t) { // thrown past serve's own handling (while answering)
      RuntimeException e = AnswerEncoder.failure(t);
      status = AnswerEncoder.statusOf(e);
      finish(AnswerEncoder.errorAnswer(version, id, status, AnswerEncoder.messageOf(e, c.peer, c.peerKey)));
    }
  }

  private void serve() {
    if (c.isClosed() || answered.get()) {
      if (mode == Mode.PUT) {
        c.forgetPut(uri, null); // answered TIMEOUT before it was staged: the name is free again
      } else if (put != null) {
        WriteRequests.abortQuietly(c, put); // a COMMIT or ABORT nobody waits for: the file goes
      }
      return;
    }
    if (mode.isExtension()) {
      WriteRequests.serve(c, this);
      return;
    }
    ServedObject obj = null;
    Answer a;
    try {
      obj = writable ? c.server.handler.acquireWritable(uri) : c.server.handler.acquire(uri);
      ByteBuffer out = ByteBuffer.allocate(IoLoop.OUT_CAPACITY);
      a = new Answer();
      AnswerEncoder.encodeObject(version, id, mode, obj, c.unix != null, c.sharedFd(), c.answerMetadata(), out, a);
    } catch (RuntimeException | Error t) {
      if (obj != null) {
        obj.release();
      }
      RuntimeException e = AnswerEncoder.failure(t);
      status = c.failureStatus(e, writable);
      a = AnswerEncoder.errorAnswer(version, id, status, c.failureMessage(e, uri, writable));
    }
    finish(a);
  }

  /** Posts {@code a} unless the timer answered first; true if posted. */
  boolean finish(Answer a) {
    ScheduledFuture<?> t = timeout;
    if (t != null) {
      t.cancel(false);
    }
    if (answered.compareAndSet(false, true)) {
      c.counted(countedMode(), status);
      a.async = true;
      c.post(a);
      return true;
    }
    a.release(); // already answered with TIMEOUT
    return false;
  }

  /** The timer's one look at this request. */
  void expire() {
    if (answered.compareAndSet(false, true)) {
      c.counted(countedMode(), Status.TIMEOUT);
      Answer a = AnswerEncoder.errorAnswer(version, id, Status.TIMEOUT,
          "request not served within " + c.server.requestTimeoutMillis + " ms");
      a.async = true;
      c.post(a);
    }
  }
}
