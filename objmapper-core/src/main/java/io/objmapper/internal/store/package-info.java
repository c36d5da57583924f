/**
 * The store's indexes: the bounded in-heap {@link io.objmapper.internal.store.GlobalIndex}
 * of objects in use, and the per-tier {@link io.objmapper.internal.store.TierIndex} (heap
 * for volatile tiers, Chronicle Map files for persistent ones).
 */
package io.objmapper.internal.store;
