package io.objmapper.internal.config;

import io.objmapper.internal.net.AddressRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code server} section's keys of who may connect and who may write (each has a
 * matching {@code serve} flag and {@code ObjectServer.Builder} setter).
 *
 * @param allowUids {@code allow_uids}: Unix peers admitted by uid (the kernel's peer
 *     credentials); with {@code allowGids} both empty (the default), every peer that can open
 *     the socket file
 * @param allowGids {@code allow_gids}: Unix peers admitted by gid
 * @param tcpAllow {@code tcp_allow}: TCP sources admitted, as CIDR ranges; empty (the default)
 *     admits every source, which the server allows on a loopback listener only
 * @param writerUids {@code writer_uids}: Unix peers, by uid, that may write; empty for the
 *     default, the uid the server runs as; an empty list for no uid
 * @param writerGids {@code writer_gids}: Unix peers, by gid, that may write; default none
 */
public record PeerAccessConfig(List<Long> allowUids, List<Long> allowGids, List<String> tcpAllow,
    Optional<List<Long>> writerUids, List<Long> writerGids) {
  /** Every peer that can open the socket file connects, loopback TCP only, the server's own uid writes. */
  public static final PeerAccessConfig DEFAULTS =
      new PeerAccessConfig(List.of(), List.of(), List.of(), Optional.empty(), List.of());

  /** @throws ConfigException naming the key (and element) that is missing or not an id or a CIDR range */
  public PeerAccessConfig {
    allowUids = ids("allow_uids", "uid", allowUids);
    allowGids = ids("allow_gids", "gid", allowGids);
    tcpAllow = ranges("tcp_allow", tcpAllow);
    writerUids = Check.required("writer_uids", writerUids).map(u -> ids("writer_uids", "uid", u));
    writerGids = ids("writer_gids", "gid", writerGids);
  }

  /** Reads {@code ids} as uids or gids (0 to 4294967295), naming {@code key[i]} for a bad one. */
  static List<Long> ids(String key, String what, List<Long> ids) {
    Check.required(key, ids);
    for (int i = 0; i < ids.size(); i++) {
      Long id = ids.get(i);
      if (id == null || id < 0 || id > 0xFFFF_FFFFL) {
        throw ConfigException.invalid(key + "[" + i + "]", "must be a " + what + " (0 to 4294967295), was " + id);
      }
    }
    return List.copyOf(ids);
  }

  private static List<String> ranges(String key, List<String> cidrs) {
    Check.required(key, cidrs);
    List<String> out = new ArrayList<>(cidrs.size());
    for (int i = 0; i < cidrs.size(); i++) {
      String element = key + "[" + i + "]";
      String c = Check.required(element, cidrs.get(i));
      try {
        AddressRange.parse(c);
      } catch (IllegalArgumentException e) {
        throw ConfigException.invalid(element, "must be a CIDR range such as \"10.0.0.0/8\" or \"192.0.2.7\": "
            + e.getMessage(), e);
      }
      out.add(c);
    }
    return List.copyOf(out);
  }
}
