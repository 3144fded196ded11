#pragma once

#include "error.h"
#include "event/rating_event.h"

#include <QByteArray>
#include <QJsonObject>
#include <chrono>
#include <functional>

namespace loadlevel::load {

using Clock = std::chrono::steady_clock;

// The answer to one event sent to a target.
struct Completion {
    quint64 seq = 0;
    bool ok = false;
    // What happened, as it is counted in the report: "ack" (Kafka), the HTTP status ("202", "503"),
    // or a transport error ("timeout", "connect: Connection refused", "closed by peer").
    QByteArray outcome;
    Clock::time_point due;    // when the event was scheduled
    Clock::time_point sentAt; // when it left
    Clock::time_point doneAt; // when the answer came
};

// Where a run's events go: Kafka (the producer) or an HTTP endpoint. A target is driven by one
// thread, the runner's: send() and poll() are never called concurrently, and completions are
// handed to the callback from poll() only, on that thread.
class Target {
public:
    using Completed = std::function<void(const Completion&)>;
    virtual ~Target() = default;

    // What the report says about the target (kind, address, options).
    [[nodiscard]] virtual QJsonObject describe() const = 0;
    // Whether send() can take an event now (an HTTP target has a fixed number of connections).
    [[nodiscard]] virtual bool canSend() const = 0;
    // Sends one event. An error here ends the run (the target cannot work at all); a failure of
    // this one event comes later as a completion.
    virtual Result<void> send(const event::RatingEvent& e, quint64 seq, Clock::time_point due) = 0;
    // Does I/O and delivers completions until `until` or until at least one completion came.
    virtual void poll(Clock::time_point until, const Completed& completed) = 0;
    // Events sent and not yet completed.
    [[nodiscard]] virtual qint64 inFlight() const = 0;
    // Gives up on whatever is in flight (each becomes a failed completion "abandoned").
    virtual void abandon(const Completed& completed) = 0;
};

} // namespace loadlevel::load
