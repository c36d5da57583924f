/** Helpers shared by tests of several packages (child JVMs for the kill tests). */
package io.objmapper.testing;
