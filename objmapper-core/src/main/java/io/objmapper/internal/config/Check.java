package io.objmapper.internal.config;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Range and shape checks shared by the config records; each failure names its key. */
final class Check {
  private Check() {}

  static <T> T required(String key, T value) {
    if (value == null) {
      throw ConfigException.invalid(key, "missing (required)");
    }
    return value;
  }

  static long positive(String key, long value) {
    if (value <= 0) {
      throw ConfigException.invalid(key, "must be > 0, was " + value);
    }
    return value;
  }

  static long atLeast(String key, long value, long min) {
    if (value < min) {
      throw ConfigException.invalid(key, "must be >= " + min + ", was " + value);
    }
    return value;
  }

  static long atMost(String key, long value, long max) {
    if (value > max) {
      throw ConfigException.invalid(key, "must be <= " + max + ", was " + value);
    }
    return value;
  }

  static double positive(String key, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw ConfigException.invalid(key, "must be a finite number > 0, was " + value);
    }
    return value;
  }

  /** {@code value} in [0, 1], or in (0, 1] when {@code zeroAllowed} is false. */
  static double fraction(String key, double value, boolean zeroAllowed) {
    boolean ok = zeroAllowed ? value >= 0 && value <= 1 : value > 0 && value <= 1;
    if (!ok) {
      throw ConfigException.invalid(key,
          "must be in " + (zeroAllowed ? "[0, 1]" : "(0, 1]") + ", was " + value);
    }
    return value;
  }

  static Path absolute(String key, Path path) {
    required(key, path);
    if (!path.isAbsolute()) {
      throw ConfigException.invalid(key, "must be an absolute path, was \"" + path + "\"");
    }
    return path.normalize();
  }

  /**
   * The enum constant whose config name is {@code given}, or a failure listing the known
   * names ({@code unknown flag "fast"; known: ephemeral, persistent, ...}).
   */
  static <E extends Enum<E>> E oneOf(String key, String noun, String given, Class<E> type,
      Function<E, String> configName) {
    E[] all = type.getEnumConstants();
    for (E e : all) {
      if (configName.apply(e).equals(given)) {
        return e;
      }
    }
    throw ConfigException.invalid(key, "unknown " + noun + " " + quote(given) + "; known: "
        + Arrays.stream(all).map(configName).collect(Collectors.joining(", ")));
  }

  /**
   * The names in {@code names} as an unmodifiable enum set; {@code key} is the list's path,
   * so a bad element is reported as {@code key[i]}. Repeating a name is an error: it is
   * always a typo for another one.
   */
  static <E extends Enum<E>> Set<E> enumSet(String key, String noun, List<String> names,
      Class<E> type, Function<E, String> configName) {
    required(key, names);
    EnumSet<E> set = EnumSet.noneOf(type);
    for (int i = 0; i < names.size(); i++) {
      String element = key + "[" + i + "]";
      E e = oneOf(element, noun, required(element, names.get(i)), type, configName);
      if (!set.add(e)) {
        throw ConfigException.invalid(element, "duplicate " + noun + " " + quote(names.get(i)));
      }
    }
    return immutable(set, type);
  }

  /** An unmodifiable copy of {@code values}, which must not contain null. */
  static <E extends Enum<E>> Set<E> immutable(Collection<E> values, Class<E> type) {
    EnumSet<E> set = EnumSet.noneOf(type);
    for (E e : values) {
      if (e == null) {
        throw new NullPointerException("null " + type.getSimpleName());
      }
      set.add(e);
    }
    return Collections.unmodifiableSet(set);
  }

  /** {@code s} in double quotes, control characters escaped, cut at 80 characters. */
  static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(Math.min(s.length(), 80) + 2).append('"');
    for (int i = 0; i < s.length() && i < 80; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (s.length() > 80) {
      sb.append("...");
    }
    return sb.append('"').toString();
  }
}
