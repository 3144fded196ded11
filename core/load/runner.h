#pragma once

#include "error.h"
#include "kafka/client_config.h"
#include "load/generator.h"
#include "load/run_manifest.h"
#include "metrics/recorder.h"

#include <atomic>
#include <functional>

namespace loadlevel::load {

struct RunSpec {
    qint64 count = 1000;
    double ratePerSec = 0; // 0: as fast as possible (a burst); > 0: paced, events due at i/rate
    Generator::Options generator;
    QString source = QStringLiteral("/loadlevel/cli");
};

struct RunProgress {
    qint64 requested = 0;
    qint64 sent = 0;
    qint64 acked = 0;
    qint64 failed = 0;
    double elapsedSec = 0;
};

// Sends one run of generated rating events to a topic and records its manifest.
// Thread: run() blocks the calling thread; progress is reported on it about every 200 ms.
// Errors: a producer that cannot be created or a topic that refuses writes end the run with an
// Error; individual delivery failures are counted in the manifest (unacked) and do not.
class Runner {
public:
    using ProgressFn = std::function<void(const RunProgress&)>;

    Runner(kafka::ClientConfig config, QString topic);
    // Counters and send→ack latencies also go here (the pipeline's live metrics); may be null.
    void setRecorder(metrics::Recorder* recorder) { m_recorder = recorder; }

    Result<RunManifest> run(const RunSpec& spec, const ProgressFn& progress = {},
                            const std::atomic<bool>* cancel = nullptr);

private:
    kafka::ClientConfig m_config;
    QString m_topic;
    metrics::Recorder* m_recorder = nullptr;
};

} // namespace loadlevel::load
