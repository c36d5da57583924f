package io.objmapper;

/**
 * What the store knows about one object.
 *
 * @param name the object's name
 * @param size bytes
 * @param mtimeMillis last modification, milliseconds since the epoch
 * @param tier name of the tier that holds it
 * @param tierId position of that tier in the configuration, from 0
 * @param flags {@link ObjectFlag} mask
 */
public record ObjectInfo(String name, long size, long mtimeMillis, String tier, int tierId, int flags) {
  public boolean ephemeral() {
    return ObjectFlag.EPHEMERAL.in(flags);
  }

  public boolean pinned() {
    return ObjectFlag.PINNED.in(flags);
  }
}
