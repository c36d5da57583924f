/**
 * The tier contract test kit, shipped in the test-jar of {@code objmapper-spi}: {@link
 * io.objmapper.spi.contract.TierContractTest}, which a tier implementation extends to run the
 * behaviour every tier must have against itself, and {@link
 * io.objmapper.spi.contract.InMemoryRemoteTier}, a heap-backed remote tier that shows the SPI
 * admits tiers that are not local.
 */
package io.objmapper.spi.contract;
