package io.objmapper.server;

import io.objmapper.internal.log.LogText;
import io.objmapper.internal.log.WarnLimiter;
import org.slf4j.Logger;

/**
 * The server's warnings a client can cause (a failing request, a connection that breaks the
 * framing, a flood of connections), rate-limited per peer ({@link WarnLimiter#perSecond}: 10
 * lines back to back, then one a second, the lines held back counted on the next) and with
 * every client-given text cut by {@link LogText}. The stack trace goes to DEBUG only: its
 * message may hold a whole name.
 */
final class ServerWarnings {
  /** One limiter for every server of the process: keys are peers (a uid, an address). */
  static final WarnLimiter PER_PEER = WarnLimiter.perSecond();

  private ServerWarnings() {}

  /**
   * Logs {@code what} about {@code peer} (shown) with {@code e}, unless {@code key} (the peer's
   * uid or address) logged too much lately.
   */
  static void warn(Logger log, Object key, Object peer, String what, Throwable e) {
    long suppressed = PER_PEER.acquire(key == null ? "unknown" : key);
    if (suppressed >= 0) {
      log.warn("{}: {}{}{}", LogText.cut(String.valueOf(peer), LogText.MAX_NAME_CHARS), what,
          e == null ? "" : ": " + LogText.error(e), LogText.suppressed(suppressed));
      if (e != null) {
        log.debug("{}: {}", peer, what, e);
      }
    }
  }

  /** As {@link #warn}, at error level: for an {@link Error} (its stack trace at DEBUG, as there). */
  static void error(Logger log, Object key, Object peer, String what, Throwable e) {
    long suppressed = PER_PEER.acquire(key == null ? "unknown" : key);
    if (suppressed >= 0) {
      log.error("{}: {}: {}{}", LogText.cut(String.valueOf(peer), LogText.MAX_NAME_CHARS), what,
          LogText.error(e), LogText.suppressed(suppressed));
      log.debug("{}: {}", peer, what, e);
    }
  }
}
