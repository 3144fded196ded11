#include "fuzz_inputs.h"

#include "event/codec.h"
#include "ingest/body.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace loadlevel::fuzz {

namespace {

[[noreturn]] void broken(const char* what) {
    std::fprintf(stderr, "fuzz: property broken: %s\n", what);
    std::abort();
}

void checkValid(const event::RatingEvent& e) {
    if (e.userId < 1 || e.movieId < 1)
        broken("ids must be positive");
    if (!(e.rating >= 0.5 && e.rating <= 5.0) || std::fmod(e.rating * 2, 1.0) != 0.0)
        broken("rating must be 0.5 to 5.0 in half stars");
    if (e.eventId.isNull())
        broken("an event must have an id");
}

} // namespace

void decodeOne(QByteArrayView input) {
    std::vector<event::Header> headers;
    QByteArrayView value = input;
    if (input.startsWith('#')) {
        const qsizetype eol = input.indexOf('\n');
        const QByteArrayView line = input.sliced(1, (eol < 0 ? input.size() : eol) - 1);
        value = eol < 0 ? QByteArrayView() : input.sliced(eol + 1);
        for (const QByteArray& pair : line.toByteArray().split(';')) {
            const qsizetype eq = pair.indexOf('=');
            if (eq > 0)
                headers.push_back({pair.left(eq), pair.mid(eq + 1)});
        }
    }
    const event::Origin origin{QStringLiteral("fuzz"), 3, 42, 1795400000000};
    auto e = event::decode(value, headers, origin);
    if (!e) {
        if (e.error().reason.isEmpty())
            broken("a refusal must say why");
        return;
    }
    checkValid(*e);
    const event::WireMessage again = event::encode(*e);
    auto back = event::decode(again.value, again.headers, origin);
    if (!back)
        broken("an encoded event must decode");
    if (back->userId != e->userId || back->movieId != e->movieId || back->rating != e->rating ||
        back->eventId != e->eventId || back->runId != e->runId || back->runSeq != e->runSeq)
        broken("encode then decode must give the same event");
}

void httpBodyOne(QByteArrayView input) {
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(1795400000000, Qt::UTC);
    auto events = ingest::parseRatingsBody(input, 64 * 1024, 1000, now);
    if (!events) {
        const int s = events.error().status;
        if ((s != 400 && s != 413 && s != 422) || events.error().detail.isEmpty())
            broken("a refusal must be 400, 413 or 422 with a reason");
        return;
    }
    if (events->empty() || events->size() > 1000)
        broken("an accepted body has 1 to 1000 ratings");
    for (const auto& e : *events)
        checkValid(e);
}

} // namespace loadlevel::fuzz
