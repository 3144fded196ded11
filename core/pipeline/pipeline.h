#pragma once

#include "error.h"
#include "kafka/embedded_cluster.h"
#include "kafka/sink.h"
#include "load/run_manifest.h"
#include "metrics/lag_monitor.h"
#include "metrics/recorder.h"
#include "pipeline/settings.h"
#include "store/store.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace loadlevel::pipeline {

struct PipelineOptions {
    bool startSink = true;
    int members = 1;
    double maxRowsPerSec = 0;
};

// The composition root: from Settings to running engines. Starts the embedded cluster when no
// Kafka address is given, makes sure the topic exists, opens the store (embedded SQLite by
// default), and starts the sink. Everything stops, in order, when it is destroyed.
// Thread: create, use and destroy on one thread (the engines run on their own threads).
// Errors: start() says what could not be started and why.
class Pipeline {
public:
    static Result<std::unique_ptr<Pipeline>> start(const Settings& settings,
                                                   const PipelineOptions& options = {});
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    [[nodiscard]] const Settings& settings() const { return m_settings; }
    [[nodiscard]] const kafka::ClientConfig& clientConfig() const { return m_config; }
    [[nodiscard]] kafka::Sink* sink() const { return m_sink.get(); }
    [[nodiscard]] kafka::EmbeddedCluster* cluster() const { return m_cluster.get(); }
    // Live counters and latency histograms of this pipeline (the sink writes to it; give it to
    // the Runner too).
    [[nodiscard]] metrics::Recorder& recorder() { return m_recorder; }
    // A lag monitor for the sink's group (members known even where the cluster cannot tell).
    [[nodiscard]] std::unique_ptr<metrics::LagMonitor> makeLagMonitor(int intervalMs = 1000) const;
    // The read-side store of the thread that created the pipeline.
    [[nodiscard]] store::Store& store() const { return *m_store; }
    [[nodiscard]] QString describe() const;

    // Waits until the sink's members own every partition of the topic (group joined), so that a
    // run's latency measures the pipeline, not the group's start-up. Timeout: an error saying so.
    Result<void> waitForSink(std::chrono::milliseconds timeout,
                             const std::atomic<bool>* cancel = nullptr) const;

    // Empty when a run of `events` is safe; otherwise a warning a person can act on (the embedded
    // cluster drops the oldest data of a partition past its retention limit).
    [[nodiscard]] QString runLimitWarning(qint64 events) const;
    // For RunPlan::holdBack: in embedded mode, true while the events sent to the cluster (and not
    // failed) that the sink has not read yet are more than a quarter of what the cluster retains
    // (keys follow a Zipf law, so one partition can take far more than its share): a run of any
    // size then goes at the sink's pace instead of having its oldest events dropped. Empty in real
    // mode.
    [[nodiscard]] std::function<bool()> holdBack();
    // In embedded mode, how many events may wait unread in the cluster before holdBack() holds.
    [[nodiscard]] qint64 embeddedBacklogLimit() const;

private:
    Pipeline() = default;

    Settings m_settings;
    metrics::Recorder m_recorder;
    kafka::ClientConfig m_config;
    std::unique_ptr<kafka::EmbeddedCluster> m_cluster;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<kafka::Sink> m_sink;
};

} // namespace loadlevel::pipeline
