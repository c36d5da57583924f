/**
 * What a storage tier plugin implements, and the rules every tier shares.
 *
 * <ul>
 *   <li>{@link io.objmapper.spi.Tier}: one tier, local (files whose descriptors can be
 *       passed, through its {@link io.objmapper.spi.LocalFiles} capability) or remote (read
 *       as streams), with atomic writes, deletes, scans and counts;
 *   <li>{@link io.objmapper.spi.TierProvider}: creates tiers of one type, found by {@link
 *       java.util.ServiceLoader}; {@link io.objmapper.spi.TierProviders} loads them and picks
 *       one by type;
 *   <li>{@link io.objmapper.spi.TierConfig} and {@link io.objmapper.spi.TierFlag}: how a tier
 *       is configured;
 *   <li>{@link io.objmapper.spi.ObjectNames}: what a valid object name is, and how it maps
 *       below a tier's root.
 * </ul>
 *
 * <p>A tier of files in a directory tree extends {@link io.objmapper.spi.dir.DirectoryTier}.
 *
 * <p>Depends on the JDK, slf4j-api and JNA (the safe open's system calls), so a plugin needs
 * nothing but this module. The module's
 * test-jar holds {@code io.objmapper.spi.contract.TierContractTest}, the tests every tier
 * implementation runs against itself.
 */
package io.objmapper.spi;
