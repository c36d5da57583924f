/**
 * Network address helpers shared by the configuration and the server: {@link
 * io.objmapper.internal.net.AddressRange}, the one parser of CIDR ranges ({@code tcp_allow},
 * {@code --udp-allow}).
 *
 * <p>Internal: not part of objmapper's API, free to change.
 */
package io.objmapper.internal.net;
