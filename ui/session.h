#pragma once

#include "load/run_manifest.h"
#include "metrics/recorder.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

#include <QObject>
#include <QTimer>
#include <atomic>
#include <memory>
#include <thread>

namespace loadlevel::ui {

// The desktop app's handle on the pipeline. Lives on its own thread (moved there by the window):
// every call into Kafka or the database happens here, never on the UI thread. The UI sends
// commands by queued invocation and receives value types by queued signals.
// Errors are reported by failed() with a message a person can act on.
class Session final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)
public:
    explicit Session(pipeline::Settings settings, QObject* parent = nullptr);
    ~Session() override;

public slots:
    void start();
    void sendBurst(int count);
    void cancelRun();
    void setMembers(int members);
    void setSinkPaused(bool paused);
    void refreshRatings(int limit);
    void shutdown(); // stops the run and the pipeline; call before the thread quits

signals:
    void started(const QString& description, int partitions);
    void failed(const QString& message);
    void runProgress(qint64 sent, qint64 acked, qint64 persisted, qint64 total);
    void runFinished(const QString& summary, bool ok);
    void snapshot(const loadlevel::metrics::Snapshot& s);
    void ratingsLoaded(const QList<loadlevel::store::StoredRating>& rows);

private:
    void checkRun();

    pipeline::Settings m_settings;
    std::unique_ptr<pipeline::Pipeline> m_pipe;
    std::unique_ptr<metrics::SnapshotPublisher> m_publisher;
    std::unique_ptr<metrics::LagMonitor> m_lagMonitor;
    std::thread m_runThread;
    std::atomic<bool> m_cancel{false};
    std::atomic<bool> m_running{false};
    std::optional<load::RunManifest> m_lastRun;
    QTimer m_verifyTimer;
    qint64 m_verifyDeadlineMs = 0;
};

} // namespace loadlevel::ui

Q_DECLARE_METATYPE(loadlevel::store::StoredRating)
