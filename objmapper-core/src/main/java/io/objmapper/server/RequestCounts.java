package io.objmapper.server;

import io.objmapper.protocol.Mode;
import io.objmapper.protocol.Protocol;
import io.objmapper.protocol.Status;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests answered, by transport, protocol version, mode and status: one {@link LongAdder}
 * per combination, made when the server is, so counting an answer allocates nothing and
 * takes no lock. A request whose frame could not be decoded has no mode ({@code null}).
 *
 * <pre>{@code
 * long ok = server.requestCounts().get(RequestCounts.Transport.UNIX, 2, Mode.FDPASS, Status.OK);
 * server.requestCounts().forEach((transport, version, mode, status, n) -> ...);
 * }</pre>
 */
public final class RequestCounts {
  /** Where a request came from. */
  public enum Transport {
    UNIX, TCP, UDP
  }

  /** Receives one non-zero count. */
  @FunctionalInterface
  public interface Visitor {
    /** {@code count} requests on {@code transport} in protocol {@code version}; {@code mode} null if not decoded. */
    void visit(Transport transport, int version, Mode mode, Status status, long count);
  }

  private static final Transport[] TRANSPORTS = Transport.values();
  private static final Mode[] MODES = Mode.values();
  private static final Status[] STATUSES = Status.values();
  private static final int VERSIONS = 2;

  private final LongAdder[] counts = new LongAdder[TRANSPORTS.length * VERSIONS * (MODES.length + 1) * STATUSES.length];

  RequestCounts() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  private static int index(Transport transport, int version, Mode mode, Status status) {
    int v = version == Protocol.VERSION_2 ? 1 : 0;
    int m = mode == null ? 0 : mode.ordinal() + 1;
    return ((transport.ordinal() * VERSIONS + v) * (MODES.length + 1) + m) * STATUSES.length + status.ordinal();
  }

  /** Counts one answer (any thread; no allocation, no lock). */
  void count(Transport transport, int version, Mode mode, Status status) {
    counts[index(transport, version, mode, status)].increment();
  }

  /** Answers so far with this transport, version (1 or 2), mode (null: not decoded) and status. */
  public long get(Transport transport, int version, Mode mode, Status status) {
    return counts[index(transport, version, mode, status)].sum();
  }

  /** Visits every combination counted at least once. */
  public void forEach(Visitor v) {
    for (Transport t : TRANSPORTS) {
      for (int version = 1; version <= VERSIONS; version++) {
        for (int m = -1; m < MODES.length; m++) {
          Mode mode = m < 0 ? null : MODES[m];
          for (Status s : STATUSES) {
            long n = get(t, version, mode, s);
            if (n > 0) {
              v.visit(t, version, mode, s, n);
            }
          }
        }
      }
    }
  }
}
