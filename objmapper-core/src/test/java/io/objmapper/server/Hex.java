package io.objmapper.server;

import java.nio.ByteBuffer;

/** Hex dumps for assertion messages. */
final class Hex {
  private Hex() {}

  static String of(ByteBuffer b) {
    StringBuilder sb = new StringBuilder();
    for (int i = b.position(); i < b.limit(); i++) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(String.format("%02x", b.get(i) & 0xFF));
    }
    return sb.toString();
  }

  static String of(byte[] b) {
    return of(ByteBuffer.wrap(b));
  }

  /** Bytes from a string of hex pairs, spaces allowed: {@code "4f 42"}. */
  static byte[] bytes(String hex) {
    String s = hex.replace(" ", "");
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }
}
