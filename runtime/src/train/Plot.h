//===- Plot.h - kiln-train's loss and accuracy curves as a PNG ------------===//
//
// A dependency-free chart: two panels side by side (loss | accuracy), each
// with axes, ticks, grid lines, anti-aliased polylines and a legend, drawn
// with a built-in 5x7 bitmap font and encoded as an RGB PNG with zlib.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_TRAIN_PLOT_H
#define KILN_RUNTIME_SRC_TRAIN_PLOT_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::train {

/// One curve: points (x[i], y[i]); non-finite points break the line.
struct PlotSeries {
  /// Shown in the legend (printable ASCII; other bytes draw as '?').
  std::string label;
  std::vector<double> x, y;
  /// Line colour, 0xRRGGBB.
  uint32_t rgb = 0x1f77b4;
};

/// Width and height of the image writeTrainingPlotPng writes.
constexpr int TrainingPlotWidth = 800;
constexpr int TrainingPlotHeight = 400;

/// Renders \p lossSeries in the left panel ("loss") and \p accuracySeries in
/// the right one ("accuracy"), each scaled to its own data, and writes the
/// RGB PNG to \p path atomically (temporary file + rename). Returns "" or an
/// error message that starts with \p path (also when a series' x and y
/// differ in length).
std::string writeTrainingPlotPng(const std::string &path,
                                 const std::vector<PlotSeries> &lossSeries,
                                 const std::vector<PlotSeries> &accuracySeries);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_PLOT_H
