#pragma once

#include <cmath>

namespace loadlevel::ui {

// The round number (1, 2 or 5 times a power of ten) nearest above `raw`: a chart's tick interval,
// so that ticks read 0, 20, 40, … and not 0, 24.28, 48.56, ….
inline double niceStep(double raw) {
    if (raw <= 0)
        return 1;
    const double magnitude = std::pow(10, std::floor(std::log10(raw)));
    for (const double m : {1.0, 2.0, 5.0})
        if (raw <= m * magnitude)
            return m * magnitude;
    return 10 * magnitude;
}

} // namespace loadlevel::ui
