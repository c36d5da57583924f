/**
 * The cache of open file descriptors: bounded (Caffeine), reference-counted so a descriptor
 * is closed only when evicted and no reader holds it, revalidated against the file. It knows
 * nothing above it (neither the store's API nor a server): a server attaches its own view to
 * each {@link io.objmapper.internal.fdcache.OpenFile} once.
 */
package io.objmapper.internal.fdcache;
