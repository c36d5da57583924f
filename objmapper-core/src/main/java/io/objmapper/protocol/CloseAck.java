package io.objmapper.protocol;

/** CLOSE_ACK: {@code 0x04 | 0x00 | outstanding u32}, the server's answer to CLOSE. */
public record CloseAck(long outstanding) implements ServerMessage {}
