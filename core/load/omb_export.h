#pragma once
// A run report in OpenMessaging Benchmark's result format (its TestResult JSON), so that a run can
// sit beside OMB runs in OMB's own charts and tables. Only OMB's field names are written (OMB reads
// them with Jackson, which refuses unknown fields); what does not map is listed by ombUnmapped().
#include <QJsonObject>
#include <QStringList>

namespace loadlevel::load {

struct RunReport;

// Mapping (intervals are the report's seconds, where OMB's are 10 s):
//  publishRate, publishErrorRate      accepted, failed per second
//  consumeRate                        rows persisted per second (verified runs; the consumer's end
//                                     here is the database row, not the consumer's receipt)
//  backlog                            the lag column where it was watched, else accepted − persisted
//                                     so far (verified runs)
//  aggregatedPublishLatency*          service: sent → answer, ms (OMB measures from the send too)
//  aggregatedPublishDelayLatencyMax   the most an event was sent after its due time, µs
//  aggregatedEndToEndLatency*         persist: event time → row, ms (verified runs)
QJsonObject ombResult(const RunReport& report);
// What the export leaves out or fills differently, one line each (the CLI prints it).
QStringList ombUnmapped(const RunReport& report);

} // namespace loadlevel::load
