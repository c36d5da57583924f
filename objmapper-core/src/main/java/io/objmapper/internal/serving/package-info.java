/**
 * The seam between the store and its servers: {@link io.objmapper.internal.serving.StoreAccess}
 * is what the store offers a server beyond the public API (shared descriptors, write mode,
 * its configuration). The store core implements it without knowing the server; the
 * {@code io.objmapper.server} package adapts it to its {@code RequestHandler}.
 */
package io.objmapper.internal.serving;
