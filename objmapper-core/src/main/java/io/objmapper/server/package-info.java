/**
 * The socket listener: {@link io.objmapper.server.ObjectServer} serves objects over Unix
 * sockets (passing file descriptors), TCP (streaming bytes) with protocol V1 and V2, and UDP
 * (one V1 COPY request per datagram), asking a {@link io.objmapper.server.RequestHandler}
 * for the objects. A few I/O threads multiplex every connection with non-blocking sockets;
 * only work that may block goes to a bounded pool of workers, which never write to a socket.
 * A store is served with {@code ObjectServer.builder(store)}: the package-private
 * {@code StoreHandler} adapts the store's shared descriptors to
 * {@link io.objmapper.server.ServedObject}s, and {@code WireStatus} answers an exception's
 * {@link io.objmapper.ErrorCode} with its status. Inside, {@code SocketListeners} binds and
 * accepts (within {@code ConnectionLimits}), {@code UdpServer} answers datagrams, each
 * {@code Connection} reads and answers one client (bytes by {@code AnswerEncoder}), and a
 * {@code WorkerRequest} serves one request that may block.
 *
 * <p>Dependencies point one way: this package uses {@code io.objmapper.protocol} and the
 * store; the store never uses this package.
 */
package io.objmapper.server;
