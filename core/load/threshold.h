#pragma once

#include "error.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace loadlevel::load {

struct RunReport;

// A pass/fail condition on a run's figures, as k6 has them: `p99(persist) < 250ms`,
// `missing == 0`, `rate(accepted) >= 950/s`, `ratio(late) < 0.01`. The metric names are the run
// report's (thresholdMetrics() lists them with their units; the README's "Capacity and CI" section
// documents them). A mistyped name is refused with the list of valid ones.
struct Threshold {
    QString expression; // as written
    QString metric;     // canonical: "p99(persist)", "missing", "rate(accepted)"
    QString op;         // <, <=, >, >=, ==, !=
    double limit = 0;   // in the metric's unit: ms for latencies, events/s for rates, a fraction for ratios

    static Result<Threshold> parse(const QString& expression);
    [[nodiscard]] bool holds(double measured) const;
};

// A threshold with what the run measured. A figure the run did not measure (missing without a
// verification) fails: a gate must not pass on nothing.
struct ThresholdResult {
    Threshold threshold;
    std::optional<double> measured;
    bool passed = false;
    QString note; // why there is no measurement

    [[nodiscard]] QJsonObject toJson() const;
    static ThresholdResult fromJson(const QJsonObject& o);
    // "p99(persist) < 250ms: 41.2 ms, passed"
    [[nodiscard]] QString text() const;
};

// Every metric a threshold can name, with its unit and meaning: one line each, for errors and --help.
QStringList thresholdMetrics();

std::vector<ThresholdResult> evaluate(const std::vector<Threshold>& thresholds, const RunReport& report);

// JUnit XML for CI systems: one test case per threshold and one for the run's own check (everything
// sent and accepted, and, when verified, nothing missing or duplicated).
QByteArray junitXml(const RunReport& report);

} // namespace loadlevel::load
