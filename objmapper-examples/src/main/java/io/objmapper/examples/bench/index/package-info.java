/**
 * Measuring programs for the per-tier Chronicle Map index: footprint, fill, reopen, recovery
 * and rebuild rates ({@link io.objmapper.examples.bench.index.IndexFootprint}).
 */
package io.objmapper.examples.bench.index;
