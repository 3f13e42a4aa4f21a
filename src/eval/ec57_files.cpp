// EC57 comparisons of annotation files: the reference folder holds the
// records' headers and reference annotations, the test folder only the test
// annotator's files (as bxb, the record's frequency and length come from the
// reference header; no signal is read).
#include <algorithm>
#include <system_error>

#include "heartwave/core/error.hpp"
#include "heartwave/eval/ec57.hpp"
#include "heartwave/eval/ec57_runs.hpp"
#include "heartwave/io/wfdb_header.hpp"

namespace heartwave {

std::vector<std::string> ec57_list_records(const std::filesystem::path& dir, const std::string& annotator) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw IoError(dir.string() + ": not a folder of WFDB records");
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path& p = entry.path();
    if (p.extension() != ".hea") continue;
    const std::string name = p.stem().string();
    if (fs::is_regular_file(dir / (name + "." + annotator), ec)) out.push_back(name);
  }
  if (ec) throw IoError(dir.string() + ": cannot list the folder: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

Ec57RecordFiles ec57_read_record_files(const std::filesystem::path& ref_dir, const std::string& ref_annotator,
                                       const std::filesystem::path& test_dir, const std::string& test_annotator,
                                       const std::string& record) {
  namespace fs = std::filesystem;
  const fs::path header = ref_dir / (record + ".hea");
  const fs::path ref = ref_dir / (record + "." + ref_annotator);
  const fs::path test = test_dir / (record + "." + test_annotator);
  std::error_code ec;
  if (!fs::is_regular_file(header, ec)) throw IoError("ec57: record " + record + ": header " + header.string() + " not found");
  if (!fs::is_regular_file(ref, ec))
    throw IoError("ec57: record " + record + ": reference annotation file " + ref.string() + " not found");
  if (!fs::is_regular_file(test, ec))
    throw IoError("ec57: record " + record + ": test annotation file " + test.string() + " not found");
  const Header h = read_header(header);
  Ec57RecordFiles out;
  out.fs = h.sampling_frequency;
  out.num_samples = h.num_samples;
  out.reference = read_annotations(ref);
  out.test = read_annotations(test);
  return out;
}

Ec57Record ec57_compare_files(const std::filesystem::path& ref_dir, const std::string& ref_annotator,
                              const std::filesystem::path& test_dir, const std::string& test_annotator,
                              const std::string& record, const Ec57Options& options) {
  const Ec57RecordFiles f = ec57_read_record_files(ref_dir, ref_annotator, test_dir, test_annotator, record);
  return ec57_compare(f.reference, f.test, f.fs, f.num_samples, options, record);
}

}  // namespace heartwave
