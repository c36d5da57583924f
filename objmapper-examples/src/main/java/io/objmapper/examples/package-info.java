/**
 * Runnable examples and the {@code objmapper.jar} launcher ({@link io.objmapper.examples.Launcher}).
 */
package io.objmapper.examples;
