package io.objmapper.internal.store;

import io.objmapper.OpenProgress;
import io.objmapper.spi.Tier;

/**
 * One tier's walk at open as its {@link OpenProgress} sees it: the scan's running totals
 * (each reported once), then {@link #done} with the last ones. For one thread.
 */
final class OpenWalk implements Tier.ScanProgress {
  private final String tier;
  private final OpenProgress listener;
  private long files = -1;
  private long bytes;

  OpenWalk(String tier, OpenProgress listener) {
    this.tier = tier;
    this.listener = listener;
  }

  @Override
  public void progress(long objects, long bytes) {
    if (objects == files && bytes == this.bytes) {
      return; // the scan's closing report repeats its last one
    }
    files = objects;
    this.bytes = bytes;
    listener.walked(tier, objects, bytes, false);
  }

  /** The walk ended: its totals, as last reported by the scan. */
  void done() {
    listener.walked(tier, Math.max(0, files), bytes, true);
  }
}
