/**
 * The Java snippets of the project's README, compiled: README quotes the regions between
 * {@code // readme:begin NAME} and {@code // readme:end} of these files (a snippet's imports,
 * then its code), and {@code ReadmeSnippetsTest} fails when the two differ, so every snippet
 * a reader copies compiles as written.
 */
package io.objmapper.examples.readme;
