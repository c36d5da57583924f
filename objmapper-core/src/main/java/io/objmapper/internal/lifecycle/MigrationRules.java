package io.objmapper.internal.lifecycle;

/**
 * The migration rules, stated once: the planner plans by them, the store's mover enforces
 * them (and says which one a refused move breaks), and the placement explanation quotes
 * them.
 *
 * <ul>
 *   <li>an EPHEMERAL object never reaches a persistent tier;
 *   <li>a PINNED object is never moved by the policy (by hand it may be);
 *   <li>an object leaves a tier only if that tier has {@code migration_src}, and reaches one
 *       only if it has {@code migration_dst} and is writable;
 *   <li>a copy is given up (deleted after the move) only by a writable tier: a read-only
 *       tier keeps what it holds;
 *   <li>the policy moves objects only onto local tiers.
 * </ul>
 */
public final class MigrationRules {
  private MigrationRules() {}

  /** What the rules need to know of a tier. */
  public interface Side {
    boolean persistent();

    boolean local();

    boolean writable();

    /** {@code migration_src}: objects may leave it. */
    boolean src();

    /** {@code migration_dst}: objects may reach it. */
    boolean dst();
  }

  /** True if the policy may move an object with these flags (never a pinned one). */
  public static boolean policyMoves(boolean pinned) {
    return !pinned;
  }

  /** True if objects may leave tier {@code t} with its copy deleted after the move. */
  public static boolean gives(Side t) {
    return t.src() && t.writable();
  }

  /** True if tier {@code t} may take a copy of an object, by hand or by the policy. */
  public static boolean takes(Side t, boolean ephemeral) {
    return t.dst() && t.writable() && !(ephemeral && t.persistent());
  }

  /** True if the policy may put a copy of an object on tier {@code t}: {@link #takes} and local. */
  public static boolean policyTakes(Side t, boolean ephemeral) {
    return takes(t, ephemeral) && t.local();
  }

  /**
   * True if the policy may promote a copy from tier {@code from} onto the faster tier
   * {@code to}. A persistent object onto a volatile tier becomes a cached copy there (its
   * source stays); otherwise the source gives up its copy. A cached copy goes up only to a
   * faster cache.
   */
  public static boolean policyPromotes(Side from, Side to, boolean ephemeral, boolean cached) {
    if (!from.src() || !policyTakes(to, ephemeral) || (cached && to.persistent())) {
      return false;
    }
    return keepsSource(to, ephemeral, cached) || gives(from);
  }

  /** True if a promotion onto {@code to} leaves the source's copy in place (a cached copy is made). */
  public static boolean keepsSource(Side to, boolean ephemeral, boolean cached) {
    return !to.persistent() && !ephemeral && !cached;
  }

  /**
   * Why moving object {@code object} from tier {@code src} onto tier {@code target} breaks
   * the rules, or null if it does not.
   */
  public static String refusal(String object, String srcName, Side src, String targetName, Side target,
      boolean ephemeral) {
    if (ephemeral && target.persistent()) {
      return "EPHEMERAL object " + object + " may not move to persistent tier " + targetName;
    }
    if (!target.writable()) {
      return "tier " + targetName + " is not writable";
    }
    if (!target.dst()) {
      return "tier " + targetName + " does not take migrations (no migration_dst)";
    }
    if (!src.src()) {
      return "object " + object + " is on tier " + srcName + ", which does not give migrations (no migration_src)";
    }
    return null;
  }

  /** Why tier {@code from} may not give up its copy of {@code object} (read-only), or null. */
  public static String giveUpRefusal(String object, String fromName, Side from) {
    return from.writable() ? null
        : "object " + object + " is on tier " + fromName + ", which is not writable: it cannot give up its copy";
  }
}
