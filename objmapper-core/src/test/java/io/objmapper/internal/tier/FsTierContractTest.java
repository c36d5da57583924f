package io.objmapper.internal.tier;

import io.objmapper.spi.TierProvider;
import io.objmapper.spi.contract.TierContractTest;

/** The fs tier keeps the tier contract. */
class FsTierContractTest extends TierContractTest {
  @Override
  protected TierProvider provider() {
    return new FsTierProvider();
  }
}
