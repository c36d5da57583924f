package io.objmapper.client;

/**
 * An object as a server describes it: what {@link ObjMapperClient#put} published (the COMMIT
 * answer's metadata), or a line of {@link ObjMapperClient#stat} / {@link ObjMapperClient#list}.
 *
 * @param name the object's name
 * @param size its size in bytes
 * @param mtimeSeconds its modification time, Unix seconds
 * @param tierId the tier that holds it, or -1 if the server did not say
 * @param ephemeral flagged EPHEMERAL
 * @param pinned flagged PINNED
 */
public record StoredObject(String name, long size, long mtimeSeconds, int tierId, boolean ephemeral,
    boolean pinned) {}
