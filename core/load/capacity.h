#pragma once

#include "error.h"
#include "load/report.h"
#include "load/runner.h"

#include <QJsonObject>
#include <QString>
#include <atomic>
#include <functional>
#include <optional>
#include <vector>

namespace loadlevel::metrics {
class LagWatch;
}

namespace loadlevel::load {

// The search for the highest rate a target sustains (`loadlevel-cli capacity`). A rate is
// sustained when a constant run at it, for the hold period, has all of:
//  - no failures, and the schedule kept (everything sent within the hold, give or take 5 %);
//  - p99 of the response latency (due → answer) within the budget;
//  - a backlog that does not grow: the consumer lag's slope (least squares over the hold, the first
//    second left out) at most slopeTolerance × rate, and the lag at the end at most maxLagSeconds
//    of the rate's events. Without a lag to watch, this criterion is left out (said in the result).
// The search brackets by doubling from the start rate, then halves the bracket until it is within
// the tolerance, then confirms the rate found with one more run.
struct CapacityOptions {
    double startRate = 250;
    double maxRate = 1'000'000;
    double tolerance = 0.05;
    double holdSeconds = 10;
    double p99BudgetMs = 250;
    double maxLagSeconds = 5;
    double slopeTolerance = 0.05;
    int maxSteps = 40;
};

// One run of the search.
struct CapacityStep {
    QString phase; // "bracket", "search", "confirm"
    double rate = 0;
    QString runId;
    double acceptedPerSec = 0; // accepted over the hold (or over the sending time when it overran)
    double p99Ms = 0;          // response, due → answer
    qint64 failed = 0;
    bool lagWatched = false;
    double lagSlope = 0; // events/s: how fast the backlog grew
    qint64 lagEnd = -1;  // the lag as the run's last full second closed
    bool sustained = false;
    QString why; // the criteria that failed; empty when sustained

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] QString text() const;
};

struct CapacityResult {
    CapacityOptions options;
    std::vector<CapacityStep> steps;
    std::optional<double> rate; // the highest sustained rate, confirmed; none: not even the start rate
    QString conclusion;         // one sentence
    bool cancelled = false;

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] QString text() const;
    // Writes toJson() plus `target` (what was searched: "kafka", "embedded" or the URL) to
    // DIR/capacity-yyyyMMdd-HHmmss.json and to `alsoTo` when given; the paths written.
    Result<QStringList> save(const QString& runsDir, const QString& target, const QString& alsoTo = {}) const;
};

// Judges one constant run at `rate` (its report, with the lag column when watched).
CapacityStep judgeStep(const RunReport& report, double rate, const CapacityOptions& options);

// Runs the search: `step` runs one constant run at a rate and judges it (an error ends the search:
// the target cannot work at all); `onStep` sees each step as it is judged. Cancel: stops after the
// current step, with what was found so far.
using CapacityStepFn = std::function<Result<CapacityStep>(double rate, const QString& phase)>;
Result<CapacityResult> searchCapacity(const CapacityOptions& options, const CapacityStepFn& step,
                                      const std::function<void(const CapacityStep&)>& onStep = {},
                                      const std::atomic<bool>* cancel = nullptr);

// The steps of a search as the CLI and the desktop take them: each is `plan` at a constant rate for
// the hold, with a seed of its own and the lag column from `watch`; before each, the backlog the
// previous step left drains (until a fresh observation shows a lag of at most 100 events or 0.2 s
// of its rate, for at most a minute; without a watch, one second passes).
struct CapacityRuns {
    RunPlan plan;
    // Runs one step's plan (and saves its report, as the caller wishes).
    std::function<Result<RunReport>(const RunPlan& plan, const QString& phase, double rate)> run;
    const metrics::LagWatch* watch = nullptr;
    std::function<void(qint64 lag)> draining; // while the backlog drains, every 100 ms
    const std::atomic<bool>* cancel = nullptr;
};
CapacityStepFn capacitySteps(CapacityRuns runs, const CapacityOptions& options);

} // namespace loadlevel::load
