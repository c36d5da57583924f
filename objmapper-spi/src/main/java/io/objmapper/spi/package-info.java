/**
 * What a storage tier plugin implements, and the rules every tier shares (object names).
 * Depends on the JDK only, so a plugin needs nothing but this module on its classpath.
 */
package io.objmapper.spi;
