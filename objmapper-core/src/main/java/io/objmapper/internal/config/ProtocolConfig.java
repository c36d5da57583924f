package io.objmapper.internal.config;

import io.objmapper.protocol.Capabilities;
import io.objmapper.protocol.Capability;
import java.util.Set;

/**
 * The {@code protocol} section: what the server offers a client in HELLO_ACK.
 *
 * @param version 1 or 2, checked and kept for the seed configuration's files, not applied: the
 *     server answers V1 and V2 alike (a V1 client never sends HELLO, so it never meets V2)
 * @param maxPipeline most requests a V2 client may have outstanding, 1 to
 *     {@value #MAX_PIPELINE_LIMIT} (the protocol's limit)
 * @param capabilities what the server offers; the negotiated set is the client's AND these
 */
record ProtocolConfig(int version, int maxPipeline, Set<Capability> capabilities) {
  /** The protocol's limit on pipeline depth. */
  public static final int MAX_PIPELINE_LIMIT = 1000;

  /**
   * The server builder's defaults (one default per setting): V2, pipeline 100, every
   * capability this implementation supports (OOO_REPLIES, PIPELINING, SEGMENTED). The seed
   * configuration file lists OOO_REPLIES and PIPELINING.
   */
  public static final ProtocolConfig DEFAULTS =
      new ProtocolConfig(2, ServerDefaults.MAX_PIPELINE, Capability.of(Capabilities.SUPPORTED));

  /** @throws ConfigException naming the key that is out of range */
  public ProtocolConfig {
    if (version != 1 && version != 2) {
      throw ConfigException.invalid("version", "must be 1 or 2, was " + version);
    }
    Check.atLeast("max_pipeline", maxPipeline, 1);
    Check.atMost("max_pipeline", maxPipeline, MAX_PIPELINE_LIMIT);
    capabilities = Check.immutable(Check.required("capabilities", capabilities), Capability.class);
  }

  /** The capabilities as the u16 bit mask of HELLO_ACK (0x0003 for the defaults). */
  public int capabilityMask() {
    return Capability.mask(capabilities);
  }
}
