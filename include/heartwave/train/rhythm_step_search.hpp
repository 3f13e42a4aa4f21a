// How `heartwave cv` searches for the rhythm step (fit_rhythm_step): the
// knobs that are fixed for every grid point or say how a point is chosen.
// Declared once, in one table (key, cv flag, default, allowed values,
// description), read from a search-space JSON (`cv --search FILE`, e.g.
// configs/search/*.json) and written back with every decision.json.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "heartwave/decision/rhythm_step.hpp"

namespace heartwave {

struct RhythmStepSearch {
  bool adapt_forms = false;  // also choose the record adaptation's form
  int adapt_passes = 1;      // fixed for every adaptation tried (1 to kMaxAdaptPasses)
  StepChoice choice = StepChoice::best;
  StepCriterion criterion = StepCriterion::macro_f1;
  double sveb_ppv_floor = 0;  // sveb_se: only points with at least this pooled SVEB +P (0 to 1)
  bool irregularity_n_only = false;  // every point's gate measures irregularity between N calls only (fixed, not chosen)
  int half_window = RhythmStep{}.half_window;  // every point's gate window, beats either side (fixed, not chosen)
  PMeasure p_measure = PMeasure::tpl_corr_p;   // every point's P-wave measure (fixed, not chosen)
  GateFit gate_fit = GateFit::macro_f1;        // the AF gate's thresholds chosen with the rest (macro_f1) or fitted to the annotated rhythm
};

struct SearchParameter {
  const char* key;          // in the search JSON
  const char* flag;         // the cv option that also sets it (--gate-window ...)
  const char* type;         // "bool", "int", "number" or "choice"
  nlohmann::json fallback;  // the default
  nlohmann::json allowed;   // [lo, hi] for numbers, the names for a choice, null for bool
  const char* description;
};
const std::vector<SearchParameter>& rhythm_step_search_parameters();

// A search from a JSON object of the table's keys (any may be absent: its
// default; "description" is a free comment). InvalidArgument naming `where`
// and the key for an unknown key, a wrong type, a value out of range, or a
// combination the search refuses (smoothed with gate_fit rhythm; a
// step_floor without step_criterion sveb_se).
RhythmStepSearch rhythm_step_search_from_json(const nlohmann::json& j, const std::string& where);
nlohmann::json to_json(const RhythmStepSearch& search);

}  // namespace heartwave
