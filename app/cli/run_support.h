#pragma once
// What the commands that run load share (run, capacity): reading a plan, its thresholds and its
// target from the options, opening the target (the user's Kafka, the embedded pipeline, or an HTTP
// endpoint) once for one or many runs, verifying a run and finishing its report.
#include "commands.h"
#include "load/report.h"
#include "load/runner.h"
#include "load/threshold.h"
#include "metrics/lag_watch.h"
#include "pipeline/pipeline.h"
#include "pipeline/run_target.h"
#include "store/store.h"

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace loadlevel::cli {

// --profile and its parameters → a checked Profile.
std::optional<load::Profile> profileFromArgs(Context& c);
// The generator's and the late threshold's options → a plan (its profile left at the default).
std::optional<load::RunPlan> planFromArgs(Context& c);
// The live line of a run.
QString progressLine(const load::Profile& profile, const load::RunProgress& p);
// --threshold, each read; the first that cannot be is an error said here.
std::optional<std::vector<load::Threshold>> thresholdsFromArgs(Context& c);
// --target and the HTTP options → where the run goes. The HTTP options are refused with Kafka.
std::optional<pipeline::RunTarget> targetFromArgs(Context& c, int& exitCode);
// Saves the report (runs folder, --report, --junit) and prints it; the exit code: 0, 1 when the
// run itself did not hold, 5 when only a threshold did not.
int finishReport(Context& c, load::RunReport& report);

// A target opened for one or more runs. A Kafka target without a Kafka address is the embedded
// pipeline (cluster, sink and SQLite file in this process), as in `demo` and the desktop.
class RunSession {
public:
    static std::unique_ptr<RunSession> open(Context& c, const pipeline::RunTarget& target, int& exitCode,
                                            const pipeline::PipelineOptions& embedded = {});
    ~RunSession();
    RunSession(const RunSession&) = delete;
    RunSession& operator=(const RunSession&) = delete;

    [[nodiscard]] QString where() const { return m_where; }
    [[nodiscard]] bool verifiable() const { return m_opened.verifiable; }
    // The embedded pipeline, or null.
    [[nodiscard]] pipeline::Pipeline* embedded() const { return m_pipeline.get(); }
    // Runs a plan, with Ctrl+C as its cancel; the embedded pipeline adds its hold-back and records
    // into its live metrics.
    Result<load::RunReport> run(load::RunPlan plan, const load::ProgressFn& progress);
    // Checks the run against the database when it can be, and notes in the report why not otherwise.
    void verify(load::RunReport& report, std::chrono::seconds wait);
    // Closes connections and flushes the producer (before verifying a last run).
    void closeTarget() { m_opened.target.reset(); }

private:
    explicit RunSession(Context& c)
        : m_c(c) {}
    // --verify-table: the mapping read, its table and columns checked; false (said why) otherwise.
    bool openExternalTable(const pipeline::RunTarget& target, int& exitCode);

    Context& m_c;
    std::optional<store::ExternalTable> m_external;
    std::unique_ptr<store::Store> m_externalStore;
    std::unique_ptr<pipeline::Pipeline> m_pipeline;
    pipeline::OpenedTarget m_opened;
    QString m_where;
};

using metrics::LagWatch;

// A watch on the lag behind the session's target: the embedded pipeline's own group, on Kafka the
// sink's group (--group), over HTTP only a --group given (null otherwise).
std::unique_ptr<LagWatch> watchLag(Context& c, RunSession& session, bool http, int intervalMs = 500);

} // namespace loadlevel::cli
