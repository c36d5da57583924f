/**
 * The launcher's commands: serve, get, bench (the load generator), the bare baseline server;
 * put, rm, ls, stat and import (a store's objects); stats and where (what a store's tiers hold
 * and where its objects live, as JSON). {@link io.objmapper.examples.cli.ExitCodes} holds the
 * exit codes and the one-line error style they share.
 */
package io.objmapper.examples.cli;
