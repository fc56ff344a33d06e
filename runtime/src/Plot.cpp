//===- Plot.cpp - training curves as SVG ----------------------------------===//
//
// The picture a Keras course draws with matplotlib after fit(): one panel
// per quantity (loss, then each metric), training and validation curves
// against the epoch, with axes, ticks and a legend. Plain SVG 1.1 that any
// browser or rsvg-convert renders; no dependencies.
//
//===----------------------------------------------------------------------===//

#include "Internal.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace nnrt;

namespace {

constexpr double kPanelW = 420, kPanelH = 300, kLeft = 60, kRight = 20,
                 kTop = 40, kBottom = 45;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string escape(const std::string &s) {
  std::string out;
  for (char c : s)
    out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;"
                                                            : std::string(1, c);
  return out;
}

/// A "nice" tick step (1, 2 or 5 times a power of ten) for a range.
double tickStep(double range, int ticks) {
  double raw = range / ticks;
  double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw)
      return m * p;
  return 10 * p;
}

/// One panel at x offset `ox`: the series `train` and (if >= 0) `val`.
std::string panel(const nnrt_history *h, size_t train, long val, double ox,
                  const std::string &title) {
  size_t epochs = nnrt_history_num_epochs(h);
  double lo = INFINITY, hi = -INFINITY;
  for (long s : {static_cast<long>(train), val}) {
    if (s < 0)
      continue;
    for (size_t e = 0; e < epochs; ++e) {
      double v = nnrt_history_value(h, s, e);
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
  }
  if (!std::isfinite(lo)) {
    lo = 0;
    hi = 1;
  }
  // A spread too small for the values' magnitude (1e17 a few ulps apart)
  // would give a tick step that adding to 1e17 does not change (issue 11: an
  // endless loop): widen it relative to the magnitude.
  double scale = std::max({1.0, std::fabs(lo), std::fabs(hi)});
  if (hi - lo < 1e-6 * scale) {
    hi += 0.5e-3 * scale;
    lo -= 0.5e-3 * scale;
  }
  double step = tickStep(hi - lo, 5);
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step) * step;
  double w = kPanelW - kLeft - kRight, ht = kPanelH - kTop - kBottom;
  auto X = [&](double e) {
    return ox + kLeft + (epochs > 1 ? (e - 1) / (epochs - 1) : 0.5) * w;
  };
  auto Y = [&](double v) { return kTop + (hi - v) / (hi - lo) * ht; };

  std::string out;
  out += "<text x=\"" + num(ox + kPanelW / 2) + "\" y=\"22\" "
         "text-anchor=\"middle\" font-size=\"15\">" + escape(title) +
         "</text>\n";
  // Grid and y ticks, counted (never a floating-point loop that may not
  // advance).
  long ticks = std::min(20L, std::lround((hi - lo) / step));
  for (long i = 0; i <= ticks; ++i) {
    double v = lo + static_cast<double>(i) * step;
    out += "<line x1=\"" + num(X(1)) + "\" y1=\"" + num(Y(v)) + "\" x2=\"" +
           num(ox + kLeft + w) + "\" y2=\"" + num(Y(v)) +
           "\" stroke=\"#e0e0e0\"/>\n";
    out += "<text x=\"" + num(ox + kLeft - 6) + "\" y=\"" + num(Y(v) + 4) +
           "\" text-anchor=\"end\" font-size=\"11\">" + num(v) + "</text>\n";
  }
  // x ticks: about six epochs.
  double xstep = std::max(1.0, tickStep(std::max<double>(epochs - 1, 1), 5));
  for (double e = 1; e <= epochs && e + xstep > e; e += xstep)
    out += "<text x=\"" + num(X(e)) + "\" y=\"" + num(kTop + ht + 16) +
           "\" text-anchor=\"middle\" font-size=\"11\">" + num(e) +
           "</text>\n";
  out += "<text x=\"" + num(ox + kLeft + w / 2) + "\" y=\"" +
         num(kPanelH - 8) +
         "\" text-anchor=\"middle\" font-size=\"12\">epoch</text>\n";
  out += "<rect x=\"" + num(ox + kLeft) + "\" y=\"" + num(kTop) +
         "\" width=\"" + num(w) + "\" height=\"" + num(ht) +
         "\" fill=\"none\" stroke=\"#444\"/>\n";
  // The legend goes where the curves are not at the end: rising curves
  // (accuracy) end at the top right, falling ones (loss) at the bottom.
  double last = nnrt_history_value(h, train, epochs ? epochs - 1 : 0);
  bool legendBelow = std::isfinite(last) && last > (lo + hi) / 2;
  auto line = [&](size_t s, const char *color, const char *label, int row) {
    std::string pts;
    for (size_t e = 0; e < epochs; ++e) {
      double v = nnrt_history_value(h, s, e);
      if (std::isfinite(v))
        pts += num(X(e + 1.0)) + "," + num(Y(v)) + " ";
    }
    out += "<polyline fill=\"none\" stroke=\"" + std::string(color) +
           "\" stroke-width=\"1.8\" points=\"" + pts + "\"/>\n";
    double ly = legendBelow ? kTop + ht - 32 + 16 * row : kTop + 14 + 16 * row;
    out += "<line x1=\"" + num(ox + kLeft + w - 110) + "\" y1=\"" + num(ly) +
           "\" x2=\"" + num(ox + kLeft + w - 90) + "\" y2=\"" + num(ly) +
           "\" stroke=\"" + color + "\" stroke-width=\"2\"/>\n";
    out += "<text x=\"" + num(ox + kLeft + w - 85) + "\" y=\"" +
           num(ly + 4) + "\" font-size=\"11\">" + label + "</text>\n";
  };
  line(train, "#1f77b4", "train", 0);
  if (val >= 0)
    line(static_cast<size_t>(val), "#ff7f0e", "validation", 1);
  return out;
}

} // namespace

extern "C" int nnrt_history_write_svg(const nnrt_history *h,
                                      const char *title, const char *path,
                                      nnrt_status *status) {
  // Panels: every series without "val_", paired with its "val_" twin.
  std::vector<std::pair<size_t, long>> panels;
  size_t n = nnrt_history_num_series(h);
  for (size_t s = 0; s < n; ++s) {
    std::string name = nnrt_history_series_name(h, s);
    if (name.rfind("val_", 0) == 0)
      continue;
    long val = -1;
    for (size_t k = 0; k < n; ++k)
      if (nnrt_history_series_name(h, k) == "val_" + name)
        val = static_cast<long>(k);
    panels.push_back({s, val});
  }
  double width = kPanelW * std::max<size_t>(panels.size(), 1);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    num(width) + "\" height=\"" + num(kPanelH + 20) +
                    "\" font-family=\"sans-serif\">\n"
                    "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  if (title && *title)
    out += "<title>" + escape(title) + "</title>\n";
  for (size_t i = 0; i < panels.size(); ++i)
    out += panel(h, panels[i].first, panels[i].second, kPanelW * i,
                 (title && *title ? std::string(title) + ": " : "") +
                     nnrt_history_series_name(h, panels[i].first));
  out += "</svg>\n";
  std::string error;
  if (!writeFileAtomically(path, out, error))
    return fail(status, error);
  return 0;
}
