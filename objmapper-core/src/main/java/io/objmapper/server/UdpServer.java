package io.objmapper.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.objmapper.internal.net.AddressRange;
import io.objmapper.protocol.Mode;
import io.objmapper.protocol.Protocol;
import io.objmapper.protocol.ProtocolDecoder;
import io.objmapper.protocol.ProtocolEncoder;
import io.objmapper.protocol.ProtocolException;
import io.objmapper.protocol.RequestFrame;
import io.objmapper.protocol.Status;
import io.objmapper.spi.InvalidObjectNameException;
import io.objmapper.spi.ObjectNames;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP transport: one V1 request per datagram, one datagram back. A COPY answer travels
 * whole when it fits a datagram ({@value #MAX_DATAGRAM} bytes); a larger object is answered
 * UNSUPPORTED_OP with an ERROR TLV that says to use TCP or the Unix socket. Descriptors
 * cannot travel: FDPASS, SPLICE and SEGMENTED answer UNSUPPORTED_OP.
 *
 * <p>Only loopback sources are answered unless an allow list admits others. Since a source
 * address can be forged (so that answers, larger than requests, hit someone else), answers
 * to non-loopback sources are rate-limited per source (a token bucket; what is over the
 * rate is dropped without an answer). The buckets of at most {@value #MAX_SOURCES} sources
 * are kept. One thread receives and answers; requests the handler says may block are served
 * by the server's backend workers.
 */
final class UdpServer implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(UdpServer.class);
  /** Largest UDP payload over IPv4. */
  static final int MAX_DATAGRAM = 65_507;
  static final int MAX_SOURCES = 10_000;

  private final ObjectServer server;
  private final DatagramChannel ch;
  private final List<AddressRange> allowed;
  private final RateLimiter limiter;
  private final ByteBuffer in = ByteBuffer.allocateDirect(Protocol.V1_REQUEST_HEADER_LENGTH + Protocol.MAX_URI_LENGTH + 1);
  private final ByteBuffer out = ByteBuffer.allocateDirect(MAX_DATAGRAM);
  private final RequestFrame frame = new RequestFrame();
  final LongAdder dropped = new LongAdder();
  final Thread thread;

  UdpServer(ObjectServer server, DatagramChannel ch, List<AddressRange> allowed, int answersPerSecond, LongSupplier nanoClock) {
    this.server = server;
    this.ch = ch;
    this.allowed = allowed;
    this.limiter = new RateLimiter(answersPerSecond, nanoClock);
    this.thread = new Thread(this, "objmapper-udp");
    thread.setDaemon(true);
  }

  /** Whether datagrams from {@code source} are answered at all. */
  boolean admits(InetAddress source) {
    return admits(source, allowed);
  }

  /** Whether datagrams from {@code source} are answered at all: loopback, or in {@code allowed}. */
  static boolean admits(InetAddress source, List<AddressRange> allowed) {
    return source.isLoopbackAddress() || AddressRange.anyContains(allowed, source);
  }

  @Override
  public void run() {
    while (ch.isOpen()) {
      SocketAddress from;
      in.clear();
      try {
        from = ch.receive(in);
      } catch (ClosedChannelException e) {
        return; // AsynchronousCloseException included: closing
      } catch (IOException e) {
        log.debug("udp receive failed: {}", e.toString());
        continue;
      }
      if (!(from instanceof InetSocketAddress)) {
        continue;
      }
      InetSocketAddress source = (InetSocketAddress) from;
      InetAddress address = source.getAddress();
      if (!admits(address) || (!address.isLoopbackAddress() && !limiter.tryAcquire(address))) {
        dropped.increment();
        continue;
      }
      in.flip();
      try {
        serve(source);
      } catch (RuntimeException e) {
        ServerWarnings.warn(log, source.getAddress(), "udp " + source, "request failed", e);
      }
    }
  }

  private void serve(InetSocketAddress source) {
    boolean truncated = in.remaining() > Protocol.V1_REQUEST_HEADER_LENGTH + Protocol.MAX_URI_LENGTH;
    if (truncated) {
      answerError(out, source, null, Status.URI_TOO_LONG, "request larger than " + Protocol.MAX_URI_LENGTH + "-byte URI");
      return;
    }
    boolean decoded;
    try {
      decoded = ProtocolDecoder.decodeRequest(in, Protocol.VERSION_1, frame);
    } catch (ProtocolException e) {
      answerError(out, source, null, e.status(), e.getMessage());
      return;
    }
    if (!decoded) {
      answerError(out, source, null, Status.INVALID_REQUEST, "incomplete request: one whole V1 request per datagram");
      return;
    }
    if (in.hasRemaining()) {
      answerError(out, source, null, Status.INVALID_REQUEST, "one V1 request per datagram: " + in.remaining() + " bytes follow it");
      return;
    }
    Mode mode = frame.mode();
    String uri = frame.uri();
    if (mode != Mode.COPY) {
      answerError(out, source, mode, Status.UNSUPPORTED_OP, "descriptors cannot be passed over UDP: use COPY mode");
      return;
    }
    if (!ObjectNames.isValid(uri)) {
      answerError(out, source, Status.INVALID_REQUEST, invalidNameMessage(uri));
      return;
    }
    if (server.handler.mayBlock(uri)) {
      try {
        server.backendWorkers.execute(() -> answer(ByteBuffer.allocate(MAX_DATAGRAM), source, uri));
      } catch (RejectedExecutionException e) {
        answerError(out, source, Status.UNAVAILABLE, "server busy");
      }
      return;
    }
    answer(out, source, uri);
  }

  private static String invalidNameMessage(String uri) {
    try {
      ObjectNames.validate(uri);
      return "invalid object name";
    } catch (InvalidObjectNameException e) {
      return e.getMessage();
    }
  }

  /** Acquires {@code uri} and sends its COPY answer, or the error, in one datagram. */
  private void answer(ByteBuffer buf, InetSocketAddress source, String uri) {
    ServedObject obj;
    try {
      obj = server.handler.acquire(uri);
    } catch (RuntimeException | Error t) { // an Error too: it would end the worker or the receiving thread
      RuntimeException e = AnswerEncoder.failure(t);
      // One wording for every transport: an internal failure is "internal error" (logged), never its text.
      answerError(buf, source, AnswerEncoder.statusOf(e), AnswerEncoder.messageOf(e, source, source.getAddress()));
      return;
    }
    try {
      long size = obj.size();
      int tier = obj.tierId();
      int metaLen = ProtocolEncoder.SIZE_MTIME_LENGTH + (tier >= 0 ? ProtocolEncoder.BACKEND_TLV_LENGTH : 0);
      long total = Protocol.V1_RESPONSE_HEADER_LENGTH + metaLen + size;
      if (total > MAX_DATAGRAM) {
        answerError(buf, source, Status.UNSUPPORTED_OP, "object of " + size + " bytes does not fit a datagram (at most "
            + (MAX_DATAGRAM - Protocol.V1_RESPONSE_HEADER_LENGTH - metaLen) + "): use TCP or the Unix socket");
        return;
      }
      buf.clear();
      ProtocolEncoder.responseHeader(buf, Protocol.VERSION_1, 0, Status.OK, size, metaLen);
      ProtocolEncoder.sizeTlv(buf, size);
      ProtocolEncoder.mtimeTlv(buf, Math.max(0, obj.mtimeSeconds()));
      if (tier >= 0) {
        ProtocolEncoder.backendTlv(buf, tier);
      }
      FileChannel content = obj.channel();
      // Exactly the size announced: a file grown in place since is not read past it.
      buf.limit(buf.position() + (int) size);
      long position = 0;
      while (position < size) {
        int n = content.read(buf, position);
        if (n < 0) {
          answerError(buf, source, Status.STORAGE_ERROR, "object shrank while being read");
          return;
        }
        position += n;
      }
      buf.flip();
      server.requests.count(RequestCounts.Transport.UDP, Protocol.VERSION_1, Mode.COPY, Status.OK);
      send(buf, source);
    } catch (IOException e) {
      answerError(buf, source, Status.STORAGE_ERROR, "reading the object failed");
    } finally {
      obj.release();
    }
  }

  private void answerError(ByteBuffer buf, InetSocketAddress source, Status status, String message) {
    answerError(buf, source, Mode.COPY, status, message);
  }

  /** The error answer to a request in {@code mode} (null: not decoded). */
  private void answerError(ByteBuffer buf, InetSocketAddress source, Mode mode, Status status, String message) {
    server.requests.count(RequestCounts.Transport.UDP, Protocol.VERSION_1, mode, status);
    buf.clear();
    ProtocolEncoder.error(buf, Protocol.VERSION_1, 0, status, message);
    buf.flip();
    send(buf, source);
  }

  private void send(ByteBuffer buf, InetSocketAddress to) {
    try {
      ch.send(buf, to);
    } catch (AsynchronousCloseException e) {
      // closing
    } catch (IOException e) {
      log.debug("udp send to {} failed: {}", to, e.toString());
    }
  }

  void close() {
    ObjectServer.closeQuietly(ch);
  }

  /** Token buckets per source address: {@code rate} answers a second, bursts of {@code rate}. */
  static final class RateLimiter {
    private final double perNano;
    private final double burst;
    private final LongSupplier clock;
    private final Cache<InetAddress, double[]> buckets;

    RateLimiter(int perSecond, LongSupplier nanoClock) {
      this.perNano = perSecond / 1e9;
      this.burst = perSecond;
      this.clock = nanoClock;
      this.buckets = Caffeine.newBuilder().maximumSize(MAX_SOURCES).expireAfterAccess(Duration.ofMinutes(1))
          .ticker(nanoClock::getAsLong).build();
    }

    /** Takes one answer from {@code source}'s bucket; false if it is empty. */
    boolean tryAcquire(InetAddress source) {
      long now = clock.getAsLong();
      double[] b = buckets.get(source, k -> new double[] {burst, now});
      synchronized (b) {
        double tokens = Math.min(burst, b[0] + (now - (long) b[1]) * perNano);
        b[1] = now;
        if (tokens < 1) {
          b[0] = tokens;
          return false;
        }
        b[0] = tokens - 1;
        return true;
      }
    }
  }
}
