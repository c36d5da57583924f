package io.objmapper.client;

/**
 * What a server published for {@link ObjMapperClient#put}: the COMMIT answer's metadata.
 *
 * @param name the object's name
 * @param size its size in bytes (SIZE)
 * @param mtimeSeconds its modification time, Unix seconds (MTIME)
 * @param tierId the tier that holds it (BACKEND), or -1 if the server did not say
 */
public record StoredObject(String name, long size, long mtimeSeconds, int tierId) {}
