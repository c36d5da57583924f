package io.objmapper;

/**
 * An operation would break a tier rule: an EPHEMERAL object onto a persistent tier, a
 * write to a tier without {@code writable}, a move to an unknown tier (UNSUPPORTED_OP on the
 * wire).
 */
public class TierRuleException extends ObjMapperException {
  private static final long serialVersionUID = 1L;

  public TierRuleException(String message) {
    super(ErrorCode.UNSUPPORTED_OP, message);
  }
}
