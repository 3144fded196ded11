// drain: build a backlog, release it, and measure how the pipeline works it off.
#include "commands.h"
#include "options.h"
#include "run_support.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QThread>

namespace loadlevel::cli {

namespace {

// What the drain test measured.
struct DrainResult {
    qint64 events = 0;
    bool pausedSink = false;
    qint64 peakLag = 0;
    double peakAtSec = 0;      // when the lag first reached its peak, from the start of the burst
    double releasedAtSec = -1; // the sink resumed, or the burst's last event sent
    std::optional<double>
        drainSeconds; // from the release or the peak, the later, to lag 0; none: not drained
    std::vector<std::pair<double, qint64>> samples; // (s from the start, lag), each change

    void observe(double t, qint64 lag) {
        if (lag < 0)
            return;
        if (samples.empty() || samples.back().second != lag) // changes only: the monitor polls every 200 ms
            samples.emplace_back(t, lag);
        if (lag > peakLag)
            peakLag = lag, peakAtSec = t;
        if (lag == 0 && releasedAtSec >= 0 && !drainSeconds)
            drainSeconds = peakLag > 0 ? t - std::max(releasedAtSec, peakAtSec) : 0.0;
    }
    [[nodiscard]] double drainRate() const {
        return drainSeconds && *drainSeconds > 0 ? static_cast<double>(peakLag) / *drainSeconds : 0;
    }
    [[nodiscard]] QJsonObject toJson() const {
        QJsonArray s;
        for (const auto& [t, lag] : samples)
            s.append(QJsonArray{t, lag});
        QJsonObject o{{QStringLiteral("events"), events},
                      {QStringLiteral("paused_sink"), pausedSink},
                      {QStringLiteral("peak_lag"), peakLag},
                      {QStringLiteral("peak_at_s"), peakAtSec},
                      {QStringLiteral("released_at_s"), releasedAtSec},
                      {QStringLiteral("drain_rate_per_s"), drainRate()},
                      {QStringLiteral("lag_samples"), s}};
        if (drainSeconds)
            o[QStringLiteral("drain_s")] = *drainSeconds;
        return o;
    }
    [[nodiscard]] QString text() const {
        const QLocale en(QLocale::English);
        QString line = QStringLiteral("drain: %1 events, released at %2 s; peak lag %3 at %4 s")
                           .arg(en.toString(events))
                           .arg(releasedAtSec, 0, 'f', 1)
                           .arg(en.toString(peakLag))
                           .arg(peakAtSec, 0, 'f', 1);
        if (drainSeconds)
            return line + QStringLiteral("; drained in %1 s, at %2/s")
                              .arg(*drainSeconds, 0, 'f', 1)
                              .arg(en.toString(drainRate(), 'f', 0));
        return line + QStringLiteral("; not drained within --wait");
    }
};

// Samples the lag every 100 ms until it is 0, the wait is over, or Ctrl+C.
void followDrain(Context& c, const LagWatch& watch, const QElapsedTimer& clock, DrainResult& r,
                 double waitSec) {
    const double deadline = clock.elapsed() / 1000.0 + waitSec;
    const qint64 released = watch.observations();
    for (;;) {
        const double t = clock.elapsed() / 1000.0;
        const qint64 lag = watch.lag();
        if (watch.freshSince(released)) // an older observation may predate the burst's last events
            r.observe(t, lag);
        if (r.drainSeconds || t >= deadline || interrupted().load())
            break;
        c.console.progress(QStringLiteral("draining: lag %1 · %2 s since release")
                               .arg(QLocale(QLocale::English).toString(lag))
                               .arg(t - r.releasedAtSec, 0, 'f', 1));
        QThread::msleep(100);
    }
    c.console.endProgress();
}

} // namespace

int runDrain(Context& c) {
    auto count = intOption(c, QStringLiteral("count"), 20000, 1);
    auto wait = intOption(c, QStringLiteral("wait"), 300, 1);
    auto ceiling = rateOption(c, QStringLiteral("max-rows-per-sec"));
    auto plan = planFromArgs(c);
    if (!count || !wait || !ceiling || !plan)
        return kUsage;
    const bool pause = c.args.isSet(QStringLiteral("pause-sink"));
    const bool embedded = c.settings.kafka.isEmpty();
    if (!embedded && (pause || *ceiling > 0)) {
        c.console.error(
            QStringLiteral("--pause-sink and --max-rows-per-sec act on the embedded pipeline's sink; "
                           "with --kafka the sink is yours: the backlog is built by a burst faster "
                           "than it"));
        return kUsage;
    }
    pipeline::PipelineOptions options;
    options.maxRowsPerSec = *ceiling;
    int problem = kOk;
    auto session = RunSession::open(c, pipeline::RunTarget{}, problem, options);
    if (!session)
        return problem;
    if (pause && *count > session->embedded()->embeddedBacklogLimit()) {
        c.console.error(
            QStringLiteral("with --pause-sink the embedded cluster holds at most %1 events (it drops "
                           "the oldest past that); give --count %1 or less, or build the backlog "
                           "with --max-rows-per-sec instead")
                .arg(session->embedded()->embeddedBacklogLimit()));
        return kUsage;
    }
    if (auto* pipe = session->embedded(); pipe && !pause && !pipe->runLimitWarning(*count).isEmpty())
        c.console.info(u"warning: " + pipe->runLimitWarning(*count));
    auto watch = watchLag(c, *session, false, 200);
    DrainResult r;
    r.events = *count;
    r.pausedSink = pause;
    plan->profile = load::Profile::burst(*count);
    if (pause) {
        session->embedded()->sink()->setPaused(true);
        plan->holdBack = [] {
            return false;
        }; // the backlog is the point; it fits (checked above)
    }
    c.console.info(QStringLiteral("drain: %1 events as fast as possible%2, then released")
                       .arg(*count)
                       .arg(pause ? QStringLiteral(" with the sink paused") : QString()));
    QElapsedTimer clock;
    clock.start();
    auto report = session->run(*plan, [&](const load::RunProgress& p) {
        r.observe(clock.elapsed() / 1000.0, watch->lag());
        c.console.progress(progressLine(plan->profile, p) + QStringLiteral(" · lag %1").arg(watch->lag()));
    });
    c.console.endProgress();
    if (!report) {
        c.console.error(report.error().message);
        return exitFor(report.error());
    }
    if (pause) { // the monitor sees the whole backlog before it is released
        for (int i = 0; i < 6; ++i, QThread::msleep(100))
            r.observe(clock.elapsed() / 1000.0, watch->lag());
        session->embedded()->sink()->setPaused(false);
    }
    r.releasedAtSec = clock.elapsed() / 1000.0;
    followDrain(c, *watch, clock, r, static_cast<double>(*wait));
    session->closeTarget();
    session->verify(*report, std::chrono::seconds(30));
    QJsonObject drain = r.toJson();
    drain[QStringLiteral("run_id")] = report->manifest.runId;
    if (auto saved = report->save(c.settings.runsDir); !saved)
        c.console.error(saved.error().message);
    const QString path = QDir(c.settings.runsDir).filePath(u"drain-" + report->manifest.runId + u".json");
    if (QFile f(path);
        !f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(QJsonDocument(drain).toJson()) < 0)
        c.console.error(QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
    if (c.console.jsonMode()) {
        drain[QStringLiteral("verified")] =
            report->verification ? report->verification->toJson() : QJsonObject{};
        drain[QStringLiteral("ok")] = report->ok();
        c.console.json(drain);
    } else {
        c.console.line(r.text());
        c.console.line(report->text());
        c.console.line(QStringLiteral("  saved     %1").arg(path));
    }
    if (interrupted().load())
        return kInterrupted;
    return report->ok() && r.drainSeconds ? kOk : kFailed;
}

} // namespace loadlevel::cli
