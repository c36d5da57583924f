package io.objmapper;

/**
 * What kind of failure an {@link ObjMapperException} reports. A server answers each with the
 * wire status of the same name ({@code io.objmapper.protocol.Status}), and a client turns a
 * received status back into the same code, so the store's API and its wire agree without
 * the store knowing the wire.
 */
public enum ErrorCode {
  /** No object has the name. */
  NOT_FOUND,
  /** The request (e.g. an object name) is malformed. */
  INVALID_REQUEST,
  /** The requested delivery mode is not available. */
  INVALID_MODE,
  /** The object name is too long. */
  URI_TOO_LONG,
  /** The operation breaks a tier rule or is not offered. */
  UNSUPPORTED_OP,
  /** The peer may not do this (a write by a peer not listed as a writer). */
  PERMISSION_DENIED,
  /** A failure inside objmapper itself. */
  INTERNAL_ERROR,
  /** A storage tier failed to read or write, or has no room. */
  STORAGE_ERROR,
  /** Out of memory. */
  OUT_OF_MEMORY,
  /** Not served in time. */
  TIMEOUT,
  /** The service is busy, closing or unreachable. */
  UNAVAILABLE,
  /** The peer broke the protocol. */
  PROTOCOL_ERROR,
  /** The peer speaks another protocol version. */
  VERSION_MISMATCH,
  /** A capability was used that was not negotiated. */
  CAPABILITY_ERROR
}
