/**
 * The launcher's commands: serve, get, bench (the load generator), the bare baseline server, and stats
 * and where (what a store's tiers hold and where its objects live, as JSON).
 */
package io.objmapper.examples.cli;
