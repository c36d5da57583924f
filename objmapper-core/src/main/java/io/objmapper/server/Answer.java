package io.objmapper.server;

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
    return this;
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
    set(b, a.obj, a.passFd, a.position, a.end).passing(a.pass);
    closeAfter = a.closeAfter;
    async = a.async;
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
    Answer a = new Answer().set(rest, obj, passFd, position, end).passing(pass);
    a.closeAfter = closeAfter;
    a.async = async;
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
    ByteBuffer b = bytes;
    if (b != null) {
      while (b.hasRemaining()) {
        if (c.ch.write(b) <= 0) {
          return false;
        }
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
