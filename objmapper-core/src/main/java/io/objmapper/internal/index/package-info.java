/**
 * The persistent per-tier index: one Chronicle Map file per persistent tier mapping object names
 * to a 24-byte {@link io.objmapper.internal.index.IndexEntry} (size, modification time, file
 * identity, flags), so that a restart finds objects without scanning the tier.
 *
 * <ul>
 *   <li>{@link io.objmapper.internal.index.PersistentTierIndex} — get/put/remove, walks,
 *   clean-shutdown marker; its class comment states the concurrency contract. Its collaborators:
 *   {@code IndexOpener} (trust a cleanly closed, checksummed map or move it aside unread and
 *   start empty), {@code IndexGrowth} (re-create a larger map, or replace a damaged one),
 *   {@code SegmentWalk}, {@code CleanMarker}, {@code IndexFiles}, {@code IndexManifest}.</li>
 *   <li>{@link io.objmapper.internal.index.OpenState} — whether the entries can be trusted or
 *   need a full scan.</li>
 *   <li>{@link io.objmapper.internal.index.TierFiles} and
 *   {@link io.objmapper.internal.index.DirectoryTierFiles} — the view of a tier's files that
 *   {@link io.objmapper.internal.index.PersistentTierIndex#reconcile} makes the index match,
 *   reporting a {@link io.objmapper.internal.index.ReconcileReport}.</li>
 *   <li>{@link io.objmapper.internal.index.IndexOptions} — sizing and growth settings.</li>
 * </ul>
 *
 * <p>Internal: not part of objmapper's API, free to change. Files written here carry a format
 * number; a change of the stored layout bumps it and old files are then rebuilt by a scan.
 */
package io.objmapper.internal.index;
