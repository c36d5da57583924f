/**
 * The public API and the store behind it.
 *
 * <p>API: the {@link io.objmapper.ObjMapper} store and its builder,
 * {@link io.objmapper.ObjectLease}, {@link io.objmapper.ObjectInfo}, flags, stats, the
 * typed exceptions and their {@link io.objmapper.ErrorCode} (a server maps each code to the
 * wire status of the same name; this package knows neither the server nor the wire).
 *
 * <p>The store, package-private, one job per class: {@code StorageEngine} is the front that
 * opens the tiers and wires the rest; {@code TierSet} (the tiers and their predicates, the
 * only user of a tier's local files); {@code ReadPath} (lookup → shared descriptor: the
 * request path); {@code Writes} and {@code TierSpace} (puts, deletes, the room on each
 * tier); {@code Mover} (every move between tiers: by hand, by the lifecycle, cached copies);
 * {@code LifecycleView} (what the lifecycle runner of
 * {@link io.objmapper.internal.lifecycle} sees of the store); {@code Placements} (where an
 * object is and why); {@code Recovery} (what is put right at open); {@code NameLocks} (who
 * may write what, and closing).
 */
package io.objmapper;
