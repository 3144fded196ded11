#include "load/body_template.h"

#include "event/codec.h"

#include <algorithm>
#include <charconv>

namespace loadlevel::load {

namespace {
void appendNumber(QByteArray& out, qint64 v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr - buf);
}
} // namespace

QString BodyTemplate::plainDefault() {
    return QStringLiteral(R"({"user_id":{{user_id}},"movie_id":{{movie_id}},"rating":{{rating}}})");
}

QString BodyTemplate::loadlevelDefault() {
    return QStringLiteral(R"({"user_id":{{user_id}},"movie_id":{{movie_id}},"rating":{{rating}},)"
                          R"("event_id":"{{event_id}}","run_id":"{{run_id}}","run_seq":{{run_seq}}})");
}

Result<BodyTemplate> BodyTemplate::compile(const QString& text) {
    // Every "{{" opens a placeholder: one that is unclosed or names nothing known is refused, so
    // that a typo is never sent literally. ("}}" alone is just text: nested JSON objects end so.)
    static const QList<std::pair<QString, Field>> kFields = {
        {QStringLiteral("user_id"), Field::UserId},       {QStringLiteral("movie_id"), Field::MovieId},
        {QStringLiteral("rating"), Field::Rating},        {QStringLiteral("event_id"), Field::EventId},
        {QStringLiteral("event_time"), Field::EventTime}, {QStringLiteral("run_id"), Field::RunId},
        {QStringLiteral("run_seq"), Field::RunSeq},       {QStringLiteral("source"), Field::Source}};
    static const QString kKnown =
        QStringLiteral("known: user_id, movie_id, rating, event_id, event_time, run_id, run_seq, source");
    BodyTemplate t;
    t.m_text = text;
    bool runId = false;
    bool runSeq = false;
    qsizetype at = 0;
    for (qsizetype open = text.indexOf(u"{{"); open >= 0; open = text.indexOf(u"{{", at)) {
        const qsizetype close = text.indexOf(u"}}", open + 2);
        if (close < 0)
            return fail(Error::invalid(
                QStringLiteral("unclosed placeholder at character %1 of the body template: '%2' (a "
                               "placeholder is {{name}}; %3)")
                    .arg(open + 1)
                    .arg(text.mid(open, 24), kKnown)));
        if (open > at)
            t.m_parts.push_back({Field::Literal, text.mid(at, open - at).toUtf8()});
        const QString name = text.mid(open + 2, close - open - 2).trimmed();
        const auto known =
            std::find_if(kFields.begin(), kFields.end(), [&](const auto& f) { return f.first == name; });
        if (known == kFields.end()) {
            const auto folded = std::find_if(kFields.begin(), kFields.end(), [&](const auto& f) {
                return f.first.compare(name, Qt::CaseInsensitive) == 0;
            });
            return fail(Error::invalid(
                QStringLiteral("unknown placeholder {{%1}} in the body template (%2%3)")
                    .arg(name,
                         folded == kFields.end() ? QString()
                                                 : QStringLiteral("did you mean {{%1}}? ").arg(folded->first),
                         kKnown)));
        }
        runId = runId || known->second == Field::RunId;
        runSeq = runSeq || known->second == Field::RunSeq;
        t.m_parts.push_back({known->second, {}});
        at = close + 2;
    }
    if (at < text.size())
        t.m_parts.push_back({Field::Literal, text.mid(at).toUtf8()});
    t.m_tagsRuns = runId && runSeq;
    return t;
}

void BodyTemplate::render(const event::RatingEvent& e, QByteArray& out) const {
    for (const Part& p : m_parts) {
        switch (p.field) {
        case Field::Literal:
            out.append(p.literal);
            break;
        case Field::UserId:
            appendNumber(out, e.userId);
            break;
        case Field::MovieId:
            appendNumber(out, e.movieId);
            break;
        case Field::Rating: {
            // Half stars: "4" or "4.5", as the wire format writes them.
            const auto halves = static_cast<qint64>(e.rating * 2 + 0.5);
            appendNumber(out, halves / 2);
            if (halves % 2)
                out.append(".5", 2);
            break;
        }
        case Field::EventId:
            out.append(event::formatUuid(e.eventId));
            break;
        case Field::EventTime:
            out.append(event::formatTimestamp(e.eventTime.toMSecsSinceEpoch()));
            break;
        case Field::RunId:
            out.append(e.runId.toUtf8());
            break;
        case Field::RunSeq:
            appendNumber(out, e.runSeq);
            break;
        case Field::Source:
            out.append(e.source.toUtf8());
            break;
        }
    }
}

} // namespace loadlevel::load
