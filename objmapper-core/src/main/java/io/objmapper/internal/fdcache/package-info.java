/**
 * The cache of open file descriptors: bounded (Caffeine), reference-counted so a descriptor
 * is closed only when evicted and no reader holds it, revalidated against the file.
 */
package io.objmapper.internal.fdcache;
