/**
 * The persistent per-tier index: one Chronicle Map file per persistent tier mapping object names
 * to a 24-byte {@link io.objmapper.internal.index.IndexEntry} (size, modification time, file
 * identity, flags), so that a restart finds objects without scanning the tier.
 *
 * <ul>
 *   <li>{@link io.objmapper.internal.index.PersistentTierIndex} — open (create, recover after a
 *   crash, or replace an unusable file), get/put/remove, walks, growth by re-creating a larger
 *   file, clean-shutdown marker; its class comment states the concurrency contract.</li>
 *   <li>{@link io.objmapper.internal.index.OpenState} — whether the entries can be trusted, need
 *   reconciling, or need a full scan.</li>
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
