/**
 * Bounded log lines: {@link io.objmapper.internal.log.LogText} cuts object names and error
 * messages (which carry paths) to a bounded length wherever they are logged, and
 * {@link io.objmapper.internal.log.WarnLimiter} rate-limits repeated warnings per key (a peer,
 * a tier) and counts what it suppressed, so that no client can make the log grow faster than a
 * few lines a second per key.
 *
 * <p>Internal: not part of objmapper's API, free to change.
 */
package io.objmapper.internal.log;
