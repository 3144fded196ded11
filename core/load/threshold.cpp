#include "load/threshold.h"

#include "load/report.h"

#include <QRegularExpression>
#include <QXmlStreamWriter>
#include <cmath>

namespace loadlevel::load {

namespace {

enum class Kind { Latency, Count, Rate, Ratio };

const QStringList kStages = {QStringLiteral("response"), QStringLiteral("service"),
                             QStringLiteral("persist")};
const QStringList kPercentiles = {QStringLiteral("p50"),  QStringLiteral("p90"), QStringLiteral("p99"),
                                  QStringLiteral("p999"), QStringLiteral("max"), QStringLiteral("mean")};
const QStringList kCounts = {
    QStringLiteral("requested"), QStringLiteral("sent"),    QStringLiteral("accepted"),
    QStringLiteral("failed"),    QStringLiteral("late"),    QStringLiteral("unacked"),
    QStringLiteral("persisted"), QStringLiteral("missing"), QStringLiteral("duplicates")};
const QStringList kRated = {QStringLiteral("accepted"), QStringLiteral("sent"), QStringLiteral("failed")};
const QStringList kRatios = {QStringLiteral("failed"), QStringLiteral("late"), QStringLiteral("unacked"),
                             QStringLiteral("missing"), QStringLiteral("duplicates")};

// Every name a threshold accepts, canonical.
QStringList allNames() {
    QStringList names;
    for (const auto& p : kPercentiles)
        for (const auto& s : kStages)
            names << QStringLiteral("%1(%2)").arg(p, s);
    names << kCounts;
    for (const auto& r : kRated)
        names << QStringLiteral("rate(%1)").arg(r);
    for (const auto& r : kRatios)
        names << QStringLiteral("ratio(%1)").arg(r);
    return names;
}

Kind kindOf(const QString& metric) {
    if (metric.startsWith(u"rate("))
        return Kind::Rate;
    if (metric.startsWith(u"ratio("))
        return Kind::Ratio;
    if (metric.contains(u'('))
        return Kind::Latency;
    return Kind::Count;
}

int distance(const QString& a, const QString& b) {
    std::vector<int> row(static_cast<size_t>(b.size()) + 1);
    for (size_t j = 0; j < row.size(); ++j)
        row[j] = static_cast<int>(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = static_cast<int>(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int up = row[static_cast<size_t>(j)];
            row[static_cast<size_t>(j)] = std::min(
                {up + 1, row[static_cast<size_t>(j - 1)] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row.back();
}

// The value with its unit, in the metric's unit; nullopt and a reason when they do not fit.
std::optional<double> limitIn(Kind kind, double value, const QString& unit, QString& problem) {
    const QString u = unit.trimmed();
    switch (kind) {
    case Kind::Latency:
        if (u.isEmpty() || u == u"ms")
            return value;
        if (u == u"s")
            return value * 1000;
        if (u == u"us" || u == u"µs")
            return value / 1000;
        problem = QStringLiteral("a latency takes ms, s or us");
        return std::nullopt;
    case Kind::Rate:
        if (u.isEmpty() || u == u"/s")
            return value;
        problem = QStringLiteral("a rate takes /s (events per second)");
        return std::nullopt;
    case Kind::Ratio:
        if (u.isEmpty())
            return value;
        if (u == u"%")
            return value / 100;
        problem = QStringLiteral("a ratio is a fraction (0.01) or a percentage (1%)");
        return std::nullopt;
    case Kind::Count:
        if (u.isEmpty())
            return value;
        problem = QStringLiteral("a count takes no unit");
        return std::nullopt;
    }
    return std::nullopt;
}

QString unitOf(Kind kind) {
    switch (kind) {
    case Kind::Latency:
        return QStringLiteral(" ms");
    case Kind::Rate:
        return QStringLiteral("/s");
    default:
        return {};
    }
}

std::optional<double> stageFigure(const StageLatency& s, const QString& p) {
    if (s.count == 0)
        return std::nullopt;
    if (p == u"p50")
        return s.p50;
    if (p == u"p90")
        return s.p90;
    if (p == u"p99")
        return s.p99;
    if (p == u"p999")
        return s.p999;
    if (p == u"max")
        return s.max;
    return s.mean;
}

// A count of the report by name; nullopt with a reason when the run did not measure it.
std::optional<double> countOf(const QString& name, const RunReport& r, QString& note) {
    if (name == u"requested")
        return static_cast<double>(r.manifest.requested);
    if (name == u"sent")
        return static_cast<double>(r.manifest.sent);
    if (name == u"accepted")
        return static_cast<double>(r.accepted);
    if (name == u"failed")
        return static_cast<double>(r.failed);
    if (name == u"late")
        return static_cast<double>(r.late);
    if (name == u"unacked")
        return static_cast<double>(r.manifest.unacked.size());
    if (!r.verification) {
        note = QStringLiteral("not measured: the run was not verified against the database%1")
                   .arg(r.verificationNote.isEmpty() ? QString()
                                                     : QStringLiteral(" (%1)").arg(r.verificationNote));
        return std::nullopt;
    }
    if (name == u"persisted")
        return static_cast<double>(r.verification->persisted);
    if (name == u"missing")
        return static_cast<double>(r.verification->missing);
    return static_cast<double>(r.verification->duplicates);
}

std::optional<double> measure(const QString& metric, const RunReport& r, QString& note) {
    const auto open = metric.indexOf(u'(');
    if (open < 0)
        return countOf(metric, r, note);
    const QString fn = metric.left(open);
    const QString arg = metric.mid(open + 1, metric.size() - open - 2);
    if (fn == u"rate" || fn == u"ratio") {
        const auto n = countOf(arg, r, note);
        const double base = fn == u"rate" ? r.durationSeconds() : static_cast<double>(r.manifest.requested);
        if (!n)
            return std::nullopt;
        if (base <= 0) {
            note = QStringLiteral("not measured: the run has no duration");
            return std::nullopt;
        }
        return *n / base;
    }
    const StageLatency* stage = arg == u"response" ? &r.response : arg == u"service" ? &r.service : nullptr;
    if (arg == u"persist") {
        if (!r.persist) {
            note = QStringLiteral("not measured: persist latency comes from a verified run's rows");
            return std::nullopt;
        }
        stage = &*r.persist;
    }
    auto v = stage ? stageFigure(*stage, fn) : std::nullopt;
    if (!v && note.isEmpty())
        note = QStringLiteral("not measured: no event completed");
    return v;
}

// A measured value as people read it: latencies to 0.1 ms, rates and counts whole, ratios as they are.
QString number(double v, Kind kind) {
    switch (kind) {
    case Kind::Latency:
        return QString::number(v, 'f', v < 1 ? 3 : 1);
    case Kind::Ratio:
        return QString::number(v, 'g', 4);
    default:
        return QString::number(v, 'f', 0);
    }
}

} // namespace

QStringList thresholdMetrics() {
    return {
        QStringLiteral("p50|p90|p99|p999|max|mean(response|service|persist) — latency in ms (a limit may "
                       "say ms, s or us): response = due → answer (for Kafka: send→ack), service = sent → "
                       "answer, persist = event time → row (send→persisted, read from the database; "
                       "verified runs)"),
        QStringLiteral("requested, sent, accepted, failed, late, unacked — events counted by the run"),
        QStringLiteral("persisted, missing, duplicates — rows found by the verification"),
        QStringLiteral("rate(accepted|sent|failed) — events per second of the run (a limit may say /s)"),
        QStringLiteral("ratio(failed|late|unacked|missing|duplicates) — a fraction of the requested events "
                       "(a limit may say %)"),
    };
}

Result<Threshold> Threshold::parse(const QString& expression) {
    static const QRegularExpression grammar(QStringLiteral(
        R"(^\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*\(\s*[A-Za-z_][A-Za-z0-9_]*\s*\))?)\s*(<=|>=|==|!=|<|>)\s*)"
        R"(([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(ms|s|us|µs|/s|%)?\s*$)"));
    const auto m = grammar.match(expression);
    const QString form = QStringLiteral("write METRIC OP VALUE, e.g. 'p99(persist) < 250ms', 'missing == 0', "
                                        "'rate(accepted) >= 950/s'");
    if (!m.hasMatch())
        return fail(
            Error::invalid(QStringLiteral("threshold '%1' cannot be read: %2").arg(expression, form)));
    Threshold t;
    t.expression = expression.trimmed();
    t.metric = m.captured(1).remove(u' ').toLower();
    t.op = m.captured(2);
    const QStringList names = allNames();
    if (!names.contains(t.metric)) {
        QString nearest;
        int best = 4;
        for (const auto& n : names)
            if (const int d = distance(t.metric, n); d < best)
                best = d, nearest = n;
        // The pipeline's own measures (README, "Latency measures") have their run report names.
        static const std::pair<QString, QString> kRenamed[] = {
            {QStringLiteral("send_to_ack"), QStringLiteral("response")},
            {QStringLiteral("send_to_persisted"), QStringLiteral("persist")}};
        for (const auto& [live, inReport] : kRenamed)
            if (t.metric.contains(live))
                nearest = QString(t.metric).replace(live, inReport);
        return fail(Error::invalid(
            QStringLiteral("threshold '%1': unknown metric \"%2\"%3. A threshold names one of:\n  %4")
                .arg(t.expression, t.metric,
                     nearest.isEmpty() ? QString() : QStringLiteral(" (did you mean %1?)").arg(nearest),
                     thresholdMetrics().join(QStringLiteral("\n  ")))));
    }
    QString problem;
    const auto limit = limitIn(kindOf(t.metric), m.captured(3).toDouble(), m.captured(4), problem);
    if (!limit)
        return fail(Error::invalid(QStringLiteral("threshold '%1': %2").arg(t.expression, problem)));
    t.limit = *limit;
    return t;
}

bool Threshold::holds(double v) const {
    if (op == u"<")
        return v < limit;
    if (op == u"<=")
        return v <= limit;
    if (op == u">")
        return v > limit;
    if (op == u">=")
        return v >= limit;
    if (op == u"==")
        return v == limit;
    return v != limit;
}

QJsonObject ThresholdResult::toJson() const {
    QJsonObject o{{QStringLiteral("expression"), threshold.expression},
                  {QStringLiteral("metric"), threshold.metric},
                  {QStringLiteral("op"), threshold.op},
                  {QStringLiteral("limit"), threshold.limit},
                  {QStringLiteral("passed"), passed}};
    if (measured)
        o[QStringLiteral("measured")] = *measured;
    if (!note.isEmpty())
        o[QStringLiteral("note")] = note;
    return o;
}

ThresholdResult ThresholdResult::fromJson(const QJsonObject& o) {
    ThresholdResult r;
    r.threshold.expression = o.value(u"expression").toString();
    r.threshold.metric = o.value(u"metric").toString();
    r.threshold.op = o.value(u"op").toString();
    r.threshold.limit = o.value(u"limit").toDouble();
    r.passed = o.value(u"passed").toBool();
    if (o.contains(u"measured"))
        r.measured = o.value(u"measured").toDouble();
    r.note = o.value(u"note").toString();
    return r;
}

QString ThresholdResult::text() const {
    const Kind kind = kindOf(threshold.metric);
    const QString value = measured ? number(*measured, kind) + unitOf(kind) : note;
    return QStringLiteral("%1: %2, %3")
        .arg(threshold.expression, value, passed ? QStringLiteral("passed") : QStringLiteral("FAILED"));
}

std::vector<ThresholdResult> evaluate(const std::vector<Threshold>& thresholds, const RunReport& report) {
    std::vector<ThresholdResult> out;
    for (const auto& t : thresholds) {
        ThresholdResult r{t, std::nullopt, false, {}};
        r.measured = measure(t.metric, report, r.note);
        r.passed = r.measured && t.holds(*r.measured);
        out.push_back(r);
    }
    return out;
}

QByteArray junitXml(const RunReport& report) {
    QByteArray xml;
    QXmlStreamWriter w(&xml);
    w.setAutoFormatting(true);
    w.writeStartDocument();
    qint64 failures = report.ok() ? 0 : 1;
    for (const auto& t : report.thresholds)
        failures += t.passed ? 0 : 1;
    const QString tests = QString::number(static_cast<qint64>(report.thresholds.size()) + 1);
    const QString time = QString::number(report.durationSeconds(), 'f', 3);
    const QString suite = QStringLiteral("loadlevel run %1").arg(report.manifest.runId);
    w.writeStartElement(QStringLiteral("testsuites"));
    w.writeAttribute(QStringLiteral("name"), QStringLiteral("loadlevel"));
    w.writeAttribute(QStringLiteral("tests"), tests);
    w.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    w.writeAttribute(QStringLiteral("time"), time);
    w.writeStartElement(QStringLiteral("testsuite"));
    w.writeAttribute(QStringLiteral("name"), suite);
    w.writeAttribute(QStringLiteral("tests"), tests);
    w.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    w.writeAttribute(QStringLiteral("errors"), QStringLiteral("0"));
    w.writeAttribute(QStringLiteral("time"), time);
    w.writeAttribute(QStringLiteral("timestamp"), report.manifest.startedAt.toString(Qt::ISODate));
    auto testCase = [&](const QString& name, bool passed, const QString& message, const QString& detail) {
        w.writeStartElement(QStringLiteral("testcase"));
        w.writeAttribute(QStringLiteral("classname"), suite);
        w.writeAttribute(QStringLiteral("name"), name);
        if (!passed) {
            w.writeStartElement(QStringLiteral("failure"));
            w.writeAttribute(QStringLiteral("message"), message);
            w.writeCharacters(detail);
            w.writeEndElement();
        }
        w.writeTextElement(QStringLiteral("system-out"), detail);
        w.writeEndElement();
    };
    const QString problem = report.manifest.error.isEmpty()
                                ? (report.verification && !report.verification->ok()
                                       ? QStringLiteral("events missing or duplicated")
                                       : QStringLiteral("not every event was accepted"))
                                : report.manifest.error;
    testCase(QStringLiteral("verification"), report.ok(), problem, report.text());
    for (const auto& t : report.thresholds)
        testCase(QStringLiteral("threshold: %1").arg(t.threshold.expression), t.passed, t.text(), t.text());
    w.writeEndElement();
    w.writeEndElement();
    w.writeEndDocument();
    return xml;
}

} // namespace loadlevel::load
