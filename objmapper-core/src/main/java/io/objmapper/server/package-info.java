/**
 * The socket listener: {@link io.objmapper.server.ObjectServer} serves objects over Unix
 * sockets (passing file descriptors), TCP (streaming bytes) with protocol V1 and V2, and UDP
 * (one V1 COPY request per datagram), asking a {@link io.objmapper.server.RequestHandler}
 * for the objects. A few I/O threads multiplex every connection with non-blocking sockets;
 * only work that may block goes to a bounded pool of workers, which never write to a socket.
 */
package io.objmapper.server;
