#include <gtest/gtest.h>

#include "heartwave/core/error.hpp"
#include "heartwave/train/rhythm_step_search.hpp"
#include "support.hpp"

using namespace heartwave;
using heartwave::test::expect_throw_with;

// Every key of the table is read, and to_json writes it back: a search
// round-trips through its JSON, whatever its values.
TEST(RhythmStepSearch, RoundTripsThroughItsJson) {
  const RhythmStepSearch defaults = rhythm_step_search_from_json(nlohmann::json::object(), "t");
  EXPECT_EQ(to_json(defaults), to_json(RhythmStepSearch{}));
  const auto j = nlohmann::json::parse(R"({"adapt_forms": true, "adapt_passes": 3, "step_choice": "best",
      "step_criterion": "sveb_se", "step_floor": 0.6, "gate_intervals": "n_only", "gate_window": 32,
      "gate_p_measure": "coherence", "gate_fit": "rhythm", "description": "a comment"})");
  const RhythmStepSearch s = rhythm_step_search_from_json(j, "t");
  EXPECT_TRUE(s.adapt_forms);
  EXPECT_EQ(s.adapt_passes, 3);
  EXPECT_EQ(s.criterion, StepCriterion::sveb_se);
  EXPECT_DOUBLE_EQ(s.sveb_ppv_floor, 0.6);
  EXPECT_TRUE(s.irregularity_n_only);
  EXPECT_EQ(s.half_window, 32);
  EXPECT_EQ(s.p_measure, PMeasure::coherence);
  EXPECT_EQ(s.gate_fit, GateFit::rhythm);
  nlohmann::json back = j;
  back.erase("description");
  EXPECT_EQ(to_json(s), back);
  // The table names every key to_json writes, each with its flag and a default of its type.
  const auto& table = rhythm_step_search_parameters();
  ASSERT_EQ(table.size(), to_json(s).size());
  for (const auto& p : table) {
    EXPECT_TRUE(to_json(s).contains(p.key)) << p.key;
    EXPECT_EQ(std::string(p.flag).rfind("--", 0), 0u) << p.key;
    EXPECT_EQ(to_json(defaults)[p.key], p.fallback) << p.key;
  }
}

TEST(RhythmStepSearch, BadSearchesAreTypedErrorsNamingTheKey) {
  const auto bad = [](const char* text, const std::string& needle) {
    expect_throw_with<InvalidArgument>([&] { rhythm_step_search_from_json(nlohmann::json::parse(text), "s.json"); }, needle);
  };
  bad(R"({"gate_windows": 32})", "s.json: unknown key 'gate_windows'");
  bad(R"({"gate_window": 0})", "gate_window (--gate-window): expected a whole number from 1 to 1000");
  bad(R"({"gate_window": 32.5})", "gate_window (--gate-window)");
  bad(R"({"adapt_passes": 11})", "adapt_passes (--adapt-passes)");
  bad(R"({"adapt_forms": 1})", "adapt_forms (--adapt-forms): expected true or false");
  bad(R"({"step_floor": 1.5})", "step_floor (--step-floor): expected a number from 0.0 to 1.0");
  bad(R"({"gate_fit": "af"})", "gate_fit (--gate-fit): expected one of [\"macro_f1\",\"rhythm\"], got \"af\"");
  bad(R"({"gate_fit": "rhythm", "step_choice": "smoothed"})", "--gate-fit rhythm does not choose");
  bad(R"({"step_floor": 0.6})", "--step-floor is the SVEB +P floor");
  bad(R"([1, 2])", "must be a JSON object");
}
