package io.objmapper.internal.store;

/**
 * What a per-tier index keeps of one object.
 *
 * @param size bytes
 * @param mtimeMillis last modification, milliseconds since the epoch
 * @param flags {@link io.objmapper.ObjectFlag} mask
 */
public record IndexRecord(long size, long mtimeMillis, int flags) {}
