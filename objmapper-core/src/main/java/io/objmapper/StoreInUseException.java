package io.objmapper;

import java.io.IOException;

/**
 * Thrown by {@link ObjMapper.Builder#build()} when another store, in this process or
 * another, holds one of the tiers' indexes: two stores on the same tiers would each keep
 * their own counts and indexes of the same files.
 */
public class StoreInUseException extends IOException {
  private static final long serialVersionUID = 1L;

  public StoreInUseException(String message) {
    super(message);
  }
}
