#include "ui/session.h"

#include "event/codec.h"
#include "load/kafka_target.h"
#include "load/runner.h"
#include "metrics/lag_watch.h"

#include <QDateTime>
#include <QFileInfo>
#include <QHostAddress>
#include <algorithm>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace loadlevel::ui {

namespace {
constexpr int kVerifyTimeoutMs = 120000;

// The session's thread, and every thread it starts (the runner, the sink's members, the lag
// monitor, librdkafka's and the embedded cluster's threads inherit it), runs at a lower
// scheduling priority than the UI thread: on a machine saturated by a load run, the window stays
// responsive. Linux keeps the nice value per thread and new threads inherit their creator's.
void yieldToTheUi() {
#ifdef Q_OS_LINUX
    static thread_local bool done = false;
    if (done)
        return;
    done = true;
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    const int current = ::getpriority(PRIO_PROCESS, tid);
    (void)::setpriority(PRIO_PROCESS, tid, std::max(current, 10));
#endif
}
} // namespace

Session::Session(pipeline::Settings settings, QObject* parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_verifyTimer(this)
    , m_healthTimer(this) {
    qRegisterMetaType<loadlevel::store::StoredRating>();
    qRegisterMetaType<QList<loadlevel::store::StoredRating>>();
    qRegisterMetaType<loadlevel::store::MovieStats>();
    qRegisterMetaType<QList<loadlevel::store::MovieStats>>();
    qRegisterMetaType<loadlevel::store::DeadLetterRow>();
    qRegisterMetaType<QList<loadlevel::store::DeadLetterRow>>();
    qRegisterMetaType<loadlevel::store::RatingFilter>();
    qRegisterMetaType<loadlevel::pipeline::Settings>();
    qRegisterMetaType<loadlevel::metrics::Snapshot>();
    qRegisterMetaType<loadlevel::ui::Health>();
    qRegisterMetaType<loadlevel::pipeline::RunTarget>();
    qRegisterMetaType<loadlevel::load::RunPlan>();
    qRegisterMetaType<loadlevel::load::RunReport>();
    qRegisterMetaType<QList<loadlevel::load::RunReport>>();
    qRegisterMetaType<loadlevel::load::CapacityOptions>();
    qRegisterMetaType<loadlevel::load::CapacityStep>();
    qRegisterMetaType<loadlevel::load::CapacityResult>();
    m_verifyTimer.setInterval(200);
    connect(&m_verifyTimer, &QTimer::timeout, this, &Session::checkRun);
    m_healthTimer.setInterval(1000);
    connect(&m_healthTimer, &QTimer::timeout, this, &Session::probeHealth);
}

Session::~Session() {
    shutdown();
}

void Session::start() {
    yieldToTheUi();
    m_kafkaOk = m_dbOk = true;
    m_dbError.clear();
    m_sinkTrouble.clear();
    emit health(Health::Starting, tr("starting the pipeline"), m_lastError);
    pipeline::PipelineOptions o;
    o.members = std::min(2, m_settings.partitions);
    auto pipe = pipeline::Pipeline::start(m_settings, o);
    if (!pipe) {
        noteProblem(pipe.error().message);
        emit health(Health::Down, tr("the pipeline could not start"), m_lastError);
        return;
    }
    m_pipe = std::move(*pipe);
    m_publisher = std::make_unique<metrics::SnapshotPublisher>(m_pipe->recorder(), 100, this);
    connect(m_publisher.get(), &metrics::SnapshotPublisher::snapshot, this, &Session::snapshot);
    connect(m_pipe->sink(), &kafka::Sink::problem, this, [this](const QString& m) {
        m_sinkTrouble = m;
        noteProblem(m);
    });
    connect(m_pipe->sink(), &kafka::Sink::recovered, this, [this](const QString& m) {
        m_sinkTrouble.clear();
        qInfo().noquote() << "loadlevel:" << m;
        emit problem(m);
        probeHealth();
    });
    m_publisher->start();
    // Lag of the pipeline's own group, once a second, into the snapshots the charts draw. Its
    // answers (or failures) also say whether Kafka is reachable.
    m_lagMonitor = m_pipe->makeLagMonitor(1000);
    connect(m_lagMonitor.get(), &metrics::LagMonitor::updated, m_publisher.get(),
            &metrics::SnapshotPublisher::setLag, Qt::DirectConnection);
    connect(m_lagMonitor.get(), &metrics::LagMonitor::updated, this, [this] { m_kafkaOk = true; });
    connect(m_lagMonitor.get(), &metrics::LagMonitor::problem, this, [this](const QString& m) {
        m_kafkaOk = false;
        noteProblem(m);
    });
    m_lagMonitor->start();
    // Ready once the sink's members settled into the group: a burst sent earlier would wait for
    // the members' first rebalance (seconds), which is start-up, not the pipeline's latency.
    if (auto settled = m_pipe->waitForSink(std::chrono::seconds(30)); !settled)
        noteProblem(settled.error().message);
    m_healthTimer.start();
    emit started(m_pipe->describe(), m_settings.partitions,
                 m_pipe->cluster() ? m_pipe->cluster()->brokers() : 0);
    probeHealth();
}

void Session::restart(const pipeline::Settings& settings) {
    shutdown();
    m_settings = settings;
    if (m_settings.runsDir.isEmpty())
        m_settings.runsDir = load::defaultRunsDir();
    start();
}

void Session::noteProblem(const QString& message) {
    qWarning().noquote() << "loadlevel:" << message; // also on stderr, for whoever runs it from a terminal
    m_lastError = message;
    m_lastErrorAt = QDateTime::currentDateTime();
    emit problem(message);
}

void Session::noteDatabase(bool ok, const QString& error) {
    m_dbOk = ok;
    if (!ok && error != m_dbError)
        noteProblem(error);
    m_dbError = ok ? QString() : error;
}

void Session::probeHealth() {
    if (!m_pipe)
        return;
    // A cheap query (newest row by an indexed key) says whether the database answers.
    auto probe = m_pipe->store().ratingsPage({}, 1);
    noteDatabase(probe.has_value(), probe ? QString() : probe.error().message);
    Health state = Health::Connected;
    if (!m_kafkaOk || !m_dbOk)
        state = Health::Down;
    else if (!m_sinkTrouble.isEmpty())
        state = Health::Degraded;
    const QString kafka = m_kafkaOk ? tr("Kafka answers") : tr("Kafka does not answer");
    const QString db = m_dbOk ? tr("database answers") : tr("database does not answer");
    QString last;
    if (!m_lastError.isEmpty())
        last = m_lastErrorAt.toString(QStringLiteral("HH:mm:ss ")) + m_lastError;
    emit health(state, kafka + u" · " + db, last);
}

void Session::sendSingle(qint64 userId, qint64 movieId, double rating) {
    if (!m_pipe)
        return;
    event::RatingEvent e;
    e.eventTime = QDateTime::currentDateTimeUtc();
    e.eventId = event::newUuidV7(e.eventTime);
    e.userId = userId;
    e.movieId = movieId;
    e.rating = rating;
    e.source = QStringLiteral("/loadlevel/desktop");
    const QString id = e.eventId.toString(QUuid::WithoutBraces);
    if (!openSingleProducer())
        return;
    if (auto r = m_single->produce(event::encode(e), 0, std::chrono::seconds(1)); !r)
        emit singleSent(r.error().message, false);
    else
        emit singleSent(tr("rating %1 sent, waiting for the broker").arg(id), true);
}

void Session::sendPoison() {
    if (!m_pipe || !openSingleProducer())
        return;
    // What a buggy or hostile producer sends: not JSON, a rating out of range, a rating of no movie.
    const QByteArray values[] = {QByteArray("not json"),
                                 QByteArray(R"({"user_id":1,"movie_id":2,"rating":11})"),
                                 QByteArray(R"({"user_id":1,"rating":3})")};
    for (const QByteArray& value : values) {
        event::WireMessage m;
        m.key = QByteArray("poison");
        m.value = value;
        if (auto r = m_single->produce(m, 1, std::chrono::seconds(1)); !r) {
            noteProblem(r.error().message);
            return;
        }
    }
    annotate(tr("3 poison messages"));
}

bool Session::openSingleProducer() {
    if (!m_single) {
        auto p = kafka::Producer::create(
            m_pipe->clientConfig(), m_settings.topic,
            [this](const kafka::Delivery& d) {
                // On the producer's poller thread; the signal is queued to the window. Token 0 is
                // the form's rating; the poison messages (1) are the sink's to answer for.
                if (d.token != 0)
                    return;
                if (d.ok)
                    emit singleSent(
                        tr("rating acknowledged: partition %1, offset %2").arg(d.partition).arg(d.offset),
                        true);
                else
                    emit singleSent(tr("rating not acknowledged: %1").arg(d.error), false);
            },
            [this](const Error& err) {
                QMetaObject::invokeMethod(this, [this, m = err.message] { noteProblem(m); });
            });
        if (!p) {
            noteProblem(p.error().message);
            emit singleSent(p.error().message, false);
            return false;
        }
        m_single = std::move(*p);
    }
    return true;
}

void Session::startRun(qint64 count, double ratePerSec) {
    if (count <= 0)
        return;
    load::RunSpec spec;
    spec.count = count;
    spec.ratePerSec = ratePerSec;
    startPlan(load::Runner::planFor(spec), {});
}

void Session::startPlan(const load::RunPlan& requested, const pipeline::RunTarget& target) {
    if (!m_pipe)
        return;
    if (auto problemWithPlan = requested.profile.check()) {
        emit problem(problemWithPlan->message);
        return;
    }
    if (!claimRun())
        return;
    const qint64 count = requested.profile.totalEvents();
    if (!target.http)
        if (const QString w = m_pipe->runLimitWarning(count); !w.isEmpty())
            emit problem(u"warning: " + w);
    m_lastRun.reset();
    const load::RunPlan plan = prepared(requested);
    m_lastThresholds = plan.thresholds;
    m_runStartedAt = QDateTime::currentDateTimeUtc();
    m_runAnnotations.clear();
    annotate(tr("run: %1").arg(plan.profile.describe()));
    const auto config = m_pipe->clientConfig();
    const QString topic = m_settings.topic;
    // The pipeline's live charts count what goes through this pipeline: Kafka runs (an HTTP run
    // to Loadlevel's own service is counted by the service itself).
    metrics::Recorder* recorder = target.http ? nullptr : &m_pipe->recorder();
    m_runPersistedBase = m_pipe->recorder().persisted.load();
    emit runStarted(
        count, target.http ? tr("%1 to %2").arg(plan.profile.describe(), target.httpOptions.url.toString())
                           : plan.profile.describe());
    m_runThread = std::thread([this, config, topic, recorder, plan, target] {
        std::unique_ptr<load::Target> sink;
        bool verifiable = true;
        Result<load::RunReport> report = fail(Error::failed(tr("the run did not start")));
        if (auto opened = pipeline::openTarget(target, config, topic)) {
            sink = std::move(opened->target);
            verifiable = opened->verifiable;
        } else {
            report = fail(opened.error());
        }
        if (sink)
            report = load::runPlan(
                *sink, plan, [this](const load::RunProgress& p) { announceProgress(p); }, &m_cancel,
                recorder);
        sink.reset();
        // Back on the session thread: verify until every acknowledged rating is persisted.
        QMetaObject::invokeMethod(
            this,
            [this, verifiable, r = std::move(report)]() mutable {
                if (!r) {
                    m_running = false;
                    m_runStartedAt = QDateTime();
                    noteProblem(r.error().message);
                    emit runFinished(r.error().message, false);
                    return;
                }
                // Stop ended the sending; what was sent is still verified (a second Stop ends that).
                m_cancel = false;
                annotate(tr("all sent"));
                m_lastRun = std::move(*r);
                m_lastRunVerifiable = verifiable;
                if (!verifiable) {
                    m_lastRun->verificationNote =
                        tr("the request body carries no run tags ({{run_id}}, {{run_seq}})");
                    finishRun(std::nullopt);
                    return;
                }
                m_verifyDeadlineMs = QDateTime::currentMSecsSinceEpoch() + kVerifyTimeoutMs;
                m_verifyTimer.start();
                checkRun();
            },
            Qt::QueuedConnection);
    });
}

bool Session::claimRun() {
    if (m_running.exchange(true)) {
        emit problem(tr("a run is going on: stop it first"));
        return false;
    }
    if (m_runThread.joinable())
        m_runThread.join(); // the last run's thread, done sending
    m_cancel = false;
    return true;
}

load::RunPlan Session::prepared(const load::RunPlan& requested) const {
    load::RunPlan plan = requested;
    plan.source = QStringLiteral("/loadlevel/desktop");
    if (plan.generator.seed == 0)
        plan.generator.seed = static_cast<quint64>(QDateTime::currentMSecsSinceEpoch());
    // Embedded mode: never further ahead of the sink than the cluster keeps (also over HTTP, which
    // may be this session's own service).
    plan.holdBack = m_pipe->holdBack();
    return plan;
}

bool Session::feedsThisPipeline(const pipeline::RunTarget& target) const {
    if (!target.http)
        return true;
    if (!m_http)
        return false;
    const QUrl own(m_http->url());
    const QUrl url = target.httpOptions.url;
    return url.port(80) == own.port(80) &&
           (url.host() == own.host() ||
            (QHostAddress(url.host()).isLoopback() && QHostAddress(own.host()).isLoopback()) ||
            url.host() == u"localhost");
}

void Session::startCapacity(const load::RunPlan& requested, const pipeline::RunTarget& target,
                            const load::CapacityOptions& options) {
    if (!m_pipe)
        return;
    if (!claimRun())
        return;
    std::shared_ptr<metrics::LagWatch> watch;
    if (feedsThisPipeline(target))
        watch = std::make_shared<metrics::LagWatch>(m_pipe->makeLagMonitor(500));
    const QString where = target.http
                              ? target.httpOptions.url.toString()
                              : (m_pipe->cluster() ? QStringLiteral("embedded") : QStringLiteral("kafka"));
    m_runThread = std::thread([this, plan = prepared(requested), target, options, watch, where,
                               config = m_pipe->clientConfig(), topic = m_settings.topic,
                               runsDir = m_settings.runsDir]() mutable {
        metrics::Recorder* recorder = target.http ? nullptr : &m_pipe->recorder();
        Result<load::CapacityResult> result = fail(Error::failed(tr("the capacity search did not start")));
        if (auto opened = pipeline::openTarget(target, config, topic); !opened) {
            result = fail(opened.error());
        } else {
            load::CapacityRuns runs;
            runs.plan = plan;
            runs.watch = watch.get();
            runs.cancel = &m_cancel;
            runs.run = [&](const load::RunPlan& p, const QString& phase, double rate) {
                emit runStarted(p.profile.totalEvents(),
                                tr("capacity search, %1 at %L2/s").arg(phase).arg(rate, 0, 'f', 0));
                emit annotated(tr("%1 %L2/s").arg(phase).arg(rate, 0, 'f', 0)); // from this thread: no report
                m_runPersistedBase = m_pipe->recorder().persisted.load();
                auto report = load::runPlan(
                    *opened->target, p,
                    [this](const load::RunProgress& progress) { announceProgress(progress); }, &m_cancel,
                    recorder);
                if (report) {
                    if (auto saved = report->save(runsDir); saved)
                        emit runSaved(report->manifest.runId, *saved);
                }
                return report;
            };
            result = load::searchCapacity(
                options, load::capacitySteps(std::move(runs), options),
                [this](const load::CapacityStep& s) { emit capacityStep(s); }, &m_cancel);
        }
        // Back on the session thread, where the lag watch was made and ends.
        QMetaObject::invokeMethod(
            this,
            [this, result = std::move(result), watch = std::move(watch), where, runsDir]() mutable {
                watch.reset();
                m_running = false;
                if (!result) {
                    noteProblem(result.error().message);
                    emit runFinished(result.error().message, false);
                    return;
                }
                QString summary = tr("capacity of %1: %2").arg(where, result->conclusion);
                if (auto saved = result->save(runsDir, where); saved)
                    summary += tr(" (saved as %1)").arg(QFileInfo(saved->first()).fileName());
                else
                    noteProblem(saved.error().message);
                emit capacityFinished(*result);
                emit runFinished(summary, result->rate.has_value());
                listRuns();
            },
            Qt::QueuedConnection);
    });
}

void Session::announceProgress(const load::RunProgress& p) {
    // While sending, the pipeline's persisted counter stands in for the run's rows; the exact count
    // comes from the database once the run is sent.
    const qint64 persisted =
        std::min(p.acked, m_pipe->recorder().persisted.load() - m_runPersistedBase.load());
    emit runProgress(p.sent, p.acked, persisted, p.requested, p.elapsedSec);
    emit runDetail(p.late, p.failed, p.lastSecondRate, p.lastSecondP99Ms);
}

void Session::listRuns() {
    const auto reports = load::RunReport::list(m_settings.runsDir);
    emit runsListed(QList<load::RunReport>(reports.begin(), reports.end()));
}

void Session::checkRun() {
    if (!m_lastRun || !m_pipe)
        return;
    const load::RunManifest& m = m_lastRun->manifest;
    const bool timedOut = QDateTime::currentMSecsSinceEpoch() > m_verifyDeadlineMs;
    // Counting is cheap; the full check (every sequence number) runs once the count is there.
    auto n = m_pipe->store().countRatings(m.runId);
    if (!n) {
        noteDatabase(false, n.error().message);
        if (!timedOut && !m_cancel.load())
            return; // the database is away: try again on the next tick
    }
    if (n) {
        noteDatabase(true);
        emit runProgress(m.sent, m.acked, std::min(*n, m.acked), m.requested,
                         m.startedAt.msecsTo(m.finishedAt) / 1000.0);
        if (*n < m.acked && !timedOut && !m_cancel.load())
            return;
    }
    auto v = load::verifyRun(m_pipe->store(), m);
    if (!v && !timedOut && !m_cancel.load())
        return;
    if (v && !v->ok() && !timedOut && !m_cancel.load())
        return;
    m_verifyTimer.stop();
    if (!v) {
        m_lastRun->verificationNote = v.error().message;
        finishRun(std::nullopt);
        return;
    }
    finishRun(*v);
}

void Session::finishRun(const std::optional<load::Verification>& v) {
    m_running = false;
    load::RunReport& r = *m_lastRun;
    const load::RunManifest& m = r.manifest;
    if (v)
        if (auto added = load::addVerification(r, *v, m_pipe->store()); !added)
            noteProblem(added.error().message);
    r.thresholds = load::evaluate(m_lastThresholds, r);
    annotate(v && v->ok() ? tr("verified") : tr("run ended"));
    r.annotations = std::move(m_runAnnotations);
    m_runAnnotations.clear();
    m_runStartedAt = QDateTime();
    if (auto saved = r.save(m_settings.runsDir); saved)
        emit runSaved(m.runId, *saved);
    else
        noteProblem(saved.error().message);
    QString summary;
    bool ok = r.ok();
    if (v) {
        summary = tr("run %1: acknowledged %L2, persisted %L3, missing %L4, duplicates %L5")
                      .arg(m.runId)
                      .arg(v->acked)
                      .arg(v->persisted)
                      .arg(v->missing)
                      .arg(v->duplicates);
        ok = v->ok();
    } else if (m_lastRunVerifiable) {
        summary = tr("run %1: cannot verify: %2").arg(m.runId, r.verificationNote);
        ok = false;
    } else {
        summary = tr("run %1: sent %L2, accepted %L3, failed %L4; not verified: %5")
                      .arg(m.runId)
                      .arg(m.sent)
                      .arg(r.accepted)
                      .arg(r.failed)
                      .arg(r.verificationNote);
    }
    if (m.requested > m.sent)
        summary += tr(" (cancelled after %L1 of %L2)").arg(m.sent).arg(m.requested);
    if (!r.thresholds.empty()) {
        const auto failed =
            std::count_if(r.thresholds.begin(), r.thresholds.end(), [](const auto& t) { return !t.passed; });
        summary += failed ? tr("; %L1 of %L2 thresholds FAILED").arg(failed).arg(r.thresholds.size())
                          : tr("; %L1 thresholds passed").arg(r.thresholds.size());
        ok = ok && failed == 0;
    }
    emit runFinished(summary, ok);
}

void Session::annotate(const QString& label) {
    if (m_runStartedAt.isValid()) // a run from startPlan() until finishRun()
        m_runAnnotations.push_back({m_runStartedAt.msecsTo(QDateTime::currentDateTimeUtc()) / 1000.0, label});
    emit annotated(label);
}

void Session::cancelRun() {
    m_cancel = true;
    if (m_running.load())
        annotate(tr("stop"));
}

void Session::setMembers(int members) {
    if (!m_pipe || !m_pipe->sink())
        return;
    const int before = m_pipe->sink()->status().members;
    m_pipe->sink()->setMembers(members);
    annotate(tr("members %1 → %2").arg(before).arg(members));
}

void Session::setSinkPaused(bool paused) {
    if (!m_pipe || !m_pipe->sink())
        return;
    m_pipe->sink()->setPaused(paused);
    annotate(paused ? tr("sink paused") : tr("sink resumed"));
}

void Session::setMaxRowsPerSecond(double rowsPerSec, bool perMember) {
    if (!m_pipe || !m_pipe->sink())
        return;
    kafka::Sink* sink = m_pipe->sink();
    const bool none = sink->maxRowsPerSecond() <= 0 && rowsPerSec <= 0; // "each" without a ceiling
    sink->setCeilingPerMember(perMember);
    sink->setMaxRowsPerSecond(rowsPerSec);
    if (none)
        return;
    annotate(rowsPerSec <= 0 ? tr("no ceiling")
             : perMember     ? tr("ceiling %L1 rows/s each").arg(rowsPerSec, 0, 'f', 0)
                             : tr("ceiling %L1 rows/s").arg(rowsPerSec, 0, 'f', 0));
}

void Session::setBrokerDown(int brokerId, bool down) {
    if (!m_pipe || !m_pipe->cluster()) {
        emit problem(tr("fault knobs work on the embedded cluster only"));
        return;
    }
    if (auto r = m_pipe->cluster()->setBrokerDown(brokerId, down); !r)
        noteProblem(r.error().message);
    else {
        emit problem(down ? tr("embedded broker %1 is down").arg(brokerId)
                          : tr("embedded broker %1 is up again").arg(brokerId));
        annotate(down ? tr("broker %1 down").arg(brokerId) : tr("broker %1 up").arg(brokerId));
    }
}

void Session::setBrokerDelay(int milliseconds) {
    if (!m_pipe || !m_pipe->cluster()) {
        emit problem(tr("fault knobs work on the embedded cluster only"));
        return;
    }
    for (int b = 1; b <= m_pipe->cluster()->brokers(); ++b)
        if (auto r = m_pipe->cluster()->setRoundTripDelay(b, milliseconds); !r) {
            noteProblem(r.error().message);
            return;
        }
    emit problem(tr("embedded brokers answer with %1 ms added delay").arg(milliseconds));
    annotate(tr("broker delay %1 ms").arg(milliseconds));
}

void Session::serveHttp(const QString& listen) {
    m_http.reset();
    if (listen.isEmpty() || !m_pipe) {
        emit httpChanged({}, {});
        return;
    }
    ingest::ServiceOptions o;
    if (auto ok = ingest::parseListen(listen, o); !ok) {
        emit httpChanged({}, ok.error().message);
        return;
    }
    o.token = qEnvironmentVariable("LOADLEVEL_HTTP_TOKEN").toUtf8();
    auto service = ingest::Service::start(
        o, {m_pipe->clientConfig(), m_settings.topic, m_settings.storeFactory(), &m_pipe->recorder()});
    if (!service) {
        noteProblem(service.error().message);
        emit httpChanged({}, service.error().message);
        return;
    }
    m_http = std::move(*service);
    emit httpChanged(m_http->url(), {});
}

void Session::queryRatings(quint64 request, const store::RatingFilter& filter, int limit,
                           qint64 beforeRowId) {
    if (!m_pipe)
        return;
    auto rows = m_pipe->store().ratingsPage(filter, limit, beforeRowId);
    noteDatabase(rows.has_value(), rows ? QString() : rows.error().message);
    if (rows)
        emit ratingsLoaded(request, QList<store::StoredRating>(rows->begin(), rows->end()));
}

void Session::queryMovieStats(int limit) {
    if (!m_pipe)
        return;
    auto rows = m_pipe->store().recentMovieStats(limit);
    noteDatabase(rows.has_value(), rows ? QString() : rows.error().message);
    if (rows)
        emit movieStatsLoaded(QList<store::MovieStats>(rows->begin(), rows->end()));
}

void Session::queryDeadLetters(int limit) {
    if (!m_pipe)
        return;
    auto rows = m_pipe->store().deadLetters(m_settings.topic, limit);
    noteDatabase(rows.has_value(), rows ? QString() : rows.error().message);
    if (rows)
        emit deadLettersLoaded(QList<store::DeadLetterRow>(rows->begin(), rows->end()));
}

void Session::shutdown() {
    m_cancel = true;
    if (m_runThread.joinable())
        m_runThread.join();
    m_running = false;
    m_verifyTimer.stop();
    m_healthTimer.stop();
    if (m_http) {
        m_http.reset();
        emit httpChanged({}, {});
    }
    if (m_lagMonitor)
        m_lagMonitor->stop();
    m_lagMonitor.reset();
    if (m_publisher)
        m_publisher->stop();
    m_publisher.reset();
    if (m_single)
        (void)m_single->flush(std::chrono::seconds(2));
    m_single.reset();
    m_pipe.reset();
}

} // namespace loadlevel::ui
