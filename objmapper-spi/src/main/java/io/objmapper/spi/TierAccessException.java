package io.objmapper.spi;

import java.io.IOException;

/**
 * An operation the tier's flags do not allow: a write or delete on a tier without
 * {@link TierFlag#WRITABLE}, a read on a tier without {@link TierFlag#READABLE}. It is thrown
 * before any file is touched.
 *
 * <p>It is an {@link IOException}, like {@link java.nio.file.AccessDeniedException}: callers
 * that already handle a failed write (by trying another tier, say) handle this one too.
 */
public final class TierAccessException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String tierName;
  private final TierFlag missingFlag;

  /** The tier named {@code tierName} lacks {@code missingFlag}. */
  public TierAccessException(String tierName, TierFlag missingFlag) {
    super("tier \"" + tierName + "\" is not " + missingFlag.configName());
    this.tierName = tierName;
    this.missingFlag = missingFlag;
  }

  /**
   * Throws unless {@code config} holds {@code flag}: the check a tier makes first in each
   * operation that needs it.
   *
   * <pre>{@code
   * TierAccessException.check(config, TierFlag.WRITABLE);
   * }</pre>
   */
  public static void check(TierConfig config, TierFlag flag) throws TierAccessException {
    if (!config.has(flag)) {
      throw new TierAccessException(config.name(), flag);
    }
  }

  /** The name of the tier that refused the operation. */
  public String tierName() {
    return tierName;
  }

  /** The flag the operation needs and the tier lacks. */
  public TierFlag missingFlag() {
    return missingFlag;
  }
}
