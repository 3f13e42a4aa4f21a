// A small checker of JSON values against the OpenAPI document's schemas:
// the keywords openapi.cpp uses (type, properties, required, items, enum,
// nullable, oneOf, minItems, maxItems, additionalProperties, $ref). It
// returns the first mismatch as a path and a reason, empty when the value
// fits.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace heartwave::test {

inline std::string schema_mismatch(const nlohmann::json& doc, const nlohmann::json& schema, const nlohmann::json& v,
                                   const std::string& at = "$") {
  using nlohmann::json;
  if (schema.contains("$ref")) {
    const std::string ref = schema["$ref"];
    const std::string prefix = "#/components/schemas/";
    if (ref.rfind(prefix, 0) != 0 || !doc["components"]["schemas"].contains(ref.substr(prefix.size())))
      return at + ": unresolvable $ref " + ref;
    return schema_mismatch(doc, doc["components"]["schemas"][ref.substr(prefix.size())], v, at);
  }
  if (schema.contains("oneOf")) {
    int fits = 0;
    std::string why;
    for (const auto& s : schema["oneOf"]) {
      const std::string m = schema_mismatch(doc, s, v, at);
      if (m.empty()) ++fits;
      else why += " [" + m + "]";
    }
    return fits == 1 ? "" : at + ": fits " + std::to_string(fits) + " of oneOf" + why;
  }
  if (v.is_null() && schema.value("nullable", false)) return "";
  if (schema.contains("type")) {
    const std::string t = schema["type"];
    const bool ok = (t == "object" && v.is_object()) || (t == "array" && v.is_array()) || (t == "string" && v.is_string()) ||
                    (t == "integer" && v.is_number_integer()) || (t == "number" && v.is_number()) || (t == "boolean" && v.is_boolean());
    if (!ok) return at + ": expected " + t + ", got " + v.type_name();
  }
  if (schema.contains("enum")) {
    bool found = false;
    for (const auto& e : schema["enum"]) found |= e == v;
    if (!found) return at + ": " + v.dump() + " is not in the enum";
  }
  if (v.is_object()) {
    for (const auto& r : schema.value("required", json::array()))
      if (!v.contains(r.get<std::string>())) return at + ": required property " + r.get<std::string>() + " missing";
    if (schema.contains("properties"))
      for (const auto& [k, s] : schema["properties"].items())
        if (v.contains(k))
          if (auto m = schema_mismatch(doc, s, v[k], at + "." + k); !m.empty()) return m;
    if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object())
      for (const auto& [k, x] : v.items())
        if (!schema.contains("properties") || !schema["properties"].contains(k))
          if (auto m = schema_mismatch(doc, schema["additionalProperties"], x, at + "." + k); !m.empty()) return m;
  }
  if (v.is_array()) {
    if (schema.contains("minItems") && v.size() < schema["minItems"].get<std::size_t>()) return at + ": too few items";
    if (schema.contains("maxItems") && v.size() > schema["maxItems"].get<std::size_t>()) return at + ": too many items";
    if (schema.contains("items"))
      for (std::size_t i = 0; i < v.size(); ++i)
        if (auto m = schema_mismatch(doc, schema["items"], v[i], at + "[" + std::to_string(i) + "]"); !m.empty()) return m;
  }
  return "";
}

// The schema of `path`'s `method` answer with `status` (application/json).
inline nlohmann::json response_schema(const nlohmann::json& doc, const std::string& path, const std::string& method, int status) {
  const auto& r = doc["paths"][path][method]["responses"];
  const std::string code = std::to_string(status);
  if (!r.contains(code)) return nullptr;
  const auto& c = r[code];
  if (!c.contains("content") || !c["content"].contains("application/json")) return nullptr;
  return c["content"]["application/json"]["schema"];
}

}  // namespace heartwave::test
