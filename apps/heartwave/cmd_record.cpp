#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>

#include "cli.hpp"
#include "heartwave/core/version.hpp"
#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/io/csv_signal.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/io/wfdb_record.hpp"

namespace heartwave::cli {

void register_record(CLI::App& app, RecordInfoArgs& a, int& status) {
  CLI::App* record = app.add_subcommand("record", "Inspect ECG recordings");
  record->require_subcommand(1);
  CLI::App* info = record->add_subcommand("info", "Print a record's header facts and annotation counts per symbol");
  info->add_option("record", a.record, "Record name in --data-dir (e.g. 100), a path without extension, or a .csv file")
      ->required();
  a.data_dir = default_data_dir();
  info->add_option("--data-dir", a.data_dir, "WFDB database folder (default: $HEARTWAVE_DATA or ../shared/data/mitdb)")
      ->capture_default_str();
  info->add_option("--fs", a.fs, "Sampling rate in Hz (CSV input only)");
  info->add_flag("--json", a.json, "Print JSON instead of text");
  info->add_flag("--no-checksum", a.no_checksum, "Report checksum mismatches as warnings instead of errors");
  info->callback([&] { status = run_record_info(a); });
}

int run_record_info(const RecordInfoArgs& a) {
  return guarded([&] {
    nlohmann::json j;
    const std::filesystem::path arg(a.record);
    if (arg.extension() == ".csv") {
      if (a.fs <= 0) throw InvalidArgument(a.record + ": CSV input needs --fs (Hz)");
      const Recording r = read_csv_signal(arg, a.fs);
      j["record"] = r.name;
      j["format"] = "csv";
      j["fs"] = r.fs;
      j["samples"] = r.num_samples();
      j["duration_s"] = static_cast<double>(r.num_samples()) / r.fs;
      j["signals"] = nlohmann::json::array();
      for (std::size_t i = 0; i < r.leads.size(); ++i) j["signals"].push_back({{"index", i}, {"description", r.leads[i]}, {"units", r.units[i]}});
    } else {
      // A bare name resolves in --data-dir; anything with a folder is a path.
      const std::filesystem::path base = arg.has_parent_path() ? arg : std::filesystem::path(a.data_dir) / arg;
      ReadOptions ro;
      ro.checksum = a.no_checksum ? ChecksumPolicy::warn : ChecksumPolicy::error;
      const Record rec = read_record(base, ro);
      for (const auto& w : rec.warnings) spdlog::warn("{}", w);
      const Header& h = rec.header;
      j["record"] = h.record_name;
      j["format"] = "wfdb";
      j["fs"] = h.sampling_frequency;
      j["samples"] = h.num_samples;
      j["duration_s"] = static_cast<double>(h.num_samples) / h.sampling_frequency;
      if (!h.base_time.empty()) j["base_time"] = h.base_time;
      if (!h.base_date.empty()) j["base_date"] = h.base_date;
      j["signals"] = nlohmann::json::array();
      for (std::size_t i = 0; i < h.signals.size(); ++i) {
        const auto& s = h.signals[i];
        j["signals"].push_back({{"index", i}, {"file", s.file_name}, {"format", s.format}, {"gain", s.adc_gain},
                                {"baseline", s.baseline}, {"units", s.units}, {"resolution", s.adc_resolution},
                                {"adc_zero", s.adc_zero}, {"initial_value", s.initial_value}, {"checksum", s.checksum},
                                {"checksum_ok", rec.warnings.empty()}, {"description", s.description}});
      }
      j["comments"] = h.comments;
      std::filesystem::path atr = base;
      atr += ".atr";
      if (std::filesystem::exists(atr)) {
        const auto anns = read_annotations(atr);
        std::map<std::string, std::size_t> counts;
        std::size_t beats = 0;
        for (const auto& x : anns) {
          std::string m(annotation_mnemonic(x.code));
          if (m.empty()) m = "code" + std::to_string(x.code);
          ++counts[m];
          beats += is_beat_code(x.code);
        }
        j["annotations"] = {{"file", atr.filename().string()}, {"total", anns.size()}, {"beats", beats}, {"by_symbol", counts}};
      }
    }
    if (a.json) {
      j["build"] = build_info();
      std::printf("%s\n", j.dump(2).c_str());
      return 0;
    }
    std::printf("record      %s (%s)\n", j["record"].get<std::string>().c_str(), j["format"].get<std::string>().c_str());
    std::printf("sampling    %g Hz, %lld samples per signal (%.1f s)\n", j["fs"].get<double>(),
                static_cast<long long>(j["samples"].get<std::int64_t>()), j["duration_s"].get<double>());
    if (j.contains("base_time")) std::printf("start       %s %s\n", j["base_time"].get<std::string>().c_str(), j.value("base_date", "").c_str());
    for (const auto& s : j["signals"]) {
      if (j["format"] == "wfdb")
        std::printf("signal %d    %-6s format %d, gain %g adu/%s, baseline %d, %d bits, zero %d, init %d, checksum %d\n",
                    s["index"].get<int>(), s["description"].get<std::string>().c_str(), s["format"].get<int>(),
                    s["gain"].get<double>(), s["units"].get<std::string>().c_str(), s["baseline"].get<int>(),
                    s["resolution"].get<int>(), s["adc_zero"].get<int>(), s["initial_value"].get<int>(),
                    s["checksum"].get<int>());
      else
        std::printf("signal %d    %s (%s)\n", s["index"].get<int>(), s["description"].get<std::string>().c_str(),
                    s["units"].get<std::string>().c_str());
    }
    if (j.contains("comments"))
      for (const auto& c : j["comments"]) std::printf("comment    %s\n", c.get<std::string>().c_str());
    if (j.contains("annotations")) {
      const auto& an = j["annotations"];
      std::printf("annotations %zu in %s, %zu beats\n", an["total"].get<std::size_t>(),
                  an["file"].get<std::string>().c_str(), an["beats"].get<std::size_t>());
      for (const auto& [sym, n] : an["by_symbol"].items())
        std::printf("  %-6s %7zu\n", sym.c_str(), n.get<std::size_t>());
    }
    return 0;
  });
}

}  // namespace heartwave::cli
