/**
 * The built-in storage tiers, found through {@code META-INF/services} like any plugin.
 *
 * <ul>
 *   <li>{@link io.objmapper.internal.tier.FsTierProvider}: type {@code fs} (aliases {@code
 *       nvme}, {@code ssd}, {@code hdd}), objects in any directory, persistent by default;
 *   <li>{@link io.objmapper.internal.tier.MemoryTierProvider}: type {@code memory}, objects in
 *       a tmpfs directory ({@code /dev/shm/objmapper-...} unless a root is given), ephemeral.
 * </ul>
 *
 * <p>Both open the same package-private file-per-object tier, with different defaults. Not
 * API: engine code reaches these tiers through {@link io.objmapper.spi.TierProviders}.
 */
package io.objmapper.internal.tier;
