package io.objmapper.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.objmapper.ObjMapper;
import io.objmapper.ObjectInfo;
import java.time.Instant;

/**
 * What the object commands ({@code put}, {@code rm}, {@code ls}, {@code stat},
 * {@code import}) share: how they open the store and how they print an object.
 *
 * <p>They open the store themselves with {@code --config}/{@code --data}, as {@code stats}
 * does. A running {@code serve} holds its store (the lock on its tiers' index files): then
 * they fail with one line naming the lock, exit {@value ExitCodes#UNAVAILABLE}; objects go
 * into a served store with {@code serve --import DIR} at its start.
 */
final class ObjectCommands {
  static final ObjectMapper JSON = new ObjectMapper();

  private ObjectCommands() {}

  /** Opens the store to write to it, creating the layout of a plain {@code serve} if there is none. */
  static ObjMapper openToWrite(StoreOptions store) {
    return whenHeld(() -> store.openForWrite());
  }

  /** Opens an existing store to read or delete. */
  static ObjMapper openExisting(StoreOptions store) {
    return whenHeld(() -> store.openExisting());
  }

  private static ObjMapper whenHeld(java.util.function.Supplier<ObjMapper> open) {
    try {
      return open.get();
    } catch (StoreOptions.Failure f) {
      if (f.storeInUse) {
        throw new StoreOptions.Failure(f.exitCode, f.getMessage().replaceFirst("^cannot open the store: ",
            "the store is held by a running serve: ") + " (stop it first; a running server takes new objects "
            + "only through serve --import at its start)", true);
      }
      throw f;
    }
  }

  /** {@code name<TAB>size<TAB>tier}: how {@code ls} and {@code put} print an object. */
  static String line(ObjectInfo o) {
    return o.name() + '\t' + o.size() + '\t' + o.tier();
  }

  /** The JSON of {@code ls --json} (one per line) and {@code stat}. */
  static ObjectNode json(ObjectInfo o, boolean full) {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", o.name());
    n.put("size", o.size());
    n.put("tier", o.tier());
    if (full) {
      n.put("tier_id", o.tierId());
      n.put("mtime", Instant.ofEpochMilli(o.mtimeMillis()).toString());
      n.put("ephemeral", o.ephemeral());
      n.put("pinned", o.pinned());
    }
    return n;
  }
}
