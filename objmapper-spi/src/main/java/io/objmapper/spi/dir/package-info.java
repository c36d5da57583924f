/**
 * Files in a directory tree as a tier: {@link io.objmapper.spi.dir.DirectoryTier} (extend it
 * with a {@link io.objmapper.spi.dir.DirectoryLayout}), the safe open {@link
 * io.objmapper.spi.dir.BeneathRoot} (beneath the root, no symbolic links, regular files only,
 * never blocking on a FIFO), its by-path sibling {@link io.objmapper.spi.dir.RegularFile} for
 * a store's own files (index, journals, markers), and the crash-safe {@link
 * io.objmapper.spi.dir.AtomicWrite}. The
 * built-in fs and memory tiers and the sharded example plugin are all built on it.
 */
package io.objmapper.spi.dir;
