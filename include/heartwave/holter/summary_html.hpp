// The Holter summary page: one self-contained HTML5 file per record (inline
// CSS and inline SVG only, no scripts, no external URL), laid out to print
// on A4 landscape with ECG strips true to scale (25 mm/s, 10 mm/mV); and a
// folder index page linking the records' pages.
#pragma once
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace heartwave {

// The page for one record. `summary` is the summary JSON (see summary.hpp;
// any subset of it: a missing or mistyped field shows "–", a missing or
// mistyped object leaves its section out; never throws on its content);
// `lead_mv` the analysed lead in millivolts at `fs` Hz, from which the
// "strips" entries are cut (a strip longer than 11 s is drawn as 10 s rows).
// Every string taken from the JSON is HTML-escaped. Sections, in order:
// header, Urgent findings, Heart rate (with the per-minute trend chart),
// Beats per class, Ventricular and supraventricular ectopy, Pauses and
// asystole, AF/flutter, Heart rate variability (HRV), Beats for review,
// ECG strips, Definitions, footer.
std::string summary_html(const nlohmann::json& summary, std::span<const double> lead_mv, double fs);

// A folder's index: one row per record (record name linked to links[i], a
// relative path, percent-encoded here; duration, beats, V and S burden, AF
// burden, number of urgent findings). A missing link, or one that is not a
// relative path (a scheme or "//"), leaves the name unlinked.
std::string summary_index_html(const std::vector<nlohmann::json>& summaries, const std::vector<std::string>& links);

}  // namespace heartwave
