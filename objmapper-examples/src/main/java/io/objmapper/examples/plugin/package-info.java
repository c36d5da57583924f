/**
 * A tier plugin written against {@code io.objmapper.spi} and the JDK alone: {@link
 * io.objmapper.examples.plugin.ShardedDirTierProvider}, type {@code "sharded"}, keeps each
 * object in a file below a two-level hash-sharded directory tree.
 *
 * <p>What a plugin author does, all of it shown here:
 *
 * <ol>
 *   <li>implement {@link io.objmapper.spi.Tier} (validate every name with {@link
 *       io.objmapper.spi.ObjectNames#validateStorable} first, check flags with {@link
 *       io.objmapper.spi.TierAccessException#check}, write atomically, keep the counts);
 *   <li>implement {@link io.objmapper.spi.TierProvider} with a public no-argument constructor
 *       that cannot fail;
 *   <li>list the provider in {@code META-INF/services/io.objmapper.spi.TierProvider} (and, in
 *       a module, {@code provides io.objmapper.spi.TierProvider with ...});
 *   <li>run the contract kit, {@code io.objmapper.spi.contract.TierContractTest} from the
 *       {@code objmapper-spi} test-jar, against the tier.
 * </ol>
 */
package io.objmapper.examples.plugin;
