package io.objmapper.internal.config;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Reads configuration text into an {@link ObjMapperConfig}, turning every failure into a
 * {@link ConfigException} that names the key and its line and column.
 *
 * <p>Jackson reads strict JSON plus Java comments: unknown keys, {@code null} where a value is
 * expected, a duplicate key, a string where a number belongs (or the reverse), a fraction
 * where an integer belongs and trailing content are all errors; nothing is coerced.
 */
final class ConfigLoader {
  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
          DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
          DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT,
          DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      // Keys are exactly the @JsonProperty fields of ConfigDocument, nothing auto-detected.
      .visibility(PropertyAccessor.ALL, Visibility.NONE)
      .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.FAIL, Nulls.FAIL))
      .withCoercionConfig(LogicalType.Textual, c -> c
          .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
      .withCoercionConfigDefaults(c -> c
          .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
      .build();

  private ConfigLoader() {}

  static ObjMapperConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw ConfigException.invalid("", "no such file", e).in(file.toString());
    } catch (CharacterCodingException e) {
      throw ConfigException.invalid("", "not UTF-8 text", e).in(file.toString());
    } catch (AccessDeniedException e) {
      throw ConfigException.invalid("", "cannot read: permission denied", e).in(file.toString());
    } catch (IOException e) {
      String why = e instanceof FileSystemException f && f.getReason() != null
          ? f.getReason()
          : e.getMessage();
      throw ConfigException.invalid("", "cannot read: " + why, e).in(file.toString());
    }
    // Editors on some systems start UTF-8 files with a byte order mark; JSON has no use for it.
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    return parse(text, file.toString());
  }

  /** {@code problem} located in {@code file} (read again) and said to be in it. */
  static ConfigException locate(Path file, ConfigException problem) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      return SourceMap.scan(MAPPER, text).locate(problem).in(file.toString());
    } catch (IOException | RuntimeException e) { // changed or gone since it was loaded: no location
      return problem.in(file.toString());
    }
  }

  /** @param source names the text in messages (a file name), or null */
  static ObjMapperConfig parse(String text, String source) {
    Objects.requireNonNull(text, "text");
    try {
      return read(text);
    } catch (ConfigException e) {
      throw source == null ? e : e.in(source);
    }
  }

  private static ObjMapperConfig read(String text) {
    SourceMap map;
    try {
      map = SourceMap.scan(MAPPER, text);
    } catch (JsonProcessingException e) {
      throw syntaxError(e);
    } catch (IOException e) {
      throw ConfigException.invalid("", "cannot read: " + e, e);
    }
    ConfigDocument document;
    try {
      document = MAPPER.readValue(text, ConfigDocument.class);
    } catch (JsonProcessingException e) {
      throw map.locate(bindingError(e, map));
    }
    try {
      return document.toConfig();
    } catch (ConfigException e) {
      throw map.locate(e);
    }
  }

  private static ConfigException syntaxError(JsonProcessingException e) {
    // The parser's position names the last key read, which is near the error, not at fault.
    String near = e.getProcessor() instanceof JsonParser p
        ? SourceMap.pathOf(p.getParsingContext())
        : "";
    ConfigException problem = ConfigException.invalid("", "invalid JSON"
        + (near.isEmpty() ? "" : " near " + near) + ": " + e.getOriginalMessage(), e);
    JsonLocation at = e.getLocation();
    return at == null ? problem : problem.at(at.getLineNr(), at.getColumnNr());
  }

  /** A well-formed document that does not fit the model: unknown key, wrong type, null. */
  private static ConfigException bindingError(JsonProcessingException e, SourceMap map) {
    if (!(e instanceof JsonMappingException m)) {
      return syntaxError(e);
    }
    String path = pathOf(m.getPath());
    String value = map.value(path);
    if (m instanceof UnrecognizedPropertyException u) {
      return ConfigException.invalid(path,
          "unknown key; known: " + sorted(u.getKnownPropertyIds()), e);
    }
    if (m.getCause() instanceof InputCoercionException c) {
      return ConfigException.invalid(path,
          "must be " + range(c.getTargetType()) + ", was " + value, e);
    }
    if (m instanceof MismatchedInputException mi && value != null) {
      return ConfigException.invalid(path,
          "expected " + describe(mi.getTargetType()) + ", was " + value, e);
    }
    return ConfigException.invalid(path, m.getOriginalMessage(), e);
  }

  private static String pathOf(List<JsonMappingException.Reference> references) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : references) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String sorted(Collection<Object> names) {
    return names.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
  }

  private static String describe(Class<?> type) {
    if (type == null) {
      return "another kind of value";
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "an integer";
    }
    if (type == double.class || type == Double.class || type == BigDecimal.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    return "an object";
  }

  private static String range(Class<?> type) {
    if (type == int.class || type == Integer.class) {
      return "an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
    }
    if (type == long.class || type == Long.class) {
      return "an integer from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
    }
    return "a smaller number";
  }
}
