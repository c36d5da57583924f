/**
 * The objmapper wire protocol, byte-compatible with the C implementation: message types,
 * status codes, capabilities, modes, metadata TLVs, and an incremental
 * {@link io.objmapper.protocol.ProtocolDecoder decoder} and
 * {@link io.objmapper.protocol.ProtocolEncoder encoder} working on {@link java.nio.ByteBuffer}s.
 * Public API: independent clients and servers may build on it.
 */
package io.objmapper.protocol;
