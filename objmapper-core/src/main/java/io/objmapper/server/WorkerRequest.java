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
  final AtomicBoolean answered = new AtomicBoolean();
  volatile ScheduledFuture<?> timeout;

  WorkerRequest(Connection c, long id, Mode mode, String uri, int version) {
    this.c = c;
    this.id = id;
    this.mode = mode;
    this.uri = uri;
    this.version = version;
  }

  @Override
  public void run() {
    if (c.isClosed() || answered.get()) {
      return;
    }
    ServedObject obj = null;
    Answer a;
    Status status = Status.OK;
    try {
      obj = c.server.handler.acquire(uri);
      ByteBuffer out = ByteBuffer.allocate(IoLoop.OUT_CAPACITY);
      a = new Answer();
      AnswerEncoder.encodeObject(version, id, mode, obj, c.unix != null, c.sharedFd(), out, a);
    } catch (RuntimeException e) {
      if (obj != null) {
        obj.release();
      }
      status = AnswerEncoder.statusOf(e);
      a = AnswerEncoder.errorAnswer(version, id, status, AnswerEncoder.messageOf(e, c.peer, c.peerKey));
    }
    ScheduledFuture<?> t = timeout;
    if (t != null) {
      t.cancel(false);
    }
    if (answered.compareAndSet(false, true)) {
      c.counted(mode, status);
      a.async = true;
      c.post(a);
    } else {
      a.release(); // already answered with TIMEOUT
    }
  }

  /** The timer's one look at this request. */
  void expire() {
    if (answered.compareAndSet(false, true)) {
      c.counted(mode, Status.TIMEOUT);
      Answer a = AnswerEncoder.errorAnswer(version, id, Status.TIMEOUT,
          "request not served within " + c.server.requestTimeoutMillis + " ms");
      a.async = true;
      c.post(a);
    }
  }
}
