package io.objmapper.spi.contract;

import io.objmapper.spi.TierProvider;

/** Runs the contract kit on the in-memory remote tier: the SPI admits a tier that is not local. */
class InMemoryRemoteTierContractTest extends TierContractTest {
  @Override
  protected TierProvider provider() {
    return new InMemoryRemoteTierProvider();
  }
}
