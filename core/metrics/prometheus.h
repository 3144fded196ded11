#pragma once

#include "metrics/recorder.h"

#include <QByteArray>

namespace loadlevel::metrics {

// The Prometheus text exposition format (version 0.0.4) of a Snapshot: stage counters
// (*_total), the three latency histograms in seconds (*_bucket{le=…}, *_sum, *_count), and per
// group/partition lag gauges and Burrow status as 0/1 series per status label.
// withCounters=false leaves out the counters and histograms (a one-shot lag reading by the CLI
// has no pipeline whose counters it could report).
QByteArray toPrometheus(const Snapshot& s, bool withCounters = true);

// The HTTP service's own counters (ratings accepted, requests refused, connections closed for
// being slow), appended to the pipeline's exposition by GET /metrics.
struct HttpCounters {
    qint64 accepted = 0;
    qint64 rejected = 0;
    qint64 closedSlow = 0;
};
QByteArray toPrometheus(const HttpCounters& c);

// Escapes a label value (backslash, double quote, newline).
QByteArray escapeLabel(const QString& value);

} // namespace loadlevel::metrics
