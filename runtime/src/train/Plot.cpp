//===- Plot.cpp - kiln-train's loss and accuracy curves as a PNG ----------===//
//
// Draws into an RGB canvas: per panel a frame, "nice" ticks (1, 2 or 5 times
// a power of ten) with grid lines and labels, each series as an anti-aliased
// polyline (coverage from the distance to each segment, so joints do not
// darken), and a legend in the corner the curves cover least. The PNG is
// unfiltered scanlines deflated by zlib's compress2.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/train/Plot.h"

#include "runtime/src/train/Checkpoint.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kiln::train {
namespace {

/// 5x7 glyphs for ASCII 32..126: seven rows, top first; bit 4 is the
/// leftmost column. Other bytes draw as '?'.
constexpr uint8_t Font[95][7] = {
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, // ' '
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04}, // '!'
    {0x0A, 0x0A, 0x0A, 0x00, 0x00, 0x00, 0x00}, // '"'
    {0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A}, // '#'
    {0x04, 0x0F, 0x14, 0x0E, 0x05, 0x1E, 0x04}, // '$'
    {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}, // '%'
    {0x0C, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0D}, // '&'
    {0x04, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00}, // '\''
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}, // '('
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}, // ')'
    {0x00, 0x04, 0x15, 0x0E, 0x15, 0x04, 0x00}, // '*'
    {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00}, // '+'
    {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}, // ','
    {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}, // '-'
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}, // '.'
    {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00}, // '/'
    {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}, // '0'
    {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}, // '1'
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}, // '2'
    {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}, // '3'
    {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}, // '4'
    {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}, // '5'
    {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}, // '6'
    {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}, // '7'
    {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}, // '8'
    {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}, // '9'
    {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}, // ':'
    {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x04, 0x08}, // ';'
    {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02}, // '<'
    {0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00}, // '='
    {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08}, // '>'
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04}, // '?'
    {0x0E, 0x11, 0x17, 0x15, 0x16, 0x10, 0x0E}, // '@'
    {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}, // 'A'
    {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}, // 'B'
    {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}, // 'C'
    {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}, // 'D'
    {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}, // 'E'
    {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}, // 'F'
    {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}, // 'G'
    {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}, // 'H'
    {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}, // 'I'
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}, // 'J'
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}, // 'K'
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}, // 'L'
    {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}, // 'M'
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}, // 'N'
    {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}, // 'O'
    {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}, // 'P'
    {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}, // 'Q'
    {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}, // 'R'
    {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}, // 'S'
    {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, // 'T'
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}, // 'U'
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04}, // 'V'
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}, // 'W'
    {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}, // 'X'
    {0x11, 0x11, 0x0A, 0x04, 0x04, 0x04, 0x04}, // 'Y'
    {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}, // 'Z'
    {0x0E, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0E}, // '['
    {0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00}, // '\\'
    {0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E}, // ']'
    {0x04, 0x0A, 0x11, 0x00, 0x00, 0x00, 0x00}, // '^'
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F}, // '_'
    {0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00}, // '`'
    {0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F}, // 'a'
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E}, // 'b'
    {0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E}, // 'c'
    {0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F}, // 'd'
    {0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E}, // 'e'
    {0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08}, // 'f'
    {0x00, 0x0F, 0x11, 0x11, 0x0F, 0x01, 0x0E}, // 'g'
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11}, // 'h'
    {0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E}, // 'i'
    {0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0C}, // 'j'
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}, // 'k'
    {0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}, // 'l'
    {0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11}, // 'm'
    {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11}, // 'n'
    {0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E}, // 'o'
    {0x00, 0x00, 0x1E, 0x11, 0x1E, 0x10, 0x10}, // 'p'
    {0x00, 0x00, 0x0D, 0x13, 0x0F, 0x01, 0x01}, // 'q'
    {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10}, // 'r'
    {0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E}, // 's'
    {0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06}, // 't'
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D}, // 'u'
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04}, // 'v'
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A}, // 'w'
    {0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11}, // 'x'
    {0x00, 0x00, 0x11, 0x11, 0x0F, 0x01, 0x0E}, // 'y'
    {0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F}, // 'z'
    {0x02, 0x04, 0x04, 0x08, 0x04, 0x04, 0x02}, // '{'
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, // '|'
    {0x08, 0x04, 0x04, 0x02, 0x04, 0x04, 0x08}, // '}'
    {0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00}, // '~'
};
constexpr int GlyphWidth = 5;
constexpr int GlyphHeight = 7;
constexpr int GlyphAdvance = 6;

constexpr uint32_t White = 0xffffff;
constexpr uint32_t FrameColor = 0x333333;
constexpr uint32_t GridColor = 0xe4e4e4;
constexpr uint32_t TextColor = 0x222222;
constexpr double LineWidth = 1.8;

int textWidth(const std::string &s, int scale) {
  return s.empty() ? 0 : (int(s.size()) * GlyphAdvance - 1) * scale;
}

/// An RGB image, white to start with.
class Canvas {
public:
  Canvas(int width, int height)
      : width(width), height(height), rgb(size_t(width) * height * 3, 0xff) {}

  /// Mixes \p color into pixel (x, y) with opacity \p alpha; clips.
  void blend(int x, int y, uint32_t color, double alpha) {
    if (x < 0 || y < 0 || x >= width || y >= height || alpha <= 0)
      return;
    alpha = std::min(alpha, 1.0);
    uint8_t *p = &rgb[(size_t(y) * width + x) * 3];
    for (int c = 0; c < 3; ++c) {
      double src = (color >> (16 - 8 * c)) & 0xff;
      p[c] = static_cast<uint8_t>(std::lround(p[c] + (src - p[c]) * alpha));
    }
  }

  /// Fills columns [x0, x1) of rows [y0, y1).
  void fill(int x0, int y0, int x1, int y1, uint32_t color) {
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x)
        blend(x, y, color, 1.0);
  }

  /// Draws \p s with its top-left corner at (x, y), each font pixel a
  /// \p scale x \p scale block.
  void text(int x, int y, const std::string &s, uint32_t color, int scale = 1) {
    for (unsigned char ch : s) {
      const uint8_t *glyph = Font[(ch >= 32 && ch < 127 ? ch : '?') - 32];
      for (int row = 0; row < GlyphHeight; ++row)
        for (int col = 0; col < GlyphWidth; ++col)
          if (glyph[row] & (0x10 >> col))
            fill(x + col * scale, y + row * scale, x + (col + 1) * scale,
                 y + (row + 1) * scale, color);
      x += GlyphAdvance * scale;
    }
  }

  int width, height;
  std::vector<uint8_t> rgb;
};

/// A closed pixel rectangle: columns left..right, rows top..bottom.
struct Rect {
  int left, top, right, bottom;
  int width() const { return right - left + 1; }
  int height() const { return bottom - top + 1; }
};

/// An axis from lo to hi with ticks every step (lo and hi are multiples).
struct Axis {
  double lo, hi, step;
  int tickCount() const { return int(std::lround((hi - lo) / step)) + 1; }
  double tick(int i) const { return lo + i * step; }
};

/// Extends [lo, hi] to about five "nice" steps.
Axis niceAxis(double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi))
    return {0, 1, 0.2};
  if (!(hi > lo)) {
    double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  double raw = (hi - lo) / 5;
  if (!std::isfinite(raw) || raw <= 0)
    return {0, 1, 0.2};
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double norm = raw / mag;
  double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  return {std::floor(lo / step) * step, std::ceil(hi / step) * step, step};
}

/// Formats a tick value with as many decimals as the step needs.
std::string tickLabel(double v, const Axis &axis) {
  if (std::fabs(v) < axis.step * 1e-6)
    v = 0;
  char buf[32];
  double big = std::max(std::fabs(axis.lo), std::fabs(axis.hi));
  if (big >= 1e6 || axis.step < 1e-4) {
    std::snprintf(buf, sizeof(buf), "%.3g", v);
  } else {
    int decimals =
        axis.step >= 1 ? 0 : int(std::ceil(-std::log10(axis.step) - 1e-9));
    std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  }
  return buf;
}

/// Adds to \p coverage (one float per pixel of \p clip) the coverage of the
/// segment a-b stroked LineWidth wide; a point if a == b.
void strokeSegment(std::vector<float> &coverage, const Rect &clip, double ax,
                   double ay, double bx, double by) {
  double reach = LineWidth / 2 + 1;
  int x0 = std::max(clip.left, int(std::floor(std::min(ax, bx) - reach)));
  int x1 = std::min(clip.right, int(std::ceil(std::max(ax, bx) + reach)));
  int y0 = std::max(clip.top, int(std::floor(std::min(ay, by) - reach)));
  int y1 = std::min(clip.bottom, int(std::ceil(std::max(ay, by) + reach)));
  double dx = bx - ax, dy = by - ay;
  double len2 = dx * dx + dy * dy;
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      double px = x + 0.5 - ax, py = y + 0.5 - ay;
      double t =
          len2 > 0 ? std::clamp((px * dx + py * dy) / len2, 0.0, 1.0) : 0.0;
      double ex = px - t * dx, ey = py - t * dy;
      double cov = LineWidth / 2 + 0.5 - std::sqrt(ex * ex + ey * ey);
      if (cov <= 0)
        continue;
      float &c =
          coverage[size_t(y - clip.top) * clip.width() + (x - clip.left)];
      c = std::max(c, float(std::min(cov, 1.0)));
    }
  }
}

/// Draws one panel into the columns [x0, x0 + width) of \p canvas.
void drawPanel(Canvas &canvas, int x0, int width, const std::string &title,
               const std::vector<PlotSeries> &series) {
  Rect plot{x0 + 62, 34, x0 + width - 18, canvas.height - 34};

  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (const PlotSeries &s : series)
    for (size_t i = 0; i < s.x.size(); ++i)
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
        xlo = std::min(xlo, s.x[i]);
        xhi = std::max(xhi, s.x[i]);
        ylo = std::min(ylo, s.y[i]);
        yhi = std::max(yhi, s.y[i]);
      }
  if (xlo > xhi) {
    xlo = ylo = 0;
    xhi = yhi = 1;
  }
  Axis ax = niceAxis(xlo, xhi), ay = niceAxis(ylo, yhi);
  // Data to pixel centres of the frame's columns and rows.
  auto mapX = [&](double x) {
    return plot.left + 0.5 + (x - ax.lo) / (ax.hi - ax.lo) * (plot.width() - 1);
  };
  auto mapY = [&](double y) {
    return plot.bottom + 0.5 -
           (y - ay.lo) / (ay.hi - ay.lo) * (plot.height() - 1);
  };

  canvas.text(x0 + (width - textWidth(title, 2)) / 2, 10, title, TextColor, 2);

  for (int i = 0; i < ay.tickCount(); ++i) {
    int y = int(std::floor(mapY(ay.tick(i))));
    canvas.fill(plot.left, y, plot.right + 1, y + 1, GridColor);
    canvas.fill(plot.left - 5, y, plot.left, y + 1, FrameColor);
    std::string label = tickLabel(ay.tick(i), ay);
    canvas.text(plot.left - 8 - textWidth(label, 1), y - GlyphHeight / 2, label,
                TextColor);
  }
  // Label every stride-th x tick so that labels never overlap.
  int widest = 0;
  for (int i = 0; i < ax.tickCount(); ++i)
    widest = std::max(widest, textWidth(tickLabel(ax.tick(i), ax), 1));
  double spacing = double(plot.width() - 1) / std::max(1, ax.tickCount() - 1);
  int stride = std::max(1, int(std::ceil((widest + 8) / spacing)));
  for (int i = 0; i < ax.tickCount(); ++i) {
    int x = int(std::floor(mapX(ax.tick(i))));
    canvas.fill(x, plot.top, x + 1, plot.bottom + 1, GridColor);
    canvas.fill(x, plot.bottom + 1, x + 1, plot.bottom + 6, FrameColor);
    if (i % stride == 0) {
      std::string label = tickLabel(ax.tick(i), ax);
      canvas.text(x - textWidth(label, 1) / 2, plot.bottom + 9, label,
                  TextColor);
    }
  }
  canvas.fill(plot.left, plot.top, plot.right + 1, plot.top + 1, FrameColor);
  canvas.fill(plot.left, plot.bottom, plot.right + 1, plot.bottom + 1,
              FrameColor);
  canvas.fill(plot.left, plot.top, plot.left + 1, plot.bottom + 1, FrameColor);
  canvas.fill(plot.right, plot.top, plot.right + 1, plot.bottom + 1,
              FrameColor);

  // Curves; `ink` remembers where they are for placing the legend.
  std::vector<uint8_t> ink(size_t(plot.width()) * plot.height(), 0);
  for (const PlotSeries &s : series) {
    std::vector<float> coverage(ink.size(), 0.0f);
    bool havePrev = false;
    double px = 0, py = 0;
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        havePrev = false;
        continue;
      }
      double qx = mapX(s.x[i]), qy = mapY(s.y[i]);
      strokeSegment(coverage, plot, havePrev ? px : qx, havePrev ? py : qy, qx,
                    qy);
      px = qx;
      py = qy;
      havePrev = true;
    }
    for (int y = 0; y < plot.height(); ++y)
      for (int x = 0; x < plot.width(); ++x) {
        float c = coverage[size_t(y) * plot.width() + x];
        if (c > 0) {
          canvas.blend(plot.left + x, plot.top + y, s.rgb, c);
          ink[size_t(y) * plot.width() + x] = 1;
        }
      }
  }

  if (series.empty())
    return;
  // Legend: a line sample and the label per series, in the corner with the
  // least ink under it.
  int labelWidth = 0;
  for (const PlotSeries &s : series)
    labelWidth = std::max(labelWidth, textWidth(s.label, 1));
  int boxW = 6 + 18 + 5 + labelWidth + 6;
  int boxH = 5 + int(series.size()) * 11 + 1;
  int margin = 6;
  int corners[4][2] = {
      {plot.right - margin - boxW, plot.top + margin},
      {plot.right - margin - boxW, plot.bottom - margin - boxH},
      {plot.left + margin, plot.top + margin},
      {plot.left + margin, plot.bottom - margin - boxH},
  };
  int best = 0;
  long bestInk = -1;
  for (int k = 0; k < 4; ++k) {
    long count = 0;
    for (int y = 0; y < boxH; ++y)
      for (int x = 0; x < boxW; ++x) {
        int ix = corners[k][0] + x - plot.left,
            iy = corners[k][1] + y - plot.top;
        if (ix >= 0 && iy >= 0 && ix < plot.width() && iy < plot.height())
          count += ink[size_t(iy) * plot.width() + ix];
      }
    if (bestInk < 0 || count < bestInk) {
      best = k;
      bestInk = count;
    }
  }
  int bx = corners[best][0], by = corners[best][1];
  canvas.fill(bx, by, bx + boxW, by + boxH, White);
  canvas.fill(bx, by, bx + boxW, by + 1, 0xaaaaaa);
  canvas.fill(bx, by + boxH - 1, bx + boxW, by + boxH, 0xaaaaaa);
  canvas.fill(bx, by, bx + 1, by + boxH, 0xaaaaaa);
  canvas.fill(bx + boxW - 1, by, bx + boxW, by + boxH, 0xaaaaaa);
  for (size_t i = 0; i < series.size(); ++i) {
    int rowY = by + 5 + int(i) * 11;
    canvas.fill(bx + 6, rowY + 2, bx + 24, rowY + 4, series[i].rgb);
    canvas.text(bx + 29, rowY, series[i].label, TextColor);
  }
}

void putU32BigEndian(std::vector<uint8_t> &out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<uint8_t>(v >> shift));
}

/// Appends a PNG chunk: length, type, data, CRC-32 of type and data.
void putChunk(std::vector<uint8_t> &out, const char type[4],
              const std::vector<uint8_t> &data) {
  putU32BigEndian(out, static_cast<uint32_t>(data.size()));
  size_t typeAt = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, out.data() + typeAt, static_cast<uInt>(4 + data.size()));
  putU32BigEndian(out, static_cast<uint32_t>(crc));
}

/// Encodes \p canvas as an 8-bit RGB PNG; "" or an error.
std::string encodePng(const Canvas &canvas, std::vector<uint8_t> &png) {
  size_t stride = size_t(canvas.width) * 3;
  std::vector<uint8_t> raw;
  raw.reserve((stride + 1) * canvas.height);
  for (int y = 0; y < canvas.height; ++y) {
    raw.push_back(0); // Filter type None.
    raw.insert(raw.end(), canvas.rgb.begin() + y * stride,
               canvas.rgb.begin() + (y + 1) * stride);
  }
  uLongf zsize = compressBound(static_cast<uLong>(raw.size()));
  std::vector<uint8_t> idat(zsize);
  int rc = compress2(idat.data(), &zsize, raw.data(),
                     static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION);
  if (rc != Z_OK)
    return "zlib compress2 failed (" + std::to_string(rc) + ")";
  idat.resize(zsize);

  std::vector<uint8_t> ihdr;
  putU32BigEndian(ihdr, static_cast<uint32_t>(canvas.width));
  putU32BigEndian(ihdr, static_cast<uint32_t>(canvas.height));
  // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no
  // interlace.
  for (uint8_t b : {8, 2, 0, 0, 0})
    ihdr.push_back(b);

  static const uint8_t Signature[8] = {0x89, 'P',  'N',  'G',
                                       '\r', '\n', 0x1a, '\n'};
  png.assign(Signature, Signature + 8);
  putChunk(png, "IHDR", ihdr);
  putChunk(png, "IDAT", idat);
  putChunk(png, "IEND", {});
  return "";
}

} // namespace

std::string
writeTrainingPlotPng(const std::string &path,
                     const std::vector<PlotSeries> &lossSeries,
                     const std::vector<PlotSeries> &accuracySeries) {
  for (const auto *group : {&lossSeries, &accuracySeries})
    for (const PlotSeries &s : *group)
      if (s.x.size() != s.y.size())
        return path + ": cannot plot series '" + s.label +
               "': " + std::to_string(s.x.size()) + " x values but " +
               std::to_string(s.y.size()) + " y values";

  Canvas canvas(TrainingPlotWidth, TrainingPlotHeight);
  int half = TrainingPlotWidth / 2;
  drawPanel(canvas, 0, half, "loss", lossSeries);
  drawPanel(canvas, half, TrainingPlotWidth - half, "accuracy", accuracySeries);

  std::vector<uint8_t> png;
  std::string err = encodePng(canvas, png);
  if (!err.empty())
    return path + ": cannot encode PNG: " + err;
  return writeFileAtomically(path, {{png.data(), png.size()}});
}

} // namespace kiln::train
