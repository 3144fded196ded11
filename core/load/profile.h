#pragma once

#include "error.h"

#include <QJsonObject>
#include <QString>
#include <vector>

namespace loadlevel::load {

// The shape of a run over time. An open model: event i is due at a fixed time computed from the
// profile alone, whatever the target does; a runner that cannot send it then reports it late
// instead of slowing down.
//
//   single          one event
//   burst N         N events, as fast as the target takes them (no schedule)
//   constant R, D   R events per second for D seconds
//   ramp R1→R2, D   the rate grows (or falls) linearly from R1 to R2 over D
//   steps           a list of (rate, duration) held one after another
//   spike           base rate B for D, with a peak rate P from time T for S seconds
struct Profile {
    enum class Kind { Single, Burst, Constant, Ramp, Steps, Spike };
    struct Step {
        double rate = 0;
        double seconds = 0;
    };

    Kind kind = Kind::Burst;
    qint64 count = 1000; // burst
    double rate = 0;     // constant; spike: base rate
    double fromRate = 0; // ramp
    double toRate = 0;   // ramp
    double seconds = 0;  // constant, ramp, spike: the whole duration
    std::vector<Step> steps;
    double peakRate = 0; // spike
    double peakAt = 0;   // spike: seconds from the start
    double peakFor = 0;  // spike: seconds

    static Profile single();
    static Profile burst(qint64 n);
    static Profile constant(double rate, double seconds);
    static Profile ramp(double from, double to, double seconds);
    static Profile stepped(std::vector<Step> steps);
    static Profile spike(double base, double peak, double at, double peakFor, double seconds);

    // Everything a profile must satisfy, with a message naming the field ("duration must be > 0").
    [[nodiscard]] std::optional<Error> check() const;
    // False for single and burst: those send as fast as the target takes them.
    [[nodiscard]] bool paced() const { return kind != Kind::Single && kind != Kind::Burst; }
    // Events the run will send: the integral of the rate, rounded down.
    [[nodiscard]] qint64 totalEvents() const;
    // Seconds from the first event's due time to the end of the schedule (0 for unpaced).
    [[nodiscard]] double durationSeconds() const;
    // The scheduled rate at time t (events per second); 0 outside the schedule or when unpaced.
    [[nodiscard]] double rateAt(double t) const;
    // "ramp 100 → 5,000/s over 60 s"
    [[nodiscard]] QString describe() const;
    [[nodiscard]] static QString kindName(Kind k);
    [[nodiscard]] static std::optional<Kind> kindFromName(const QString& name);

    [[nodiscard]] QJsonObject toJson() const;
    static Result<Profile> fromJson(const QJsonObject& o);
};

// A duration as people type it: "90", "90s", "1500ms", "2m", "1h", "1m30s".
Result<double> parseSeconds(const QString& text);
// Steps as "rate:duration,rate:duration", e.g. "100:10s,500:10s,1000:30s".
Result<std::vector<Profile::Step>> parseSteps(const QString& text);

// When each event of a paced profile is due, in seconds from the start. Event i is due when the
// integral of the rate reaches i. Calls must come with i increasing (the runner's order); each is
// O(1) amortised.
class Schedule {
public:
    explicit Schedule(const Profile& profile);
    [[nodiscard]] qint64 total() const { return m_total; }
    // Seconds from the start at which event i is due (0 for every event of an unpaced profile).
    double dueSeconds(qint64 i);

private:
    struct Segment {
        double start = 0;  // seconds
        double length = 0; // seconds
        double from = 0;   // rate at start
        double to = 0;     // rate at end
        double before = 0; // events due before the segment (the integral up to start)
    };
    std::vector<Segment> m_segments;
    size_t m_cursor = 0;
    qint64 m_total = 0;
};

} // namespace loadlevel::load
