/** The launcher's commands: serve, get, bench (the load generator) and the bare baseline server. */
package io.objmapper.examples.cli;
