#pragma once

#include "error.h"
#include "event/rating_event.h"

#include <QByteArray>
#include <QString>
#include <vector>

namespace loadlevel::load {

// An HTTP request body with placeholders, compiled once and filled per event without parsing:
//   {{user_id}} {{movie_id}} {{rating}} {{event_id}} {{event_time}} {{run_id}} {{run_seq}} {{source}}
// e.g. {"user_id":{{user_id}},"movie_id":{{movie_id}},"rating":{{rating}}}. Values are inserted as
// they are (numbers bare, ids and times without quotes): the template supplies the quotes.
class BodyTemplate {
public:
    // The body typical rating services take.
    static QString plainDefault();
    // Loadlevel's own POST /ratings with the run tags, so that the run can be verified in the
    // database behind it.
    static QString loadlevelDefault();

    static Result<BodyTemplate> compile(const QString& text);
    // Appends the body for `e` to `out`.
    void render(const event::RatingEvent& e, QByteArray& out) const;
    [[nodiscard]] const QString& text() const { return m_text; }
    // True when the template carries the run id and sequence (the run can be verified).
    [[nodiscard]] bool tagsRuns() const { return m_tagsRuns; }

private:
    enum class Field { Literal, UserId, MovieId, Rating, EventId, EventTime, RunId, RunSeq, Source };
    struct Part {
        Field field;
        QByteArray literal;
    };
    QString m_text;
    std::vector<Part> m_parts;
    bool m_tagsRuns = false;
};

} // namespace loadlevel::load
