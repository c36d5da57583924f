package io.objmapper.internal.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each key of a configuration text is, and how its value reads, by JSON path
 * ({@code backends[1].flags[2]}). Jackson binds values without keeping their positions;
 * this first pass over the tokens keeps them, so that a problem found after binding can
 * still name its line and column.
 *
 * <p>The pass also enforces what binding would let through: exactly one top-level object,
 * and no key twice in one object (Jackson would silently keep the last).
 */
final class SourceMap {
  private final Map<String, JsonLocation> locations = new HashMap<>();
  private final Map<String, String> values = new HashMap<>();

  private SourceMap() {}

  /**
   * Reads every token of {@code text}.
   *
   * @throws ConfigException for a duplicate key, a top level that is not one object
   * @throws IOException for JSON syntax errors (Jackson's, with their location)
   */
  static SourceMap scan(ObjectMapper mapper, String text) throws IOException {
    SourceMap map = new SourceMap();
    try (JsonParser p = mapper.createParser(text)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw ConfigException.invalid("", "no content; expected a JSON object").at(1, 1);
      }
      if (t != JsonToken.START_OBJECT) {
        throw map.problem(p, "", "expected a JSON object at the top level, was " + render(p, t));
      }
      map.locations.put("", p.currentTokenLocation());
      map.values.put("", "an object");
      while ((t = p.nextToken()) != null) {
        JsonStreamContext context = p.getParsingContext();
        if (t == JsonToken.FIELD_NAME) {
          String path = pathOf(context);
          if (map.locations.putIfAbsent(path, p.currentTokenLocation()) != null) {
            throw map.problem(p, path, "duplicate key");
          }
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          if (context.inRoot() && (t = p.nextToken()) != null) {
            throw map.problem(p, "",
                "unexpected content after the top-level object: " + render(p, t));
          }
        } else {
          JsonStreamContext owner = t.isStructStart() ? context.getParent() : context;
          String path = pathOf(owner);
          if (owner.inArray()) {
            map.locations.put(path, p.currentTokenLocation());
          }
          map.values.put(path, render(p, t));
        }
      }
    }
    return map;
  }

  /**
   * The JSON path of the position {@code context} is at: the current key of an object, the
   * current element of an array; {@code ""} at the top.
   */
  static String pathOf(JsonStreamContext context) {
    if (context == null || context.inRoot()) {
      return "";
    }
    String parent = pathOf(context.getParent());
    if (context.inArray()) {
      return parent + "[" + context.getCurrentIndex() + "]";
    }
    String name = context.getCurrentName();
    return name == null ? parent : ConfigException.join(parent, name);
  }

  /** How the value at {@code path} reads ({@code "ten"}, {@code 10.5}, an array), or null. */
  String value(String path) {
    return values.get(path);
  }

  /**
   * {@code e} with the line and column of its key, or of the nearest enclosing key present
   * in the text when the key itself was left out.
   */
  ConfigException locate(ConfigException e) {
    if (e.line() > 0) {
      return e;
    }
    for (String path = e.path(); ; path = parentOf(path)) {
      JsonLocation at = locations.get(path);
      if (at != null) {
        return e.at(at.getLineNr(), at.getColumnNr());
      }
      if (path.isEmpty()) {
        return e;
      }
    }
  }

  private ConfigException problem(JsonParser p, String path, String detail) {
    JsonLocation at = p.currentTokenLocation();
    return ConfigException.invalid(path, detail).at(at.getLineNr(), at.getColumnNr());
  }

  private static String parentOf(String path) {
    int cut = path.endsWith("]") ? path.lastIndexOf('[') : path.lastIndexOf('.');
    return cut <= 0 ? "" : path.substring(0, cut);
  }

  private static String render(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> Check.quote(p.getText());
      default -> p.getText();
    };
  }
}
