/**
 * Runnable examples, one per kind of user. Each has a {@code main} that works in a temporary
 * directory and removes it, and a {@code run(Path, PrintStream)} that tests call:
 *
 * <ul>
 *   <li>{@link io.objmapper.examples.embed.InProcessLookupExample}: a JVM service that looks
 *       objects up in its own process;
 *   <li>{@link io.objmapper.examples.embed.EmbeddedServerExample}: a host application that
 *       serves its store to other processes over a Unix socket;
 *   <li>{@link io.objmapper.examples.embed.CustomTierExample}: an operator whose storage is a
 *       tier plugin found by {@link java.util.ServiceLoader}.
 * </ul>
 */
package io.objmapper.examples.embed;
