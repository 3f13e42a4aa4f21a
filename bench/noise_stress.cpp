// A noise stress test of the QRS detector, after the MIT-BIH Noise Stress
// Test Database (Moody, Muldrow, Mark 1984): each record's analysed lead
// with baseline wander (bw), muscle noise (ma) or electrode-motion-like
// noise (em) added at SNRs of 24 .. -6 dB, the noise generated here
// (dsp/noise.hpp: seeded models, docs/noise-models.md) and scaled as the
// `nst` program scales its noise; every detection scored against the
// record's reference beats by bxb's rules (eval/ec57.hpp, whole record,
// 150 ms window). Prints a markdown table of gross QRS Se and +P.
//   build/release/bench/noise_stress [--db MITDB] [--records 118,119] [--seed 1]
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/detect/qrs.hpp"
#include "heartwave/dsp/noise.hpp"
#include "heartwave/eval/ec57.hpp"
#include "heartwave/infer/analyze.hpp"
#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/io/wfdb_record.hpp"
#include "host.hpp"

using namespace heartwave;

namespace {

struct Input {
  std::string name;
  double fs;
  std::vector<double> lead;
  std::vector<Annotation> reference;
  double signal_power;
};

std::string cell(const std::optional<double>& v) {
  if (!v) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", *v);
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db = bench::default_database().string();
  std::vector<std::string> records;
  std::uint64_t seed = 1;
  std::vector<double> snrs = {24, 18, 12, 6, 0, -6};
  CLI::App app{"QRS detection under added noise, NSTDB style (markdown table)", "noise_stress"};
  app.add_option("--db", db, "MIT-BIH folder");
  app.add_option("--records", records, "Records (default: all in --db)")->delimiter(',');
  app.add_option("--seed", seed, "Noise seed");
  app.add_option("--snr", snrs, "SNRs in dB")->delimiter(',');
  CLI11_PARSE(app, argc, argv);
  if (records.empty()) records = ec57_list_records(db, "atr");

  std::vector<Input> inputs;
  std::size_t longest = 0;
  for (const auto& name : records) {
    const Recording r = to_recording(read_record(std::filesystem::path(db) / name));
    Input in;
    in.name = name;
    in.fs = r.fs;
    in.lead = r.samples[analysis_lead(r, "", "MLII")];
    in.reference = read_annotations(std::filesystem::path(db) / (name + ".atr"));
    // nst measures the signal on normal beats; records without enough (the
    // paced ones) on every beat.
    std::vector<std::int64_t> normal, any;
    for (const auto& a : in.reference) {
      if (a.code == 1) normal.push_back(a.time);
      if (is_beat_code(a.code)) any.push_back(a.time);
    }
    in.signal_power = ecg_signal_power(in.lead, normal.size() >= 50 ? normal : any, in.fs);
    longest = std::max(longest, in.lead.size());
    inputs.push_back(std::move(in));
  }
  const double fs = inputs.front().fs;
  const std::map<std::string, std::vector<double>> noises = {
      {"bw (baseline wander)", baseline_wander_noise(longest, fs, derive_seed(seed, 1))},
      {"ma (muscle)", muscle_noise(longest, fs, derive_seed(seed, 2))},
      {"em (electrode motion)", electrode_motion_noise(longest, fs, derive_seed(seed, 3))},
  };
  Ec57Options whole;
  whole.start_s = 0;
  auto run = [&](const std::vector<double>* noise, double noise_power, double snr) {
    std::vector<Ec57Record> scored;
    for (const Input& in : inputs) {
      const std::vector<double> x = noise ? add_noise_at_snr(in.lead, *noise, in.signal_power, snr, noise_power) : in.lead;
      std::vector<Annotation> test;
      for (const auto t : detect_qrs(x, in.fs)) test.push_back({t, 1, 0, 0, 0, ""});
      scored.push_back(ec57_compare(in.reference, test, in.fs, static_cast<std::int64_t>(x.size()), whole, in.name));
    }
    return ec57_summarize(scored);
  };
  std::printf("%s\n\n%zu records, detector %s, noise seed %llu; whole records, bxb rules, 150 ms window\n\n", bench::host_line().c_str(),
              inputs.size(), kDefaultQrsDetector, static_cast<unsigned long long>(seed));
  std::printf("| noise | SNR (dB) | QRS Se %% | QRS +P %% | missed | extra |\n|---|---|---|---|---|---|\n");
  auto row = [&](const std::string& what, const std::string& snr, const Ec57Summary& s) {
    // Columns of the line format: On' (test beats without a reference beat) and No' (missed reference N).
    std::int64_t missed = 0, extra = 0;
    for (int c = 0; c < kEc57Columns; ++c) {
      const std::string_view name = kEc57ColumnNames[static_cast<std::size_t>(c)];
      if (name.size() >= 2 && name[1] == 'o') missed += s.sum[static_cast<std::size_t>(c)];
      if (name.size() >= 1 && name[0] == 'O') extra += s.sum[static_cast<std::size_t>(c)];
    }
    std::printf("| %s | %s | %s | %s | %lld | %lld |\n", what.c_str(), snr.c_str(), cell(s.gross.qrs_se).c_str(),
                cell(s.gross.qrs_ppv).c_str(), static_cast<long long>(missed), static_cast<long long>(extra));
    std::fflush(stdout);
  };
  row("none", "-", run(nullptr, 0, 0));
  for (const auto& [name, noise] : noises) {
    const double power = nst_noise_power(noise, fs);
    for (const double snr : snrs) {
      std::ostringstream label;
      label << snr;
      row(name, label.str(), run(&noise, power, snr));
    }
  }
  return 0;
}
