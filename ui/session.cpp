#include "ui/session.h"

#include "load/runner.h"

#include <QDateTime>

namespace loadlevel::ui {

Session::Session(pipeline::Settings settings, QObject* parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_verifyTimer(this) {
    qRegisterMetaType<loadlevel::store::StoredRating>();
    qRegisterMetaType<QList<loadlevel::store::StoredRating>>();
    qRegisterMetaType<loadlevel::metrics::Snapshot>();
    m_verifyTimer.setInterval(200);
    connect(&m_verifyTimer, &QTimer::timeout, this, &Session::checkRun);
}

Session::~Session() {
    shutdown();
}

void Session::start() {
    pipeline::PipelineOptions o;
    o.members = 2;
    auto pipe = pipeline::Pipeline::start(m_settings, o);
    if (!pipe) {
        emit failed(pipe.error().message);
        return;
    }
    m_pipe = std::move(*pipe);
    m_publisher = std::make_unique<metrics::SnapshotPublisher>(m_pipe->recorder(), 100, this);
    connect(m_publisher.get(), &metrics::SnapshotPublisher::snapshot, this, &Session::snapshot);
    connect(m_pipe->sink(), &kafka::Sink::problem, this, &Session::failed, Qt::QueuedConnection);
    m_publisher->start();
    // Lag of the pipeline's own group, once a second, into the snapshots the charts draw.
    m_lagMonitor = m_pipe->makeLagMonitor(1000);
    connect(m_lagMonitor.get(), &metrics::LagMonitor::updated, m_publisher.get(),
            &metrics::SnapshotPublisher::setLag, Qt::DirectConnection);
    m_lagMonitor->start();
    emit started(m_pipe->describe(), m_settings.partitions);
}

void Session::sendBurst(int count) {
    if (!m_pipe || m_running.exchange(true))
        return;
    if (m_runThread.joinable())
        m_runThread.join();
    if (const QString w = m_pipe->runLimitWarning(count); !w.isEmpty())
        emit failed(u"warning: " + w);
    m_cancel = false;
    const auto config = m_pipe->clientConfig();
    const QString topic = m_settings.topic;
    metrics::Recorder* recorder = &m_pipe->recorder();
    m_runThread = std::thread([this, config, topic, recorder, count] {
        load::RunSpec spec;
        spec.count = count;
        spec.source = QStringLiteral("/loadlevel/desktop");
        spec.generator.seed = static_cast<quint64>(QDateTime::currentMSecsSinceEpoch());
        load::Runner runner(config, topic);
        runner.setRecorder(recorder);
        auto m = runner.run(
            spec, [this](const load::RunProgress& p) { emit runProgress(p.sent, p.acked, -1, p.requested); },
            &m_cancel);
        // Back on the session thread: verify until every acknowledged rating is persisted.
        QMetaObject::invokeMethod(
            this,
            [this, m = std::move(m)]() mutable {
                if (!m) {
                    m_running = false;
                    emit failed(m.error().message);
                    emit runFinished(m.error().message, false);
                    return;
                }
                (void)m->save(m_settings.runsDir);
                m_lastRun = std::move(*m);
                m_verifyDeadlineMs = QDateTime::currentMSecsSinceEpoch() + 120000;
                m_verifyTimer.start();
                checkRun();
            },
            Qt::QueuedConnection);
    });
}

void Session::checkRun() {
    if (!m_lastRun || !m_pipe)
        return;
    auto v = load::verifyRun(m_pipe->store(), *m_lastRun);
    if (!v)
        return; // a database hiccup: try again on the next tick
    emit runProgress(m_lastRun->sent, m_lastRun->acked, v->acked - v->missing, m_lastRun->requested);
    const bool timedOut = QDateTime::currentMSecsSinceEpoch() > m_verifyDeadlineMs;
    if (!v->ok() && !timedOut && !m_cancel.load())
        return;
    m_verifyTimer.stop();
    m_running = false;
    emit runFinished(QStringLiteral("run %1: acknowledged %2, persisted %3, missing %4, duplicates %5")
                         .arg(m_lastRun->runId)
                         .arg(v->acked)
                         .arg(v->persisted)
                         .arg(v->missing)
                         .arg(v->duplicates),
                     v->ok());
}

void Session::cancelRun() {
    m_cancel = true;
}

void Session::setMembers(int members) {
    if (m_pipe && m_pipe->sink())
        m_pipe->sink()->setMembers(members);
}

void Session::setSinkPaused(bool paused) {
    if (m_pipe && m_pipe->sink())
        m_pipe->sink()->setPaused(paused);
}

void Session::refreshRatings(int limit) {
    if (!m_pipe)
        return;
    auto rows = m_pipe->store().ratingsPage({}, limit);
    if (!rows) {
        emit failed(rows.error().message);
        return;
    }
    emit ratingsLoaded(QList<store::StoredRating>(rows->begin(), rows->end()));
}

void Session::shutdown() {
    m_cancel = true;
    if (m_runThread.joinable())
        m_runThread.join();
    m_verifyTimer.stop();
    if (m_lagMonitor)
        m_lagMonitor->stop();
    m_lagMonitor.reset();
    if (m_publisher)
        m_publisher->stop();
    m_publisher.reset();
    m_pipe.reset();
}

} // namespace loadlevel::ui
