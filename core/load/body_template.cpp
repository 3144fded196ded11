#include "load/body_template.h"

#include "event/codec.h"

#include <QRegularExpression>
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
    static const QRegularExpression placeholder(QStringLiteral(R"(\{\{\s*([a-z_]*)\s*\}\})"));
    BodyTemplate t;
    t.m_text = text;
    bool runId = false;
    bool runSeq = false;
    qsizetype at = 0;
    auto it = placeholder.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        if (m.capturedStart() > at)
            t.m_parts.push_back({Field::Literal, text.mid(at, m.capturedStart() - at).toUtf8()});
        const QString name = m.captured(1);
        Field f = Field::Literal;
        if (name == u"user_id")
            f = Field::UserId;
        else if (name == u"movie_id")
            f = Field::MovieId;
        else if (name == u"rating")
            f = Field::Rating;
        else if (name == u"event_id")
            f = Field::EventId;
        else if (name == u"event_time")
            f = Field::EventTime;
        else if (name == u"run_id")
            f = Field::RunId, runId = true;
        else if (name == u"run_seq")
            f = Field::RunSeq, runSeq = true;
        else if (name == u"source")
            f = Field::Source;
        else
            return fail(Error::invalid(
                QStringLiteral("unknown placeholder {{%1}} in the body template (known: user_id, movie_id, "
                               "rating, event_id, event_time, run_id, run_seq, source)")
                    .arg(name)));
        t.m_parts.push_back({f, {}});
        at = m.capturedEnd();
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
