/**
 * The public API: the {@link io.objmapper.ObjMapper} store and its builder,
 * {@link io.objmapper.ObjectLease}, {@link io.objmapper.ObjectInfo}, flags, stats and the
 * typed exceptions.
 */
package io.objmapper;
