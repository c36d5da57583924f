package io.objmapper;

import java.util.Objects;
import java.util.Set;

/**
 * What the store knows about one object.
 *
 * @param name the object's name
 * @param size bytes
 * @param mtimeMillis last modification, milliseconds since the epoch
 * @param tier name of the tier that holds it
 * @param tierId position of that tier in the configuration, from 0
 * @param flags the flags it is stored with (unmodifiable)
 */
public record ObjectInfo(String name, long size, long mtimeMillis, String tier, int tierId,
    Set<ObjectFlag> flags) {
  public ObjectInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tier, "tier");
    flags = Set.copyOf(Objects.requireNonNull(flags, "flags"));
  }

  /** An object stored with the flag mask {@code flags} of the index (see {@link ObjectFlag#bit()}). */
  static ObjectInfo of(String name, long size, long mtimeMillis, String tier, int tierId, int flags) {
    return new ObjectInfo(name, size, mtimeMillis, tier, tierId, ObjectFlag.of(flags));
  }

  /** True if it is stored with {@link ObjectFlag#EPHEMERAL}. */
  public boolean ephemeral() {
    return flags.contains(ObjectFlag.EPHEMERAL);
  }

  /** True if it is stored with {@link ObjectFlag#PINNED}. */
  public boolean pinned() {
    return flags.contains(ObjectFlag.PINNED);
  }
}
