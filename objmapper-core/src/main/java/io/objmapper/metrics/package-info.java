/**
 * Micrometer meters over a store's {@link io.objmapper.ObjMapper#stats() stats}:
 * {@link io.objmapper.metrics.ObjMapperMetrics}. Micrometer is an optional dependency of
 * objmapper; this package needs it on the class path, nothing else does.
 */
package io.objmapper.metrics;
