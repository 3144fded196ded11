#include "load/capacity.h"

#include "metrics/lag_watch.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QStringList>
#include <cmath>
#include <thread>

namespace loadlevel::load {

namespace {

QString perSec(double v) {
    return QLocale(QLocale::English).toString(v, 'f', 0) + QStringLiteral("/s");
}

// Least-squares slope of y over x.
double slope(const std::vector<std::pair<double, double>>& points) {
    const double n = static_cast<double>(points.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const auto& [x, y] : points) {
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    const double d = n * sxx - sx * sx;
    return d > 0 ? (n * sxy - sx * sy) / d : 0;
}

} // namespace

QJsonObject CapacityStep::toJson() const {
    QJsonObject o{{QStringLiteral("phase"), phase},        {QStringLiteral("rate"), rate},
                  {QStringLiteral("run_id"), runId},       {QStringLiteral("accepted_per_s"), acceptedPerSec},
                  {QStringLiteral("p99_ms"), p99Ms},       {QStringLiteral("failed"), failed},
                  {QStringLiteral("sustained"), sustained}};
    if (lagWatched) {
        o[QStringLiteral("lag_slope_per_s")] = lagSlope;
        o[QStringLiteral("lag_end")] = lagEnd;
    }
    if (!why.isEmpty())
        o[QStringLiteral("why")] = why;
    return o;
}

QString CapacityStep::text() const {
    QString line = QStringLiteral("%1 %2: accepted %3, p99 %4 ms")
                       .arg(phase.leftJustified(7), perSec(rate).rightJustified(9), perSec(acceptedPerSec))
                       .arg(p99Ms, 0, 'f', 1);
    if (lagWatched)
        line += QStringLiteral(", lag slope %1/s, lag %2").arg(lagSlope, 0, 'f', 0).arg(lagEnd);
    return line +
           (sustained ? QStringLiteral(" → sustained") : QStringLiteral(" → not sustained (%1)").arg(why));
}

QJsonObject CapacityResult::toJson() const {
    QJsonArray s;
    for (const auto& step : steps)
        s.append(step.toJson());
    QJsonObject o{
        {QStringLiteral("options"), QJsonObject{{QStringLiteral("start_rate"), options.startRate},
                                                {QStringLiteral("max_rate"), options.maxRate},
                                                {QStringLiteral("tolerance"), options.tolerance},
                                                {QStringLiteral("hold_s"), options.holdSeconds},
                                                {QStringLiteral("p99_budget_ms"), options.p99BudgetMs},
                                                {QStringLiteral("max_lag_s"), options.maxLagSeconds},
                                                {QStringLiteral("slope_tolerance"), options.slopeTolerance}}},
        {QStringLiteral("steps"), s},
        {QStringLiteral("conclusion"), conclusion},
        {QStringLiteral("cancelled"), cancelled}};
    if (rate)
        o[QStringLiteral("rate")] = *rate;
    return o;
}

Result<QStringList> CapacityResult::save(const QString& runsDir, const QString& target,
                                         const QString& alsoTo) const {
    QJsonObject o = toJson();
    o[QStringLiteral("target")] = target;
    const QByteArray json = QJsonDocument(o).toJson();
    QStringList paths{QDir(runsDir).filePath(
        QStringLiteral("capacity-%1.json")
            .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"))))};
    if (!alsoTo.isEmpty())
        paths << alsoTo;
    for (const QString& path : paths) {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(json) < 0)
            return fail(Error::failed(QStringLiteral("cannot write %1: %2").arg(path, f.errorString())));
    }
    return paths;
}

QString CapacityResult::text() const {
    QStringList l;
    l << QStringLiteral("capacity: %1").arg(conclusion);
    l << QStringLiteral("  sustained means, for %1 s at a constant rate: no failures, the schedule kept, p99 "
                        "≤ %2 ms, lag growing ≤ %3 % of the rate and ≤ %4 s of it")
             .arg(options.holdSeconds)
             .arg(options.p99BudgetMs)
             .arg(options.slopeTolerance * 100)
             .arg(options.maxLagSeconds);
    for (const auto& s : steps)
        l << u"  " + s.text();
    return l.join(u'\n');
}

CapacityStep judgeStep(const RunReport& r, double rate, const CapacityOptions& o) {
    CapacityStep s;
    s.rate = rate;
    s.runId = r.manifest.runId;
    s.failed = r.failed;
    s.p99Ms = r.response.p99;
    s.acceptedPerSec = static_cast<double>(r.accepted) / std::max(o.holdSeconds, r.sendingSeconds);
    QStringList why;
    if (r.accepted < r.manifest.requested)
        why << QStringLiteral("%1 of %2 events not accepted")
                   .arg(r.manifest.requested - r.accepted)
                   .arg(r.manifest.requested);
    if (r.sendingSeconds > o.holdSeconds * 1.05 + 0.2)
        why << QStringLiteral("sending took %1 s of a %2 s schedule")
                   .arg(r.sendingSeconds, 0, 'f', 1)
                   .arg(o.holdSeconds);
    if (s.p99Ms > o.p99BudgetMs)
        why << QStringLiteral("p99 %1 ms over the budget").arg(s.p99Ms, 0, 'f', 1);
    std::vector<std::pair<double, double>> lag;
    for (const auto& row : r.timeline)
        if (row.lag >= 0 && row.t >= 1 && static_cast<double>(row.t) < o.holdSeconds)
            lag.emplace_back(static_cast<double>(row.t), static_cast<double>(row.lag));
    if (lag.size() >= 3) {
        s.lagWatched = true;
        s.lagSlope = slope(lag);
        s.lagEnd = static_cast<qint64>(lag.back().second);
        if (s.lagSlope > o.slopeTolerance * rate)
            why << QStringLiteral("backlog growing at %1/s").arg(s.lagSlope, 0, 'f', 0);
        if (static_cast<double>(s.lagEnd) > o.maxLagSeconds * rate)
            why << QStringLiteral("lag %1, over %2 s of the rate").arg(s.lagEnd).arg(o.maxLagSeconds);
    }
    s.sustained = why.isEmpty();
    s.why = why.join(QStringLiteral("; "));
    return s;
}

Result<CapacityResult> searchCapacity(const CapacityOptions& o, const CapacityStepFn& step,
                                      const std::function<void(const CapacityStep&)>& onStep,
                                      const std::atomic<bool>* cancel) {
    if (o.startRate < 1 || o.maxRate < o.startRate || o.tolerance <= 0 || o.holdSeconds < 5)
        return fail(Error::invalid(QStringLiteral(
            "a capacity search needs a start rate ≥ 1/s, a maximum at least that, a tolerance > 0 and a hold "
            "of at least 5 s (the backlog's slope needs 3 whole seconds after the first)")));
    CapacityResult res;
    res.options = o;
    auto tryRate = [&](double rate, const QString& phase) -> Result<bool> {
        auto s = step(std::max(1.0, std::round(rate)), phase);
        if (!s)
            return fail(s.error());
        s->phase = phase;
        res.steps.push_back(*s);
        if (onStep)
            onStep(*s);
        return s->sustained;
    };
    auto stopped = [&] {
        res.cancelled = res.cancelled || (cancel && cancel->load());
        return res.cancelled || static_cast<int>(res.steps.size()) >= o.maxSteps;
    };
    double good = 0, bad = 0;
    for (double rate = o.startRate; !stopped();) {
        auto ok = tryRate(rate, QStringLiteral("bracket"));
        if (!ok)
            return fail(ok.error());
        if (!*ok) {
            bad = res.steps.back().rate;
            break;
        }
        good = res.steps.back().rate;
        if (rate >= o.maxRate)
            break;
        rate = std::min(rate * 2, o.maxRate);
    }
    if (good == 0) {
        res.conclusion = res.steps.empty() ? QStringLiteral("cancelled before the first step")
                                           : QStringLiteral("not even the start rate %1 is sustained: %2")
                                                 .arg(perSec(o.startRate), res.steps.back().why);
        return res;
    }
    while (bad > 0 && (bad - good) / good > o.tolerance && !stopped()) {
        auto ok = tryRate((good + bad) / 2, QStringLiteral("search"));
        if (!ok)
            return fail(ok.error());
        (*ok ? good : bad) = res.steps.back().rate;
    }
    // Confirm; a rate that does not hold again is lowered by the tolerance, at most twice.
    for (int i = 0; i < 3 && !stopped(); ++i) {
        auto ok = tryRate(good, QStringLiteral("confirm"));
        if (!ok)
            return fail(ok.error());
        if (*ok) {
            res.rate = good;
            break;
        }
        bad = good;
        good = std::max(1.0, std::round(good * (1 - o.tolerance)));
    }
    if (res.rate)
        res.conclusion =
            bad > 0 ? QStringLiteral("sustains %1 (not %2), confirmed").arg(perSec(*res.rate), perSec(bad))
                    : QStringLiteral("sustains %1, the --max-rate searched to").arg(perSec(*res.rate));
    else
        res.conclusion = res.cancelled
                             ? QStringLiteral("cancelled; the last rate sustained was %1").arg(perSec(good))
                             : QStringLiteral("no rate held when confirmed (the target's capacity varies "
                                              "from run to run); the last sustained was %1")
                                   .arg(perSec(good));
    return res;
}

namespace {

// Until the backlog the last step left is down to a little (see CapacityRuns).
void awaitDrained(const CapacityRuns& runs, double rate) {
    if (!runs.watch) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        return;
    }
    const qint64 settled = std::max<qint64>(100, static_cast<qint64>(rate * 0.2));
    const qint64 stepEnded = runs.watch->observations();
    for (int i = 0; i < 600 && !(runs.cancel && runs.cancel->load()); ++i) {
        const qint64 lag = runs.watch->lag();
        if (runs.watch->freshSince(stepEnded) && lag >= 0 && lag <= settled)
            return;
        if (runs.draining)
            runs.draining(lag);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

} // namespace

CapacityStepFn capacitySteps(CapacityRuns runs, const CapacityOptions& options) {
    return [runs = std::move(runs), options,
            previous = 0.0](double rate, const QString& phase) mutable -> Result<CapacityStep> {
        if (previous > 0)
            awaitDrained(runs, previous);
        previous = rate;
        RunPlan p = runs.plan;
        p.profile = Profile::constant(rate, options.holdSeconds);
        p.generator.seed = runs.plan.generator.seed + static_cast<quint64>(rate);
        if (const metrics::LagWatch* watch = runs.watch)
            p.lag = [watch] {
                return watch->lag();
            };
        auto report = runs.run(p, phase, rate);
        if (!report)
            return fail(report.error());
        return judgeStep(*report, rate, options);
    };
}

} // namespace loadlevel::load
