package io.objmapper.protocol;

/** A message a server sends after the handshake, as a client decodes it. */
public sealed interface ServerMessage permits Response, SegmentedResponse, Close, CloseAck {}
