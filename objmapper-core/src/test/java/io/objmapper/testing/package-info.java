/**
 * Helpers shared by tests of several packages: child JVMs for the kill tests, a forwarding tier
 * to hook, an S3 server in process.
 */
package io.objmapper.testing;
