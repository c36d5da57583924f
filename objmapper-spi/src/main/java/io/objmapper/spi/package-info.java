/**
 * What a storage tier plugin implements, and the rules every tier shares.
 *
 * <ul>
 *   <li>{@link io.objmapper.spi.Tier}: one tier, local (files whose descriptors can be
 *       passed) or remote (read as streams), with atomic writes, deletes, scans and counts;
 *   <li>{@link io.objmapper.spi.TierProvider}: creates tiers of one type, found by {@link
 *       java.util.ServiceLoader}; {@link io.objmapper.spi.TierProviders} loads them and picks
 *       one by type;
 *   <li>{@link io.objmapper.spi.TierConfig} and {@link io.objmapper.spi.TierFlag}: how a tier
 *       is configured;
 *   <li>{@link io.objmapper.spi.ObjectNames}: what a valid object name is, and how it maps
 *       below a tier's root.
 * </ul>
 *
 * <p>Depends on the JDK only, so a plugin needs nothing but this module. The module's
 * test-jar holds {@code io.objmapper.spi.contract.TierContractTest}, the tests every tier
 * implementation runs against itself.
 */
package io.objmapper.spi;
