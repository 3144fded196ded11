#include "load/profile.h"

#include <QJsonArray>
#include <QLocale>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>

namespace loadlevel::load {

namespace {

// Generous bounds that catch typos (a rate of 1e12) without limiting real tests.
constexpr double kMaxRate = 10'000'000;
constexpr double kMaxSeconds = 7 * 24 * 3600;
constexpr qint64 kMaxEvents = 10'000'000'000LL;

QString number(double v) {
    return QLocale(QLocale::English).toString(v, 'f', v == std::floor(v) ? 0 : 1);
}

QString secondsText(double s) {
    if (s >= 120 && std::fmod(s, 60) == 0)
        return QStringLiteral("%1 min").arg(number(s / 60));
    return QStringLiteral("%1 s").arg(number(s));
}

std::optional<Error> checkRate(double r, const QString& field, bool zeroOk) {
    if (!std::isfinite(r) || r < 0 || (!zeroOk && r == 0) || r > kMaxRate)
        return Error::invalid(QStringLiteral("%1 must be %2 and at most %3 events per second (got %4)")
                                  .arg(field, zeroOk ? QStringLiteral(">= 0") : QStringLiteral("> 0"),
                                       number(kMaxRate), QString::number(r)));
    return std::nullopt;
}

std::optional<Error> checkSeconds(double s, const QString& field) {
    if (!std::isfinite(s) || s <= 0 || s > kMaxSeconds)
        return Error::invalid(
            QStringLiteral("%1 must be > 0 and at most 7 days (got %2 s)").arg(field, QString::number(s)));
    return std::nullopt;
}

// The segments of a paced profile: (length, rate at start, rate at end).
struct Piece {
    double length;
    double from;
    double to;
};

std::vector<Piece> piecesOf(const Profile& p) {
    using K = Profile::Kind;
    switch (p.kind) {
    case K::Single:
    case K::Burst:
        return {};
    case K::Constant:
        return {{p.seconds, p.rate, p.rate}};
    case K::Ramp:
        return {{p.seconds, p.fromRate, p.toRate}};
    case K::Steps: {
        std::vector<Piece> out;
        for (const auto& s : p.steps)
            out.push_back({s.seconds, s.rate, s.rate});
        return out;
    }
    case K::Spike: {
        std::vector<Piece> out;
        if (p.peakAt > 0)
            out.push_back({p.peakAt, p.rate, p.rate});
        out.push_back({p.peakFor, p.peakRate, p.peakRate});
        if (const double rest = p.seconds - p.peakAt - p.peakFor; rest > 0)
            out.push_back({rest, p.rate, p.rate});
        return out;
    }
    }
    return {};
}

} // namespace

Profile Profile::single() {
    Profile p;
    p.kind = Kind::Single;
    p.count = 1;
    return p;
}

Profile Profile::burst(qint64 n) {
    Profile p;
    p.kind = Kind::Burst;
    p.count = n;
    return p;
}

Profile Profile::constant(double rate, double seconds) {
    Profile p;
    p.kind = Kind::Constant;
    p.rate = rate;
    p.seconds = seconds;
    return p;
}

Profile Profile::ramp(double from, double to, double seconds) {
    Profile p;
    p.kind = Kind::Ramp;
    p.fromRate = from;
    p.toRate = to;
    p.seconds = seconds;
    return p;
}

Profile Profile::stepped(std::vector<Step> steps) {
    Profile p;
    p.kind = Kind::Steps;
    p.steps = std::move(steps);
    return p;
}

Profile Profile::spike(double base, double peak, double at, double peakFor, double seconds) {
    Profile p;
    p.kind = Kind::Spike;
    p.rate = base;
    p.peakRate = peak;
    p.peakAt = at;
    p.peakFor = peakFor;
    p.seconds = seconds;
    return p;
}

std::optional<Error> Profile::check() const {
    switch (kind) {
    case Kind::Single:
        return std::nullopt;
    case Kind::Burst:
        if (count < 1 || count > kMaxEvents)
            return Error::invalid(
                QStringLiteral("count must be between 1 and 10,000,000,000 (got %1)").arg(count));
        return std::nullopt;
    case Kind::Constant:
        if (auto e = checkRate(rate, QStringLiteral("rate"), false))
            return e;
        if (auto e = checkSeconds(seconds, QStringLiteral("duration")))
            return e;
        break;
    case Kind::Ramp:
        if (auto e = checkRate(fromRate, QStringLiteral("from (the starting rate)"), true))
            return e;
        if (auto e = checkRate(toRate, QStringLiteral("to (the final rate)"), true))
            return e;
        if (fromRate == 0 && toRate == 0)
            return Error::invalid(QStringLiteral("a ramp from 0 to 0 sends nothing"));
        if (auto e = checkSeconds(seconds, QStringLiteral("duration")))
            return e;
        break;
    case Kind::Steps: {
        if (steps.empty())
            return Error::invalid(QStringLiteral("steps needs at least one rate:duration pair"));
        for (size_t i = 0; i < steps.size(); ++i) {
            if (auto e = checkRate(steps[i].rate, QStringLiteral("step %1's rate").arg(i + 1), true))
                return e;
            if (auto e = checkSeconds(steps[i].seconds, QStringLiteral("step %1's duration").arg(i + 1)))
                return e;
        }
        if (durationSeconds() > kMaxSeconds)
            return Error::invalid(QStringLiteral("the steps last longer than 7 days"));
        break;
    }
    case Kind::Spike:
        if (auto e = checkRate(rate, QStringLiteral("rate (the base rate)"), true))
            return e;
        if (auto e = checkRate(peakRate, QStringLiteral("peak rate"), false))
            return e;
        if (auto e = checkSeconds(seconds, QStringLiteral("duration")))
            return e;
        if (auto e = checkSeconds(peakFor, QStringLiteral("spike length")))
            return e;
        if (!(peakAt >= 0) || peakAt + peakFor > seconds)
            return Error::invalid(
                QStringLiteral("the spike (from %1 for %2) must lie within the duration (%3)")
                    .arg(secondsText(peakAt), secondsText(peakFor), secondsText(seconds)));
        break;
    }
    if (totalEvents() < 1)
        return Error::invalid(QStringLiteral("this profile sends no event; raise the rate or the duration"));
    if (totalEvents() > kMaxEvents)
        return Error::invalid(QStringLiteral("this profile would send more than 10,000,000,000 events"));
    return std::nullopt;
}

qint64 Profile::totalEvents() const {
    if (kind == Kind::Single)
        return 1;
    if (kind == Kind::Burst)
        return count;
    double sum = 0;
    for (const auto& p : piecesOf(*this))
        sum += (p.from + p.to) / 2 * p.length;
    // A hair of tolerance: 2000/s for 10 s is 20,000 events even if the sum comes out 19,999.9999.
    return static_cast<qint64>(std::floor(sum + 1e-6));
}

double Profile::durationSeconds() const {
    double sum = 0;
    for (const auto& p : piecesOf(*this))
        sum += p.length;
    return sum;
}

double Profile::rateAt(double t) const {
    double start = 0;
    for (const auto& p : piecesOf(*this)) {
        if (t >= start && t < start + p.length)
            return p.from + (p.to - p.from) * (t - start) / p.length;
        start += p.length;
    }
    return 0;
}

QString Profile::describe() const {
    switch (kind) {
    case Kind::Single:
        return QStringLiteral("single rating");
    case Kind::Burst:
        return QStringLiteral("burst of %1").arg(number(static_cast<double>(count)));
    case Kind::Constant:
        return QStringLiteral("constant %1/s for %2").arg(number(rate), secondsText(seconds));
    case Kind::Ramp:
        return QStringLiteral("ramp %1 → %2/s over %3")
            .arg(number(fromRate), number(toRate), secondsText(seconds));
    case Kind::Steps: {
        QStringList parts;
        for (const auto& s : steps)
            parts << QStringLiteral("%1/s for %2").arg(number(s.rate), secondsText(s.seconds));
        return u"steps " + parts.join(QStringLiteral(", "));
    }
    case Kind::Spike:
        return QStringLiteral("spike: %1/s for %2, %3/s from %4 for %5")
            .arg(number(rate), secondsText(seconds), number(peakRate), secondsText(peakAt),
                 secondsText(peakFor));
    }
    return {};
}

QString Profile::kindName(Kind k) {
    switch (k) {
    case Kind::Single:
        return QStringLiteral("single");
    case Kind::Burst:
        return QStringLiteral("burst");
    case Kind::Constant:
        return QStringLiteral("constant");
    case Kind::Ramp:
        return QStringLiteral("ramp");
    case Kind::Steps:
        return QStringLiteral("steps");
    case Kind::Spike:
        return QStringLiteral("spike");
    }
    return {};
}

std::optional<Profile::Kind> Profile::kindFromName(const QString& name) {
    for (Kind k : {Kind::Single, Kind::Burst, Kind::Constant, Kind::Ramp, Kind::Steps, Kind::Spike})
        if (kindName(k) == name)
            return k;
    return std::nullopt;
}

QJsonObject Profile::toJson() const {
    QJsonObject o{{QStringLiteral("kind"), kindName(kind)}, {QStringLiteral("events"), totalEvents()}};
    switch (kind) {
    case Kind::Single:
        break;
    case Kind::Burst:
        o[QStringLiteral("count")] = count;
        break;
    case Kind::Constant:
        o[QStringLiteral("rate")] = rate;
        o[QStringLiteral("duration_s")] = seconds;
        break;
    case Kind::Ramp:
        o[QStringLiteral("from")] = fromRate;
        o[QStringLiteral("to")] = toRate;
        o[QStringLiteral("duration_s")] = seconds;
        break;
    case Kind::Steps: {
        QJsonArray a;
        for (const auto& s : steps)
            a.append(
                QJsonObject{{QStringLiteral("rate"), s.rate}, {QStringLiteral("duration_s"), s.seconds}});
        o[QStringLiteral("steps")] = a;
        break;
    }
    case Kind::Spike:
        o[QStringLiteral("rate")] = rate;
        o[QStringLiteral("duration_s")] = seconds;
        o[QStringLiteral("peak_rate")] = peakRate;
        o[QStringLiteral("peak_at_s")] = peakAt;
        o[QStringLiteral("peak_for_s")] = peakFor;
        break;
    }
    return o;
}

Result<Profile> Profile::fromJson(const QJsonObject& o) {
    const auto kind = kindFromName(o.value(u"kind").toString());
    if (!kind)
        return fail(Error::invalid(QStringLiteral("unknown profile kind '%1' (single, burst, constant, ramp, "
                                                  "steps, spike)")
                                       .arg(o.value(u"kind").toString())));
    Profile p;
    p.kind = *kind;
    p.count = o.value(u"count").toInteger(kind == Kind::Single ? 1 : 0);
    p.rate = o.value(u"rate").toDouble();
    p.fromRate = o.value(u"from").toDouble();
    p.toRate = o.value(u"to").toDouble();
    p.seconds = o.value(u"duration_s").toDouble();
    for (const auto& v : o.value(u"steps").toArray())
        p.steps.push_back({v[u"rate"].toDouble(), v[u"duration_s"].toDouble()});
    p.peakRate = o.value(u"peak_rate").toDouble();
    p.peakAt = o.value(u"peak_at_s").toDouble();
    p.peakFor = o.value(u"peak_for_s").toDouble();
    if (auto e = p.check())
        return fail(*e);
    return p;
}

Result<double> parseSeconds(const QString& text) {
    static const QRegularExpression part(QStringLiteral(R"((\d+(?:\.\d+)?)(ms|s|m|h)?)"));
    const QString t = text.trimmed();
    if (t.isEmpty())
        return fail(Error::invalid(QStringLiteral("a duration is empty (write e.g. 60s, 2m, 1500ms)")));
    double total = 0;
    qsizetype at = 0;
    while (at < t.size()) {
        const auto m =
            part.match(t, at, QRegularExpression::NormalMatch, QRegularExpression::AnchorAtOffsetMatchOption);
        if (!m.hasMatch() || m.capturedLength() == 0)
            return fail(Error::invalid(
                QStringLiteral("'%1' is not a duration (write e.g. 60s, 2m, 1m30s, 1500ms)").arg(text)));
        const double v = m.captured(1).toDouble();
        const QStringView unit = m.capturedView(2);
        total += unit == u"ms" ? v / 1000 : unit == u"m" ? v * 60 : unit == u"h" ? v * 3600 : v;
        at += m.capturedLength();
    }
    return total;
}

Result<std::vector<Profile::Step>> parseSteps(const QString& text) {
    std::vector<Profile::Step> out;
    for (const QString& item : text.split(u',', Qt::SkipEmptyParts)) {
        const auto parts = item.split(u':');
        bool ok = false;
        const double rate = parts.value(0).trimmed().toDouble(&ok);
        if (parts.size() != 2 || !ok)
            return fail(Error::invalid(
                QStringLiteral("'%1' is not a step; write rate:duration, e.g. 500:10s").arg(item.trimmed())));
        auto seconds = parseSeconds(parts[1]);
        if (!seconds)
            return fail(seconds.error());
        out.push_back({rate, *seconds});
    }
    if (out.empty())
        return fail(Error::invalid(QStringLiteral("steps needs at least one rate:duration pair")));
    return out;
}

Schedule::Schedule(const Profile& profile)
    : m_total(profile.totalEvents()) {
    double start = 0;
    double before = 0;
    for (const auto& p : piecesOf(profile)) {
        m_segments.push_back({start, p.length, p.from, p.to, before});
        start += p.length;
        before += (p.from + p.to) / 2 * p.length;
    }
}

double Schedule::dueSeconds(qint64 i) {
    if (m_segments.empty())
        return 0;
    const double n = static_cast<double>(i);
    // Move to the segment whose integral covers event i (i only grows).
    while (m_cursor + 1 < m_segments.size() && n >= m_segments[m_cursor + 1].before - 1e-9)
        ++m_cursor;
    const Segment& s = m_segments[m_cursor];
    const double k = n - s.before; // events into this segment
    const double a = s.from;
    const double slope = (s.to - s.from) / s.length; // rate change per second
    double t = 0;
    if (std::abs(slope) < 1e-12) {
        t = a > 0 ? k / a : 0;
    } else {
        // a·t + slope·t²/2 = k  →  t = (−a + √(a² + 2·slope·k)) / slope
        const double disc = std::max(0.0, a * a + 2 * slope * k);
        t = (-a + std::sqrt(disc)) / slope;
    }
    return s.start + std::clamp(t, 0.0, s.length);
}

} // namespace loadlevel::load
