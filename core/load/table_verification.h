#pragma once
// Verifying someone else's pipeline: a run's events, sent to their HTTP endpoint, against the rows
// their own subscriber wrote into their own table (store::ExternalTable).
#include "error.h"
#include "load/report.h"
#include "store/store.h"

#include <chrono>
#include <functional>

namespace loadlevel::load {

// Reads the table again and again until every accepted event has its row, the wait is over, or
// onPoll returns false; then adds to the report what the database's own verification adds for
// Loadlevel's table: missing and duplicated events, the request→row latency (the time column minus
// the event's time; the event time is its due time in a paced run) and the persisted-per-second
// column. Needs the report's sent events (RunPlan::recordSent). Errors: the table cannot be read.
Result<void> verifyTable(RunReport& report, const store::ExternalTable& table, store::Store& store,
                         std::chrono::milliseconds wait,
                         const std::function<bool(const Verification&)>& onPoll = {});

} // namespace loadlevel::load
