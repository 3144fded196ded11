#include "pipeline/run_target.h"

#include "load/kafka_target.h"

namespace loadlevel::pipeline {

Result<OpenedTarget> openTarget(const RunTarget& target, const kafka::ClientConfig& config,
                                const QString& topic) {
    OpenedTarget opened;
    if (target.http) {
        auto t = load::HttpTarget::create(target.httpOptions);
        if (!t)
            return fail(t.error());
        opened.verifiable = (*t)->bodyTemplate().tagsRuns();
        opened.target = std::move(*t);
        return opened;
    }
    auto t = load::KafkaTarget::create(config, topic);
    if (!t)
        return fail(t.error());
    if (auto ready = (*t)->awaitReady(std::chrono::seconds(2)); !ready) // slow is fine, unreachable not
        return fail(ready.error());
    opened.verifiable = true;
    opened.target = std::move(*t);
    return opened;
}

} // namespace loadlevel::pipeline
