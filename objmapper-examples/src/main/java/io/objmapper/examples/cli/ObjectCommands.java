package io.objmapper.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.objmapper.ObjMapper;
import io.objmapper.ObjMapperException;
import io.objmapper.ObjectInfo;
import io.objmapper.client.ObjMapperClient;
import io.objmapper.internal.config.ObjMapperConfig;
import io.objmapper.spi.TierConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What the object commands ({@code put}, {@code rm}, {@code ls}, {@code stat},
 * {@code import}) share: how they reach the store and how they print an object.
 *
 * <p>With no server holding the store they open it themselves with {@code --config}/{@code
 * --data}, as {@code stats} does. A running {@code serve} holds its store (the lock on its
 * tiers' index files): then they go through its socket
 * ({@code --socket PATH}, default {@value #DEFAULT_SOCKET_NAME}, or with {@code --config} the
 * file's {@code server.socket_path}: the defaults of {@code serve})
 * with the write extension, as one of its writers, and {@code ls}, {@code stat} with its STAT
 * and LIST modes; {@code --socket} alone goes there at once.
 * A socket that cannot be reached is one line naming it, exit {@value ExitCodes#UNAVAILABLE}.
 */
final class ObjectCommands {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String DEFAULT_SOCKET_NAME = "objmapper.sock";

  private ObjectCommands() {}

  /** What a command does with a store it opened. */
  interface Direct<T> {
    T run(ObjMapper store) throws Exception;
  }

  /** What a command does through a running server. */
  interface Remote<T> {
    T run(ObjMapperClient client, String endpoint) throws IOException;
  }

  /**
   * Runs {@code direct} on the store opened directly, or {@code remote} through the server
   * at {@code socket} if one was given or a running serve holds the store (then the default
   * socket, if it is there).
   */
  static <T> T run(StoreOptions store, Path socket, boolean create, Direct<T> direct, Remote<T> remote)
      throws Exception {
    if (socket != null) {
      return through(socket, remote);
    }
    ObjMapper opened;
    try {
      opened = create ? store.openForWrite() : store.openExisting();
    } catch (StoreOptions.Failure f) {
      if (!f.storeInUse) {
        throw f;
      }
      // Where serve listens by default: the configuration's server.socket_path, else ./objmapper.sock.
      Path fallback = store.config != null ? ObjMapperConfig.load(store.config).socketPath() : Path.of(DEFAULT_SOCKET_NAME);
      if (!Files.exists(fallback)) {
        throw new StoreOptions.Failure(f.exitCode, f.getMessage().replaceFirst("^cannot open the store: ",
            "the store is held by a running serve: ") + " (and there is no " + fallback.toAbsolutePath()
            + ": give its --socket PATH)", true);
      }
      return through(fallback, remote);
    }
    try (ObjMapper s = opened) {
      return direct.run(s);
    }
  }

  /** Runs {@code remote} on a connection to {@code socket}; every failure is one line naming it. */
  static <T> T through(Path socket, Remote<T> remote) {
    String endpoint = "unix:" + socket.toAbsolutePath();
    ObjMapperClient c;
    try {
      c = ObjMapperClient.unix(socket).connect();
    } catch (IOException e) {
      throw ExitCodes.cannotConnect(endpoint, e);
    }
    try (ObjMapperClient client = c) {
      return remote.run(client, endpoint);
    } catch (ObjMapperException e) {
      throw new ExitCodes.CommandFailure(e.code() == io.objmapper.ErrorCode.INVALID_REQUEST ? ExitCodes.USAGE
          : ExitCodes.FAILED, endpoint + ": " + e.code() + ": " + e.getMessage(), e);
    } catch (UnsupportedOperationException e) {
      throw new ExitCodes.CommandFailure(ExitCodes.FAILED, endpoint + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ExitCodes.CommandFailure(ExitCodes.UNAVAILABLE, endpoint + ": " + StoreOptions.describe(e), e);
    }
  }

  /**
   * The name of tier {@code id}: as the server named it (its TIERS TLV, {@code served}), else
   * as the store {@code store} names it (a server that sends ids only).
   */
  static String tierName(StoreOptions store, List<String> served, int id) {
    if (id >= 0 && id < served.size()) {
      return served.get(id);
    }
    try {
      List<String> names = store.tiers().stream().map(TierConfig::name).toList();
      return id >= 0 && id < names.size() ? names.get(id) : "tier" + id;
    } catch (RuntimeException e) {
      return "tier" + id;
    }
  }

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

  /** An object as a server described it, with its tier's name looked up in the store's layout. */
  static ObjectInfo info(StoreOptions store, io.objmapper.client.ObjMapperClient client,
      io.objmapper.client.StoredObject o) {
    java.util.Set<io.objmapper.ObjectFlag> flags = java.util.EnumSet.noneOf(io.objmapper.ObjectFlag.class);
    if (o.ephemeral()) {
      flags.add(io.objmapper.ObjectFlag.EPHEMERAL);
    }
    if (o.pinned()) {
      flags.add(io.objmapper.ObjectFlag.PINNED);
    }
    String tier = tierName(store, client.tierNames(), o.tierId());
    return new ObjectInfo(o.name(), o.size(), o.mtimeSeconds() * 1000, tier, o.tierId(), java.util.Set.copyOf(flags));
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
      // Whole seconds, as a server tells it (the wire's MTIME), so that stat prints the same
      // text with or without a server.
      n.put("mtime", Instant.ofEpochMilli(o.mtimeMillis()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
      n.put("ephemeral", o.ephemeral());
      n.put("pinned", o.pinned());
    }
    return n;
  }
}
