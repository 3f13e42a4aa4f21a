#include <cstring>

#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "heartwave/core/json_checks.hpp"
#include "heartwave/models/bundle.hpp"
#include "heartwave/io/sha256.hpp"

namespace heartwave {
namespace {

constexpr char kMagic[8] = {'H', 'W', 'M', 'O', 'D', 'E', 'L', '\0'};

void put_u64(std::vector<std::uint8_t>& o, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) o.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t get_u64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

// The metadata fields later steps read (evaluate, predict, the report, the
// raw-signal pipeline), checked for their types once, here: a file from
// elsewhere passes its checksum whatever it holds.
void check_meta(const nlohmann::json& meta, const std::string& source) {
  const auto bad = [&](const std::string& what) { return FormatError(source + ": metadata field " + what); };
  if (!meta.is_object()) throw FormatError(source + ": metadata is not a JSON object");
  if (!meta.contains("family") || !meta["family"].is_string()) throw FormatError(source + ": metadata lacks the model family");
  if (meta.contains("seed") && !json_seed(meta["seed"]))
    throw bad("'seed' is not an integer >= 0");
  for (const char* key : {"params", "preprocessing", "metrics", "decision"})
    if (meta.contains(key) && !meta[key].is_object()) throw bad(std::string("'") + key + "' is not an object");
  for (const char* key : {"label_set", "protocol", "heartwave_version", "dataset_manifest_sha256"})
    if (meta.contains(key) && !meta[key].is_string()) throw bad(std::string("'") + key + "' is not a string");
  for (const char* key : {"classes", "feature_names"})
    if (meta.contains(key) && !meta[key].is_array()) throw bad(std::string("'") + key + "' is not a list");
  if (meta.contains("training_log")) {
    const auto& log = meta["training_log"];
    if (!log.is_array()) throw bad("'training_log' is not a list");
    for (std::size_t i = 0; i < log.size(); ++i) {
      const std::string where = "'training_log[" + std::to_string(i) + "]'";
      if (!log[i].is_object()) throw bad(where + " is not an object");
      for (const auto& [k, v] : log[i].items())
        if (k == "stage" ? !v.is_string() : !(v.is_number() || v.is_null())) throw bad(where + "." + k + " has the wrong type");
    }
  }
}

}  // namespace

std::vector<std::uint8_t> encode_bundle(const Classifier& model, const nlohmann::json& meta_in) {
  nlohmann::json meta = meta_in;
  meta["family"] = model.family();
  meta["params"] = model.params();
  meta["view"] = to_string(model.view());
  const std::string text = meta.dump();
  const auto weights = model.save_weights();
  std::vector<std::uint8_t> o(kMagic, kMagic + 8);
  for (int i = 0; i < 4; ++i) o.push_back(static_cast<std::uint8_t>(kModelFormatVersion >> (8 * i)));
  put_u64(o, text.size());
  o.insert(o.end(), text.begin(), text.end());
  put_u64(o, weights.size());
  o.insert(o.end(), weights.begin(), weights.end());
  Sha256 h;
  h.update(o.data(), o.size());
  const std::string hex = h.hex();
  for (std::size_t i = 0; i < 32; ++i) o.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16)));
  return o;
}

ModelBundle decode_bundle(std::span<const std::uint8_t> b, const std::string& source, int threads) {
  if (b.size() < 8 + 4 + 8 + 8 + 32 || std::memcmp(b.data(), kMagic, 8) != 0)
    throw FormatError(source + ": not a heartwave model file (bad magic or too short)");
  const std::uint32_t version = b[8] | (b[9] << 8) | (b[10] << 16) | (static_cast<std::uint32_t>(b[11]) << 24);
  if (version != kModelFormatVersion)
    throw UnsupportedError(source + ": model format version " + std::to_string(version) + " (this heartwave reads " +
                           std::to_string(kModelFormatVersion) + ")");
  const std::size_t body = b.size() - 32;
  Sha256 h;
  h.update(b.data(), body);
  const std::string hex = h.hex();
  for (std::size_t i = 0; i < 32; ++i)
    if (b[body + i] != static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16)))
      throw ChecksumError(source + ": checksum mismatch (the model file is corrupt or truncated)");
  std::size_t pos = 12;
  const std::uint64_t n = get_u64(b.data() + pos);
  pos += 8;
  if (n > body - pos - 8) throw FormatError(source + ": metadata length runs past the end");
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(b.begin() + static_cast<std::ptrdiff_t>(pos), b.begin() + static_cast<std::ptrdiff_t>(pos + n));
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(source + ": metadata is not valid JSON: " + e.what());
  }
  pos += n;
  const std::uint64_t m = get_u64(b.data() + pos);
  pos += 8;
  if (m != body - pos) throw FormatError(source + ": weights length does not match the file");
  check_meta(meta, source);
  ModelBundle out;
  try {
    out.model = create_classifier(meta["family"].get<std::string>(), meta.value("params", nlohmann::json::object()),
                                  meta.value("seed", std::uint64_t{0}), threads);
  } catch (const InvalidArgument& e) {
    throw FormatError(source + ": the parameters stored in the model are not valid: " + e.what());
  }
  out.model->load_weights(b.subspan(pos, m));
  out.meta = std::move(meta);
  return out;
}

void save_bundle(const std::filesystem::path& path, const Classifier& model, const nlohmann::json& meta) {
  write_file_atomic(path, encode_bundle(model, meta));
}

ModelBundle load_bundle(const std::filesystem::path& path, int threads) {
  const auto bytes = read_file_bytes(path);
  return decode_bundle(bytes, path.string(), threads);
}

}  // namespace heartwave
