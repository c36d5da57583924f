package io.objmapper.server;

/**
 * Decides whether a new connection may be served. Called once per connection, before
 * anything is read from it; a refused connection is closed at once.
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
