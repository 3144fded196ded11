// capacity: the highest rate a target sustains (see load/capacity.h for what "sustains" means).
#include "commands.h"
#include "load/capacity.h"
#include "options.h"
#include "run_support.h"

#include <QJsonObject>

namespace loadlevel::cli {

namespace {

// The search's own options, checked.
std::optional<load::CapacityOptions> capacityOptionsFromArgs(Context& c) {
    auto start = doubleOption(c, QStringLiteral("start-rate"), 250);
    auto max = doubleOption(c, QStringLiteral("max-rate"), 1'000'000);
    auto hold = durationOption(c, QStringLiteral("hold"), 10);
    auto p99 = durationOption(c, QStringLiteral("p99"), 0.25);
    auto maxLag = durationOption(c, QStringLiteral("max-lag"), 5);
    if (!start || !max || !hold || !p99 || !maxLag)
        return std::nullopt;
    load::CapacityOptions o;
    o.startRate = *start;
    o.maxRate = *max;
    o.holdSeconds = *hold;
    o.p99BudgetMs = *p99 * 1000;
    o.maxLagSeconds = *maxLag;
    if (c.args.isSet(QStringLiteral("tolerance"))) {
        QString t = c.args.value(QStringLiteral("tolerance")).trimmed();
        const bool percent = t.endsWith(u'%');
        bool ok = false;
        const double v = (percent ? t.chopped(1) : t).toDouble(&ok) / (percent ? 100 : 1);
        if (!ok || v <= 0 || v >= 1) {
            c.console.error(QStringLiteral("--tolerance expects a fraction or a percentage between 0 and 1 "
                                           "(0.05, 5%), got '%1'")
                                .arg(t));
            return std::nullopt;
        }
        o.tolerance = v;
    }
    if (o.startRate < 1 || o.maxRate < o.startRate || o.holdSeconds < 5) {
        c.console.error(QStringLiteral(
            "capacity needs --start-rate ≥ 1, --max-rate ≥ --start-rate and "
            "--hold of at least 5s (the backlog's slope needs 3 whole seconds after the first)"));
        return std::nullopt;
    }
    return o;
}

} // namespace

int runCapacity(Context& c) {
    auto options = capacityOptionsFromArgs(c);
    auto plan = planFromArgs(c);
    auto ceiling = rateOption(c, QStringLiteral("max-rows-per-sec"));
    if (!options || !plan || !ceiling)
        return kUsage;
    int problem = kOk;
    auto choice = targetFromArgs(c, problem);
    if (!choice)
        return problem;
    pipeline::PipelineOptions embedded;
    embedded.maxRowsPerSec = *ceiling;
    if (*ceiling > 0 && (choice->http || !c.settings.kafka.isEmpty())) {
        c.console.error(QStringLiteral("--max-rows-per-sec sets the embedded pipeline's sink ceiling; with "
                                       "--kafka or an HTTP target the sink is yours (loadlevel-cli sink "
                                       "--max-rows-per-sec)"));
        return kUsage;
    }
    auto session = RunSession::open(c, *choice, problem, embedded);
    if (!session)
        return problem;
    auto watch = watchLag(c, *session, choice->http);
    c.console.info(
        QStringLiteral("capacity of %1: from %2/s, %3 s per step, p99 ≤ %4 ms%5")
            .arg(session->where(), rate(options->startRate))
            .arg(options->holdSeconds)
            .arg(options->p99BudgetMs)
            .arg(watch ? QStringLiteral(", lag of group %1 watched").arg(c.settings.group)
                       : QStringLiteral(" (no lag watched: give --group for the backlog criterion)")));
    load::CapacityRuns runs;
    runs.plan = *plan;
    runs.watch = watch.get();
    runs.cancel = &interrupted();
    runs.draining = [&](qint64 lag) {
        c.console.progress(QStringLiteral("draining the backlog: lag %1").arg(lag));
    };
    runs.run = [&](const load::RunPlan& p, const QString& phase, double r) -> Result<load::RunReport> {
        c.console.endProgress(); // the drain's line, if any
        auto report = session->run(p, [&](const load::RunProgress& progress) {
            c.console.progress(QStringLiteral("%1 %2/s: ").arg(phase, rate(r)) +
                               progressLine(p.profile, progress));
        });
        c.console.endProgress();
        if (report)
            if (auto saved = report->save(c.settings.runsDir); !saved)
                c.console.error(saved.error().message);
        return report;
    };
    auto result = load::searchCapacity(
        *options, load::capacitySteps(std::move(runs), *options),
        [&](const load::CapacityStep& s) {
            if (!c.console.jsonMode())
                c.console.line(u"  " + s.text());
        },
        &interrupted());
    if (!result) {
        c.console.error(result.error().message);
        return exitFor(result.error());
    }
    if (!c.console.jsonMode())
        c.console.line(result->text());
    const QString target = c.args.isSet(QStringLiteral("target")) ? c.args.value(QStringLiteral("target"))
                                                                  : QStringLiteral("kafka");
    if (auto saved = result->save(c.settings.runsDir, target, c.args.value(QStringLiteral("report"))); !saved)
        c.console.error(saved.error().message);
    else if (!c.console.jsonMode())
        for (const QString& path : *saved)
            c.console.line(QStringLiteral("  saved     %1").arg(path));
    if (c.console.jsonMode()) {
        QJsonObject o = result->toJson();
        o[QStringLiteral("target")] = target;
        c.console.json(o);
    }
    if (result->cancelled || interrupted().load())
        return kInterrupted;
    if (!result->rate && !result->steps.empty() && result->steps.front().rate <= options->startRate &&
        !result->steps.front().sustained) {
        c.console.error(QStringLiteral("the budget cannot be met even at --start-rate %1/s (%2): lower "
                                       "--start-rate or loosen --p99/--max-lag")
                            .arg(rate(options->startRate), result->steps.front().why));
        return kUsage;
    }
    return result->rate ? kOk : kFailed;
}

} // namespace loadlevel::cli
