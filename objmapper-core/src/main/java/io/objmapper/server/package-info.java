/**
 * The socket listener: {@link io.objmapper.server.ObjectServer} serves objects over Unix
 * sockets (passing file descriptors) and TCP (streaming bytes) with protocol V1 and V2,
 * asking a {@link io.objmapper.server.RequestHandler} for the objects.
 */
package io.objmapper.server;
