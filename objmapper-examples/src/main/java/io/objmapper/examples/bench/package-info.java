/**
 * Benchmarks of the targets in the project's issues, run only by the commands in
 * {@code objmapper-examples/BENCHMARKS.md} (never by {@code mvn test} or {@code verify}).
 *
 * <ul>
 *   <li>{@link io.objmapper.examples.bench.LeaseBenchmark} (JMH): lookup + lease + release
 *       of a cached object against {@code FileChannel.open} + {@code close} of the same file.
 *   <li>{@link io.objmapper.examples.bench.ServerPathAllocationBenchmark} (JMH with
 *       {@code -prof gc}): bytes allocated by each piece of the server's per-request work.
 *   <li>{@link io.objmapper.examples.bench.FdCacheHitRate} (plain {@code main}): descriptor
 *       cache hit rate on a skewed workload.
 * </ul>
 */
package io.objmapper.examples.bench;
