#include <gtest/gtest.h>

#include "heartwave/io/wfdb_annotation.hpp"
#include "heartwave/core/annotation_codes.hpp"
#include "heartwave/core/error.hpp"
#include "heartwave/io/file_util.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;
using heartwave::test::mitdb_dir;

TEST(Annotation, EncodeParseRoundTripWithAllPseudoAnnotations) {
  std::vector<Annotation> anns;
  anns.push_back({5, 1, 0, 0, 0, ""});
  anns.push_back({5000, 28, 0, 0, 0, std::string("(AFIB\0", 6)});   // SKIP, even AUX
  anns.push_back({5003, 5, 2, 1, 0, ""});                            // SUB and CHN
  anns.push_back({5010, 1, 0, 1, 7, "odd"});                         // NUM, odd AUX (padded)
  anns.push_back({4000, 22, 0, 1, 7, "back in time"});               // negative step: SKIP
  anns.push_back({4000 + 70000, 1, 0, 0, 7, ""});                    // chan back to 0
  const auto bytes = encode_annotations(anns);
  EXPECT_EQ(bytes.size() % 2, 0u);
  EXPECT_EQ(bytes[bytes.size() - 1], 0);
  EXPECT_EQ(bytes[bytes.size() - 2], 0);
  const auto back = parse_annotations(bytes, "mem");
  EXPECT_EQ(back, anns);
  EXPECT_EQ(encode_annotations(back), bytes);
}

TEST(Annotation, MalformedStreamsGiveFormatErrors) {
  expect_throw_with<FormatError>([] { parse_annotations(std::vector<std::uint8_t>{1, 4, 0}, "a.atr"); }, "a.atr: odd length");
  expect_throw_with<FormatError>([] { parse_annotations(std::vector<std::uint8_t>{1, 4}, "a.atr"); }, "no end-of-file marker");
  expect_throw_with<FormatError>([] { parse_annotations(std::vector<std::uint8_t>{}, "a.atr"); }, "no end-of-file marker");
  // SKIP without its 4 bytes.
  expect_throw_with<FormatError>([] { parse_annotations(std::vector<std::uint8_t>{0x00, 59 << 2, 0, 0}, "a.atr"); }, "truncated SKIP");
  // AUX longer than the file.
  expect_throw_with<FormatError>(
      [] { parse_annotations(std::vector<std::uint8_t>{0x01, 0x04, 0x10, 63 << 2, 'a', 'b'}, "a.atr"); }, "AUX field");
  // Modifier before any annotation.
  expect_throw_with<FormatError>([] { parse_annotations(std::vector<std::uint8_t>{0x01, 61 << 2, 0, 0}, "a.atr"); }, "modifier before");
  // Code out of range (50..58).
  expect_throw_with<FormatError>([] { parse_annotations(std::vector<std::uint8_t>{0x01, 50 << 2, 0, 0}, "a.atr"); }, "out of range");
}

// Files that open with a NOTE at sample 0 and then a SKIP back before it
// (as some PhysioNet databases' do): WFDB's reader applies the SKIP as it
// stands, so heartwave reads them too, and writes the same bytes back.
TEST(Annotation, NoteAtZeroFollowedByANegativeSkipIsReadAsWfdbReadsIt) {
  // Built word by word as WFDB's writer lays it out: NOTE (22) at 0 with an
  // AUX string, SKIP of -300 with the annotation after it at step 0, then
  // beats with ordinary steps and a positive SKIP.
  std::vector<std::uint8_t> bytes;
  auto word = [&](unsigned w) { bytes.push_back(w & 0xFF), bytes.push_back((w >> 8) & 0xFF); };
  auto skip = [&](std::int32_t d) {
    const auto u = static_cast<std::uint32_t>(d);
    word(59u << 10), word(u >> 16), word(u & 0xFFFF);
  };
  word(22u << 10);                          // NOTE at 0
  word((63u << 10) | 4), bytes.insert(bytes.end(), {'#', '#', ' ', 'x'});
  skip(-300);
  word(1u << 10);                           // N at -300
  word((1u << 10) | 400);                   // N at 100
  skip(5000);
  word(5u << 10);                           // V at 5100
  word(0);
  const auto anns = parse_annotations(bytes, "neg.atr");
  ASSERT_EQ(anns.size(), 4u);
  EXPECT_EQ(anns[0].time, 0);
  EXPECT_EQ(anns[0].code, 22);
  EXPECT_EQ(anns[0].aux, "## x");
  EXPECT_EQ(anns[1].time, -300);
  EXPECT_EQ(anns[2].time, 100);
  EXPECT_EQ(anns[3].time, 5100);
  EXPECT_EQ(anns[3].code, 5);
  EXPECT_EQ(encode_annotations(anns), bytes);

  // The same through a file.
  heartwave::test::TempDir tmp;
  write_annotations(tmp / "neg.atr", anns);
  EXPECT_EQ(read_file_bytes(tmp / "neg.atr"), bytes);
  EXPECT_EQ(read_annotations(tmp / "neg.atr"), anns);
}

TEST(Annotation, EncoderRejectsUnrepresentableAnnotations) {
  std::vector<Annotation> bad = {{0, 0, 0, 0, 0, ""}};
  EXPECT_THROW(encode_annotations(bad), InvalidArgument);
  bad = {{10, 77, 0, 0, 0, ""}};
  EXPECT_THROW(encode_annotations(bad), InvalidArgument);
  bad = {{10, 1, 0, 0, 0, std::string(2000, 'a')}};
  EXPECT_THROW(encode_annotations(bad), InvalidArgument);
}

// Acceptance: all 48 .atr files are reproduced byte for byte, and the
// database totals match PhysioNet's published figures.
TEST(MitBih, AnnotationFilesRoundTripByteForByteAndTotalsMatch) {
  const auto dir = mitdb_dir();
  std::size_t files = 0, total = 0, beats = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".atr") continue;
    const auto bytes = read_file_bytes(e.path());
    const auto anns = parse_annotations(bytes, e.path().string());
    ASSERT_EQ(encode_annotations(anns), bytes) << e.path();
    total += anns.size();
    for (const auto& a : anns) beats += is_beat_code(a.code);
    ++files;
  }
  EXPECT_EQ(files, 48u);
  EXPECT_EQ(total, 112647u);
  EXPECT_EQ(beats, 109494u);
}

TEST(MitBih, WriteAnnotationsReproducesRecord208) {
  const auto dir = mitdb_dir();
  heartwave::test::TempDir tmp;
  const auto anns = read_annotations(dir / "208.atr");
  write_annotations(tmp / "208.atr", anns);
  EXPECT_EQ(read_file_bytes(tmp / "208.atr"), read_file_bytes(dir / "208.atr"));
  EXPECT_FALSE(std::filesystem::exists(tmp / "208.atr.tmp"));
}
