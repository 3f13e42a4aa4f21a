#include "heartwave/core/html.hpp"
#include "heartwave/eval/report.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace heartwave {
namespace {

std::string esc(const std::string& s) { return html_escape(s); }

std::string fmt(double v, int digits = 2) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

const char* kClasses[] = {"N", "S", "V", "F", "Q"};

std::string confusion_svg(const nlohmann::json& cm) {
  const int cell = 64, off = 60;
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << off + 5 * cell + 10 << "' height='" << off + 5 * cell + 30
    << "' font-family='sans-serif' font-size='12'>";
  for (int r = 0; r < 5; ++r) {
    double row_total = 0;
    for (int c = 0; c < 5; ++c) row_total += cm[r][c].get<double>();
    for (int c = 0; c < 5; ++c) {
      const double v = cm[r][c].get<double>();
      const double frac = row_total > 0 ? v / row_total : 0.0;
      const int shade = static_cast<int>(255 - 200 * frac);
      o << "<rect x='" << off + c * cell << "' y='" << off + r * cell << "' width='" << cell << "' height='" << cell
        << "' fill='rgb(" << shade << "," << shade << ",255)' stroke='#fff'/>";
      o << "<text x='" << off + c * cell + cell / 2 << "' y='" << off + r * cell + cell / 2 + 4
        << "' text-anchor='middle' fill='" << (frac > 0.5 ? "#fff" : "#000") << "'>" << static_cast<long long>(v) << "</text>";
    }
    o << "<text x='" << off - 8 << "' y='" << off + r * cell + cell / 2 + 4 << "' text-anchor='end'>" << kClasses[r] << "</text>";
    o << "<text x='" << off + r * cell + cell / 2 << "' y='" << off - 8 << "' text-anchor='middle'>" << kClasses[r] << "</text>";
  }
  o << "<text x='" << off + 5 * cell / 2 << "' y='20' text-anchor='middle'>predicted</text>";
  o << "<text x='14' y='" << off + 5 * cell / 2 << "' transform='rotate(-90 14 " << off + 5 * cell / 2
    << ")' text-anchor='middle'>truth</text></svg>";
  return o.str();
}

std::string bars_svg(const nlohmann::json& per_class) {
  const int w = 420, h = 220, left = 40, bottom = 190, group = 70;
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h << "' font-family='sans-serif' font-size='12'>";
  for (int t = 0; t <= 4; ++t) {
    const int y = bottom - t * 40;
    o << "<line x1='" << left << "' x2='" << w - 10 << "' y1='" << y << "' y2='" << y << "' stroke='#ddd'/>";
    o << "<text x='" << left - 4 << "' y='" << y + 4 << "' text-anchor='end'>" << t * 25 << "</text>";
  }
  for (int c = 0; c < 5; ++c) {
    const auto& k = per_class[kClasses[c]];
    const double se = k["se"].get<double>(), ppv = k["ppv"].get<double>();
    const int x = left + 10 + c * group;
    o << "<rect x='" << x << "' y='" << bottom - se * 160 << "' width='24' height='" << se * 160 << "' fill='#3b6fd8'><title>Se "
      << fmt(100 * se) << "%</title></rect>";
    o << "<rect x='" << x + 26 << "' y='" << bottom - ppv * 160 << "' width='24' height='" << ppv * 160
      << "' fill='#e08a2c'><title>+P " << fmt(100 * ppv) << "%</title></rect>";
    o << "<text x='" << x + 25 << "' y='" << bottom + 16 << "' text-anchor='middle'>" << kClasses[c] << "</text>";
  }
  o << "<rect x='" << w - 120 << "' y='6' width='10' height='10' fill='#3b6fd8'/><text x='" << w - 106 << "' y='15'>Se (recall)</text>";
  o << "<rect x='" << w - 120 << "' y='22' width='10' height='10' fill='#e08a2c'/><text x='" << w - 106 << "' y='31'>+P (precision)</text></svg>";
  return o.str();
}

std::string curves_svg(const nlohmann::json& log, const std::string& stage) {
  const int w = 520, h = 240, left = 50, right = 10, top = 10, bottom = 200;
  double maxv = 0;
  const double n = static_cast<double>(log.size());
  // Without early stopping there is no early_loss curve.
  const bool early = !log.empty() && log[0].contains("early_loss") && log[0]["early_loss"].is_number();
  for (const auto& e : log) {
    maxv = std::max(maxv, e["train_loss"].get<double>());
    if (early) maxv = std::max(maxv, e["early_loss"].get<double>());
  }
  if (maxv <= 0 || n < 2) return "";
  auto path = [&](const char* key, const char* colour) {
    std::ostringstream p;
    p << "<polyline fill='none' stroke='" << colour << "' stroke-width='1.5' points='";
    for (std::size_t i = 0; i < log.size(); ++i) {
      const double x = left + (w - left - right) * static_cast<double>(i) / (n - 1);
      const double y = bottom - (bottom - top) * log[i][key].get<double>() / maxv;
      p << fmt(x, 1) << "," << fmt(y, 1) << " ";
    }
    p << "'/>";
    return p.str();
  };
  std::ostringstream o;
  o << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h + 20 << "' font-family='sans-serif' font-size='12'>";
  o << "<line x1='" << left << "' y1='" << bottom << "' x2='" << w - right << "' y2='" << bottom << "' stroke='#888'/>";
  o << "<line x1='" << left << "' y1='" << top << "' x2='" << left << "' y2='" << bottom << "' stroke='#888'/>";
  o << "<text x='" << left - 4 << "' y='" << top + 8 << "' text-anchor='end'>" << fmt(maxv, 2) << "</text>";
  o << "<text x='" << left - 4 << "' y='" << bottom << "' text-anchor='end'>0</text>";
  o << "<text x='" << (left + w) / 2 << "' y='" << bottom + 30 << "' text-anchor='middle'>" << (stage.empty() ? "iteration" : stage)
    << " (1.." << log.size() << ")</text>";
  o << path("train_loss", "#3b6fd8");
  o << "<text x='" << w - 200 << "' y='" << top + 12 << "' fill='#3b6fd8'>fit loss</text>";
  if (early)
    o << path("early_loss", "#e08a2c") << "<text x='" << w - 120 << "' y='" << top + 12
      << "' fill='#e08a2c'>early-stopping loss</text>";
  o << "</svg>";
  return o.str();
}

}  // namespace

std::string render_report(const nlohmann::json& m, const nlohmann::json& meta) {
  std::ostringstream o;
  o << "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>heartwave evaluation</title><style>"
       "body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}table{border-collapse:collapse}"
       "td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f3f3f3}.l{text-align:left}"
       "</style></head><body>";
  o << "<h1>heartwave evaluation</h1><p>model family <b>" << esc(meta.value("family", "?")) << "</b>, protocol <b>"
    << esc(m.value("protocol", "?")) << "</b>, split <b>" << esc(m.value("split", "?")) << "</b>, " << m.value("n", 0)
    << " beats, label set " << esc(meta.value("label_set", "?")) << ".</p>";
  o << "<table><tr><th class='l'>accuracy</th><th>precision (w)</th><th>recall (w)</th><th>F1 (w)</th><th>F1 (macro)</th></tr><tr><td class='l'>"
    << fmt(100 * m["accuracy"].get<double>()) << "%</td><td>" << fmt(100 * m["precision_weighted"].get<double>())
    << "</td><td>" << fmt(100 * m["recall_weighted"].get<double>()) << "</td><td>" << fmt(100 * m["f1_weighted"].get<double>())
    << "</td><td>" << fmt(100 * m["f1_macro"].get<double>()) << "</td></tr></table>";
  o << "<h2>Per class</h2><table><tr><th class='l'>class</th><th>support</th><th>Se %</th><th>+P %</th><th>specificity %</th><th>FPR %</th><th>F1 %</th></tr>";
  for (const char* c : kClasses) {
    const auto& k = m["per_class"][c];
    o << "<tr><td class='l'>" << c << "</td><td>" << k["support"].get<std::size_t>() << "</td><td>" << fmt(100 * k["se"].get<double>())
      << "</td><td>" << fmt(100 * k["ppv"].get<double>()) << "</td><td>" << fmt(100 * k["specificity"].get<double>())
      << "</td><td>" << fmt(100 * k["fpr"].get<double>()) << "</td><td>" << fmt(100 * k["f1"].get<double>()) << "</td></tr>";
  }
  o << "</table>";
  if (m.contains("bootstrap_95ci")) {
    // AAMI-style table: N, S (SVEB), V (VEB), F with 95% intervals from a
    // bootstrap over records.
    const auto& ci = m["bootstrap_95ci"];
    o << "<h2>AAMI classes, 95% CI by bootstrap over " << ci["records"].get<int>() << " records (" << ci["rounds"].get<int>()
      << " rounds)</h2><table><tr><th class='l'>class</th><th>Se %</th><th>Se 95% CI</th><th>+P %</th><th>+P 95% CI</th><th>FPR %</th><th>EC57 +P %</th><th>EC57 +P 95% CI</th></tr>";
    const char* names[] = {"N", "S", "V", "F"};
    const char* labels[] = {"N", "SVEB (S)", "VEB (V)", "F"};
    for (int c = 0; c < 4; ++c) {
      const auto& k = m["per_class"][names[c]];
      const auto& b = ci["per_class"][names[c]];
      o << "<tr><td class='l'>" << labels[c] << "</td><td>" << fmt(100 * k["se"].get<double>()) << "</td><td>"
        << fmt(100 * b["se"][0].get<double>(), 1) << " - " << fmt(100 * b["se"][1].get<double>(), 1) << "</td><td>"
        << fmt(100 * k["ppv"].get<double>()) << "</td><td>" << fmt(100 * b["ppv"][0].get<double>(), 1) << " - "
        << fmt(100 * b["ppv"][1].get<double>(), 1) << "</td><td>" << fmt(100 * k["fpr"].get<double>()) << "</td>";
      // EC57's VEB / SVEB +P (F and Q called V, Q called S, are not false
      // positives); older metrics files lack it.
      const char* ec57_key = c == 1 ? "sveb" : c == 2 ? "veb" : nullptr;
      if (ec57_key && m.contains("ec57") && ci.contains("ec57")) {
        const auto& e = ci["ec57"][std::string(ec57_key) + "_ppv"];
        o << "<td>" << fmt(100 * m["ec57"][ec57_key]["ppv"].get<double>()) << "</td><td>" << fmt(100 * e[0].get<double>(), 1)
          << " - " << fmt(100 * e[1].get<double>(), 1) << "</td>";
      } else {
        o << "<td></td><td></td>";
      }
      o << "</tr>";
    }
    o << "</table><p>EC57 +P: ANSI/AAMI EC57 as PhysioNet's bxb computes it, where fusion (F) and unclassifiable (Q) beats "
         "called V are not false VEBs and Q beats called S are not false SVEBs; the +P column counts every wrong call.</p>";
    if (m.contains("ec57") && m["ec57"].contains("from_minute_5")) {
      const auto& late = m["ec57"]["from_minute_5"];
      o << "<p>EC57 from minute 5 of each record (bxb's default learning period left out; " << late["beats"].get<std::size_t>()
        << " beats): VEB Se " << fmt(100 * late["veb"]["se"].get<double>()) << "%, +P " << fmt(100 * late["veb"]["ppv"].get<double>())
        << "%; SVEB Se " << fmt(100 * late["sveb"]["se"].get<double>()) << "%, +P " << fmt(100 * late["sveb"]["ppv"].get<double>())
        << "%.</p>";
    }
    o << "<p>accuracy 95% CI " << fmt(100 * ci["accuracy"][0].get<double>()) << " - "
      << fmt(100 * ci["accuracy"][1].get<double>()) << "%</p>";
  }
  o << "<h2>Confusion matrix</h2>" << confusion_svg(m["confusion_matrix"]);
  o << "<h2>Sensitivity and positive predictivity</h2>" << bars_svg(m["per_class"]);
  // One plot per training stage (convxgb: CNN epochs, then XGBoost rounds).
  if (meta.contains("training_log") && meta["training_log"].is_array() && meta["training_log"].size() > 1) {
    std::vector<std::pair<std::string, nlohmann::json>> stages;
    for (const auto& e : meta["training_log"]) {
      const std::string st = e.value("stage", "");
      if (stages.empty() || stages.back().first != st) stages.emplace_back(st, nlohmann::json::array());
      stages.back().second.push_back(e);
    }
    o << "<h2>Training curves</h2>";
    for (const auto& [st, entries] : stages) o << curves_svg(entries, st);
  }
  o << "</body></html>\n";
  return o.str();
}

}  // namespace heartwave
