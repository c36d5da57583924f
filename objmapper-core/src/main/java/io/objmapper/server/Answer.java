package io.objmapper.server;

import io.objmapper.protocol.Protocol;
import io.objmapper.protocol.ProtocolEncoder;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One answer on its way to a client: bytes (header, metadata, segment table), then either
 * one descriptor ({@code 'X'} + SCM_RIGHTS) or a range of the object's content. It holds its
 * {@link ServedObject} until it is written or dropped, and releases it exactly once. The
 * descriptor passed is that of {@link #pass} ({@link ServedObject#forPassing}), held until the
 * byte carrying it is written (or the answer dropped) and then released if it is not {@code obj}.
 *
 * <p>An answer that can be written at once never becomes an object of its own: the I/O
 * thread fills its one reusable instance and writes it; only what the socket cannot take
 * now is copied into a new {@code Answer} and queued ({@link #detach()}).
 */
final class Answer {
  /**
   * The bytes a batch slot's answers are copied into ({@link IoLoop#batch}); null for any
   * other answer.
   */
  final ByteBuffer slotBytes;
  ByteBuffer bytes;
  ServedObject obj;
  /** What the descriptor is taken from: {@code obj} itself, or this answer's own description of it. */
  ServedObject pass;
  boolean passFd;
  long position;
  long end;
  /** Close the connection once this answer is written (CLOSE_ACK, a fatal protocol error). */
  boolean closeAfter;
  /** Posted by a worker or the timer for a request counted in flight. */
  boolean async;
  /** Whether a byte of this answer was written (its descriptor, once its header is out, must follow). */
  private boolean started;
  /** Its own description was given back while it waited ({@link #park}): opened again before its first byte. */
  private boolean reopen;
  /** The request an answer passing a descriptor answers (its error replaces it if the reopen fails). */
  int version;
  long requestId;

  Answer() {
    this.slotBytes = null;
  }

  /** A batch slot whose bytes live in {@code slotBytes}. */
  Answer(ByteBuffer slotBytes) {
    this.slotBytes = slotBytes;
  }

  Answer set(ByteBuffer bytes, ServedObject obj, boolean passFd, long position, long end) {
    this.bytes = bytes;
    this.obj = obj;
    this.pass = null;
    this.passFd = passFd;
    this.position = position;
    this.end = end;
    this.closeAfter = false;
    this.async = false;
    this.started = false;
    this.reopen = false;
    return this;
  }

  /** The request this answer answers, for the error that replaces it if its description cannot be opened again. */
  Answer answering(int version, long requestId) {
    this.version = version;
    this.requestId = requestId;
    return this;
  }

  /**
   * While this answer waits behind others in a connection's queue, it holds no open file
   * description of its own: a client that reads nothing then keeps at most one open per
   * connection (the answer being written), not one per answer it requested. Only an answer
   * none of whose bytes is written yet gives its description back; {@link #writeTo} opens it
   * again before the first byte.
   */
  void park() {
    if (!started && passFd && pass != null && pass != obj) {
      releasePass();
      reopen = true;
    }
  }

  /** Passes the descriptor of {@code p} (opened for this answer by {@code obj.forPassing}). */
  Answer passing(ServedObject p) {
    this.pass = p;
    return this;
  }

  /** Whether {@code a}'s bytes fit this slot ({@link #takeFrom}). */
  boolean fits(Answer a) {
    return a.bytes == null || a.bytes.remaining() <= slotBytes.capacity();
  }

  /**
   * Makes this slot the answer {@code a} was (its bytes copied into the slot's buffer, its
   * object and what it passes moved here); {@code a} then holds nothing.
   */
  void takeFrom(Answer a) {
    ByteBuffer b = null;
    if (a.bytes != null) {
      b = slotBytes;
      b.clear();
      b.put(a.bytes).flip();
    }
    set(b, a.obj, a.passFd, a.position, a.end).passing(a.pass).answering(a.version, a.requestId);
    closeAfter = a.closeAfter;
    async = a.async;
    started = a.started;
    reopen = a.reopen;
    a.clear();
  }

  /** Bytes only, copied: for answers built off the I/O thread. */
  static Answer ofBytes(ByteBuffer flipped) {
    ByteBuffer copy = ByteBuffer.allocate(flipped.remaining());
    copy.put(flipped).flip();
    return new Answer().set(copy, null, false, 0, 0);
  }

  /** What is left of this (reusable) answer as a new one that owns a copy of its bytes. */
  Answer detach() {
    ByteBuffer rest = null;
    if (bytes != null && bytes.hasRemaining()) {
      rest = ByteBuffer.allocate(bytes.remaining());
      rest.put(bytes).flip();
    }
    Answer a = new Answer().set(rest, obj, passFd, position, end).passing(pass).answering(version, requestId);
    a.closeAfter = closeAfter;
    a.async = async;
    a.started = started;
    a.reopen = reopen;
    clear();
    return a;
  }

  /** Forgets everything without releasing (the object now belongs to someone else, or is released). */
  void clear() {
    bytes = null;
    obj = null;
    pass = null;
    passFd = false;
    position = 0;
    end = 0;
    closeAfter = false;
    async = false;
    started = false;
    reopen = false;
  }

  /** Gives the object (and what was opened to pass it) back, once, and forgets them. */
  void release() {
    releasePass();
    ServedObject o = obj;
    obj = null;
    if (o != null) {
      o.release();
    }
  }

  /**
   * Writes as much as the channel takes now.
   *
   * @return true when all of it is written (the object is then released)
   */
  boolean writeTo(Connection c) throws IOException {
    if (reopen) {
      reopenPass(c);
    }
    ByteBuffer b = bytes;
    if (b != null) {
      while (b.hasRemaining()) {
        if (c.ch.write(b) <= 0) {
          return false;
        }
        started = true;
        c.wrote();
      }
    }
    if (passFd) {
      if (!c.sendDescriptor(descriptor())) {
        return false;
      }
      passFd = false;
      releasePass(); // the kernel holds its own reference of the sent descriptor now
      c.wrote();
    }
    while (position < end) {
      long n = obj.channel().transferTo(position, end - position, c.ch);
      if (n <= 0) {
        if (position >= obj.channel().size()) {
          // The file shrank after its size was announced: the frame cannot be completed.
          throw new IOException("object shrank while being sent");
        }
        return false;
      }
      position += n;
      c.wrote();
    }
    release();
    return true;
  }

  /**
   * Opens this answer's own description again ({@link #park}); if that fails (no descriptor
   * left, the object gone), none of its bytes is written yet, so it becomes its request's error.
   */
  private void reopenPass(Connection c) {
    reopen = false;
    try {
      pass = obj.forPassing(false);
    } catch (RuntimeException e) {
      boolean close = closeAfter;
      boolean posted = async;
      release();
      ByteBuffer out = ByteBuffer.allocate(Protocol.V2_RESPONSE_HEADER_LENGTH + Protocol.MAX_METADATA_LENGTH);
      ProtocolEncoder.error(out, version, requestId, AnswerEncoder.statusOf(e), c.errorMessage(e));
      out.flip();
      set(out, null, false, 0, 0);
      closeAfter = close;
      async = posted;
    }
  }

  private FileDescriptor descriptor() {
    return pass != null ? pass.descriptor() : obj.descriptor();
  }

  /** Closes this answer's own description (if it has one; never {@code obj}'s). */
  private void releasePass() {
    ServedObject p = pass;
    pass = null;
    if (p != null && p != obj) {
      p.release();
    }
  }
}
