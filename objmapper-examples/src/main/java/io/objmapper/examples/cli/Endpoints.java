package io.objmapper.examples.cli;

import java.net.InetSocketAddress;
import picocli.CommandLine;

/** Parses {@code HOST:PORT} options. */
final class Endpoints {
  private Endpoints() {}

  static InetSocketAddress hostPort(String value, CommandLine cmd) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new CommandLine.ParameterException(cmd, "expected HOST:PORT, got '" + value + "'");
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new CommandLine.ParameterException(cmd, "bad port in '" + value + "'");
    }
    if (port < 0 || port > 65535) {
      throw new CommandLine.ParameterException(cmd, "port out of range in '" + value + "'");
    }
    return new InetSocketAddress(host, port);
  }
}
