package io.objmapper.protocol;

/** CLOSE: {@code 0x03 | reason u8}, sent by a client, or by a server that shuts down. */
public record Close(int reason) implements ServerMessage {}
