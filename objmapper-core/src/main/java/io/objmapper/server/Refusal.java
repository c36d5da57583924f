package io.objmapper.server;

/**
 * Why a server closed a connection at once, before reading anything from it; each is counted
 * apart ({@link ObjectServer#refusedCount(Refusal)}).
 */
public enum Refusal {
  /**
   * A Unix peer whose kernel credentials match neither {@code allow_uids} nor
   * {@code allow_gids} ({@link ObjectServer.Builder#allowUids}, {@link ObjectServer.Builder#allowGids}).
   */
  UNIX_PEER("unix_peer"),
  /** A TCP peer whose source address is in no range of {@code tcp_allow} ({@link ObjectServer.Builder#tcpAllow}). */
  TCP_SOURCE("tcp_source"),
  /** The builder's {@link PeerAuthorizer} said no, or failed. */
  AUTHORIZER("authorizer"),
  /** {@code max_connections} or {@code max_connections_per_peer} was reached. */
  LIMIT("limit");

  private final String label;

  Refusal(String label) {
    this.label = label;
  }

  /** The name metrics use for it ({@code reason="unix_peer"}). */
  public String label() {
    return label;
  }
}
