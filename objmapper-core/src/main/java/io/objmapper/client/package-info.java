/**
 * The Java client: {@link io.objmapper.client.ObjMapperClient} speaks V1 or V2 over a Unix
 * socket or TCP and returns {@link io.objmapper.client.RemoteObject}s whose descriptors
 * outlive the connection.
 */
package io.objmapper.client;
