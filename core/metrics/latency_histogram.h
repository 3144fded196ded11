#pragma once

#include <QtGlobal>
#include <array>
#include <atomic>
#include <vector>

namespace loadlevel::metrics {

// Percentiles of one histogram, in microseconds.
struct LatencySummary {
    qint64 count = 0;
    double p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
    double p75 = 0, p9999 = 0;
};

// A log-linear (HDR-style) latency histogram in microseconds: exact below 128 µs, then 64
// sub-buckets per power of two, so every value is kept to within 1/64 (about 2 significant
// digits) from 1 µs to 2^33 µs (~2.4 hours; larger values count in the last bucket). Constant
// memory (~15 KB), lock-free record() from any number of threads, mergeable.
// Thread: record() and snapshot() from any thread.
class LatencyHistogram {
public:
    static constexpr int kLinear = 128;      // values 0..127 have a bucket each
    static constexpr int kSubBuckets = 64;   // per power of two above that
    static constexpr int kMaxMagnitude = 33; // highest power of two tracked
    static constexpr int kBuckets = kLinear + (kMaxMagnitude - 7 + 1) * kSubBuckets;

    // A plain copy of the counts: what percentiles are computed from.
    struct Counts {
        std::vector<quint64> buckets = std::vector<quint64>(kBuckets, 0);
        quint64 count = 0;
        qint64 max = 0;
        long double sum = 0;

        void merge(const Counts& other);
        // What was recorded after `earlier` (a snapshot of the same histogram): the counts of a
        // time window, for percentiles over the last second rather than since the start.
        [[nodiscard]] Counts since(const Counts& earlier) const;
        [[nodiscard]] double percentile(double p) const; // p in [0, 100]
        [[nodiscard]] LatencySummary summary() const;
    };

    void record(qint64 micros);
    [[nodiscard]] Counts snapshot() const;
    void reset();

    static int bucketOf(qint64 micros);
    // The highest value that maps to the bucket (what a percentile reports, as HdrHistogram does).
    static qint64 highestIn(int bucket);

private:
    std::array<std::atomic<quint64>, kBuckets> m_buckets{};
    std::atomic<quint64> m_count{0};
    std::atomic<qint64> m_max{0};
    std::atomic<qint64> m_sum{0};
};

} // namespace loadlevel::metrics
