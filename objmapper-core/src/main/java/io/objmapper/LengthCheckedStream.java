package io.objmapper;

import io.objmapper.spi.ObjectStat;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * A remote tier's stream held to the length it announced: reading past it fails at once, and
 * ending short of it fails at the end. Either failure is an {@link IOException} naming what was
 * read; a staging or a move that gets one leaves nothing behind.
 */
final class LengthCheckedStream extends FilterInputStream {
  private final long expected;
  private final String what;
  private long count;

  /**
   * @param what the source, for messages ("object /a on tier archive")
   */
  LengthCheckedStream(InputStream in, long expected, String what) {
    super(in);
    this.expected = expected;
    this.what = what;
  }

  /**
   * The version {@code in} says it reads, or null if it does not say (yet): a remote tier's
   * stream may tell the stat of what it reads as a {@code Supplier<ObjectStat>} (the s3 tier's
   * GET gives its answer's size, time and ETag; one without a Content-Length, once read).
   */
  static ObjectStat announced(InputStream in) {
    return in instanceof Supplier<?> known && known.get() instanceof ObjectStat stat ? stat : null;
  }

  /** {@code in}, held to the length it {@linkplain #announced announces} now, if it announces one. */
  static InputStream exact(InputStream in, String what) {
    ObjectStat s = announced(in);
    return s == null ? in : new LengthCheckedStream(in, s.size(), what);
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    counted(b < 0 ? -1 : 1);
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return counted(in.read(b, off, len));
  }

  @Override
  public long skip(long n) throws IOException {
    throw new IOException("skip is not supported");
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private int counted(int n) throws IOException {
    if (n < 0) {
      if (count != expected) {
        throw new IOException(what + " ended after " + count + " bytes of the " + expected + " its tier announced");
      }
      return n;
    }
    count += n;
    if (count > expected) {
      throw new IOException(what + " is longer than the " + expected + " bytes its tier announced");
    }
    return n;
  }
}
