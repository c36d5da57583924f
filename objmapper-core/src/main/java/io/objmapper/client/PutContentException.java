package io.objmapper.client;

import java.io.IOException;

/**
 * A put's content could not be written into the temporary file the server passed: the
 * source failed to read (an I/O error, or it shrank while being sent: the cause is then an
 * {@link java.io.EOFException}) or the file failed to take it. The put was abandoned
 * (nothing published, the temporary file removed) and the connection stays usable, unlike an
 * {@link IOException} of the connection itself. The cause is the error met.
 */
public final class PutContentException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String objectName;

  public PutContentException(String objectName, IOException cause) {
    super("the content of " + objectName + " could not be written: " + cause.getMessage(), cause);
    this.objectName = objectName;
  }

  /** The object the put was for. */
  public String objectName() {
    return objectName;
  }

  @Override
  public synchronized IOException getCause() {
    return (IOException) super.getCause();
  }
}
