package io.objmapper.internal.config;

import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP address as written in the configuration: {@code host:port}, with an IPv6 host in
 * brackets ({@code [::1]:7000}). Port 0 asks the system for a free port.
 *
 * @param host a host name, IPv4 address or IPv6 address (without brackets)
 * @param port 0 to 65535
 */
record HostPort(String host, int port) {
  private static final Pattern FORM = Pattern.compile(
      "(?:\\[(?<v6>[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[A-Za-z0-9_.-]+)?)]"
          + "|(?<name>[A-Za-z0-9_.-]+)):(?<port>[0-9]{1,5})");

  /** @throws ConfigException ({@code tcp}) if the host is blank or the port out of range */
  public HostPort {
    Check.required("tcp", host);
    if (host.isBlank()) {
      throw ConfigException.invalid("tcp", "host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw ConfigException.invalid("tcp", "port must be 0 to 65535, was " + port);
    }
  }

  /**
   * Reads {@code host:port}.
   *
   * @throws ConfigException naming {@code key} if {@code text} is not of that form
   */
  public static HostPort parse(String key, String text) {
    Matcher m = FORM.matcher(Check.required(key, text));
    if (!m.matches()) {
      String why = text.indexOf(':') != text.lastIndexOf(':') && !text.startsWith("[")
          ? "an IPv6 address needs brackets, like \"[::1]:7000\""
          : "must be host:port, like \"127.0.0.1:7000\" or \"[::1]:7000\"";
      throw ConfigException.invalid(key, why + ", was " + Check.quote(text));
    }
    int port = Integer.parseInt(m.group("port"));
    if (port > 65535) {
      throw ConfigException.invalid(key, "port must be 0 to 65535, was " + Check.quote(text));
    }
    String v6 = m.group("v6");
    return new HostPort(v6 != null ? v6 : m.group("name"), port);
  }

  /** The address to bind or connect to; resolves the host name. */
  public InetSocketAddress toSocketAddress() {
    return new InetSocketAddress(host, port);
  }

  /** {@code host:port}, with brackets around an IPv6 host: the form {@link #parse} reads. */
  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
