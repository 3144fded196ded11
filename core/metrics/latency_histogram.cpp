#include "metrics/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace loadlevel::metrics {

int LatencyHistogram::bucketOf(qint64 micros) {
    if (micros < kLinear)
        return static_cast<int>(std::max<qint64>(micros, 0));
    const int magnitude = std::bit_width(static_cast<quint64>(micros)) - 1; // >= 7
    if (magnitude > kMaxMagnitude)
        return kBuckets - 1;
    const int shift = magnitude - 6;
    const int sub = static_cast<int>(micros >> shift) - kSubBuckets; // 0..63
    return kLinear + (magnitude - 7) * kSubBuckets + sub;
}

qint64 LatencyHistogram::highestIn(int bucket) {
    if (bucket < kLinear)
        return bucket;
    const int magnitude = (bucket - kLinear) / kSubBuckets + 7;
    const int sub = (bucket - kLinear) % kSubBuckets + kSubBuckets;
    const int shift = magnitude - 6;
    return ((static_cast<qint64>(sub) + 1) << shift) - 1;
}

void LatencyHistogram::record(qint64 micros) {
    micros = std::max<qint64>(micros, 0);
    m_buckets[static_cast<size_t>(bucketOf(micros))].fetch_add(1, std::memory_order_relaxed);
    m_count.fetch_add(1, std::memory_order_relaxed);
    m_sum.fetch_add(micros, std::memory_order_relaxed);
    qint64 seen = m_max.load(std::memory_order_relaxed);
    while (micros > seen && !m_max.compare_exchange_weak(seen, micros, std::memory_order_relaxed)) {
    }
}

LatencyHistogram::Counts LatencyHistogram::snapshot() const {
    Counts c;
    for (int i = 0; i < kBuckets; ++i)
        c.buckets[static_cast<size_t>(i)] = m_buckets[static_cast<size_t>(i)].load(std::memory_order_relaxed);
    c.count = m_count.load(std::memory_order_relaxed);
    c.max = m_max.load(std::memory_order_relaxed);
    c.sum = static_cast<long double>(m_sum.load(std::memory_order_relaxed));
    return c;
}

void LatencyHistogram::reset() {
    for (auto& b : m_buckets)
        b.store(0, std::memory_order_relaxed);
    m_count = 0;
    m_max = 0;
    m_sum = 0;
}

void LatencyHistogram::Counts::merge(const Counts& other) {
    for (size_t i = 0; i < buckets.size(); ++i)
        buckets[i] += other.buckets[i];
    count += other.count;
    max = std::max(max, other.max);
    sum += other.sum;
}

LatencyHistogram::Counts LatencyHistogram::Counts::since(const Counts& earlier) const {
    Counts d;
    d.count = 0;
    for (size_t i = 0; i < buckets.size(); ++i) {
        // Snapshots are taken bucket by bucket while writers go on: never below zero.
        const quint64 b = buckets[i] > earlier.buckets[i] ? buckets[i] - earlier.buckets[i] : 0;
        d.buckets[i] = b;
        d.count += b;
        if (b > 0)
            d.max = highestIn(static_cast<int>(i)); // the window's own maximum, to bucket precision
    }
    d.max = std::min(d.max, max);
    d.sum = sum > earlier.sum ? sum - earlier.sum : 0;
    return d;
}

double LatencyHistogram::Counts::percentile(double p) const {
    // Counts are read bucket by bucket while writers go on, so the total is taken from the
    // buckets themselves.
    quint64 total = 0;
    for (quint64 b : buckets)
        total += b;
    if (total == 0)
        return 0;
    const auto rank =
        static_cast<quint64>(std::max(1.0L, std::ceil(static_cast<long double>(total) * p / 100.0L)));
    quint64 seen = 0;
    for (size_t i = 0; i < buckets.size(); ++i) {
        seen += buckets[i];
        if (seen >= rank)
            return static_cast<double>(std::min(highestIn(static_cast<int>(i)), std::max<qint64>(max, 0)));
    }
    return static_cast<double>(max);
}

LatencySummary LatencyHistogram::Counts::summary() const {
    LatencySummary s;
    s.count = static_cast<qint64>(count);
    if (count == 0)
        return s;
    s.p50 = percentile(50);
    s.p90 = percentile(90);
    s.p95 = percentile(95);
    s.p99 = percentile(99);
    s.p999 = percentile(99.9);
    s.p75 = percentile(75);
    s.p9999 = percentile(99.99);
    s.max = static_cast<double>(max);
    s.mean = static_cast<double>(sum / static_cast<long double>(count));
    return s;
}

} // namespace loadlevel::metrics
