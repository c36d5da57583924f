package io.objmapper.internal.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An address range in CIDR notation ({@code 10.0.0.0/8}, {@code ::1/128}); a bare address is
 * one host. Only literals are read: a host name is refused, never looked up.
 */
public final class AddressRange {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private final byte[] network;
  private final int prefix;
  private final String text;

  private AddressRange(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /**
   * Reads one range.
   *
   * @throws IllegalArgumentException if {@code cidr} is not an IP address literal with an
   *     optional prefix length (0..32 for IPv4, 0..128 for IPv6)
   */
  public static AddressRange parse(String cidr) {
    Objects.requireNonNull(cidr, "cidr");
    int slash = cidr.indexOf('/');
    String host = slash < 0 ? cidr : cidr.substring(0, slash);
    if (!IPV4.matcher(host).matches() && !IPV6.matcher(host).matches()) {
      throw new IllegalArgumentException("not an IP address: '" + cidr + "'");
    }
    byte[] addr;
    try {
      addr = InetAddress.getByName(host).getAddress(); // a literal (checked above): no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: '" + cidr + "'", e);
    }
    int bits = addr.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = cidr.substring(slash + 1);
      if (!p.matches("\\d{1,3}")) {
        throw new IllegalArgumentException("bad prefix length in '" + cidr + "'");
      }
      prefix = Integer.parseInt(p);
      if (prefix > bits) {
        throw new IllegalArgumentException("prefix length not in 0.." + bits + " in '" + cidr + "'");
      }
    }
    return new AddressRange(addr, prefix, cidr);
  }

  /**
   * Reads every range of {@code cidrs}.
   *
   * @throws IllegalArgumentException naming the first that is not one
   */
  public static List<AddressRange> parseAll(List<String> cidrs) {
    List<AddressRange> ranges = new ArrayList<>(cidrs.size());
    for (String c : cidrs) {
      ranges.add(parse(Objects.requireNonNull(c, "cidr")));
    }
    return List.copyOf(ranges);
  }

  /** Whether {@code a} is in this range (an IPv4 address is never in an IPv6 range). */
  public boolean contains(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (b[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xFF << (8 - rest) & 0xFF;
    return (b[full] & mask) == (network[full] & mask);
  }

  /** Whether some range of {@code ranges} contains {@code a}. */
  public static boolean anyContains(List<AddressRange> ranges, InetAddress a) {
    for (int i = 0; i < ranges.size(); i++) {
      if (ranges.get(i).contains(a)) {
        return true;
      }
    }
    return false;
  }

  /** The range as it was written. */
  @Override
  public String toString() {
    return text;
  }
}
