package io.objmapper.server;

/**
 * Decides whether a new connection may be served. Called once per connection, before
 * anything is read from it, after the allow lists ({@code allow_uids}, {@code allow_gids},
 * {@code tcp_allow}) admitted it; a refused connection is closed at once and counted
 * ({@link Refusal#AUTHORIZER}).
 *
 * <pre>{@code
 * PeerAuthorizer sameUser = peer -> peer.uid() == myUid;
 * }</pre>
 */
@FunctionalInterface
public interface PeerAuthorizer {
  /** Accepts every peer. */
  PeerAuthorizer ALLOW_ALL = peer -> true;

  boolean authorize(PeerCredentials peer);
}
