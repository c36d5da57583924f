package io.objmapper.internal.tier;

import io.objmapper.spi.TierProvider;
import io.objmapper.spi.contract.TierContractTest;

/** The memory tier keeps the tier contract (on a temporary directory as its root). */
class MemoryTierContractTest extends TierContractTest {
  @Override
  protected TierProvider provider() {
    return new MemoryTierProvider();
  }
}
