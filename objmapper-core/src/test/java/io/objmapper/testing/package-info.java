/** Helpers shared by tests of several packages: child JVMs for the kill tests, a forwarding tier to hook. */
package io.objmapper.testing;
