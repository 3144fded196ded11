#pragma once
// Where a run goes, chosen once for the CLI's `run` and the desktop's Runs tab: the pipeline's
// Kafka topic, or an HTTP endpoint that takes one rating per POST (Loadlevel's own service or
// anyone's rating service).
#include "kafka/client_config.h"
#include "load/http_target.h"
#include "load/target.h"

#include <memory>

namespace loadlevel::pipeline {

struct RunTarget {
    bool http = false;
    load::HttpTarget::Options httpOptions; // when http
};

struct OpenedTarget {
    std::unique_ptr<load::Target> target;
    // The events carry the run tags (run id and sequence), so the database can be checked: always
    // on Kafka; over HTTP when the body template has {{run_id}} and {{run_seq}}.
    bool verifiable = false;
};

// Opens the target. A Kafka producer is given up to 2 s for its producer id first, so that the
// schedule starts when events can be sent at once.
Result<OpenedTarget> openTarget(const RunTarget& target, const kafka::ClientConfig& config,
                                const QString& topic);

} // namespace loadlevel::pipeline
