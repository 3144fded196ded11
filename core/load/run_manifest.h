#pragma once

#include "error.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <chrono>
#include <functional>
#include <vector>

namespace loadlevel::store {
class Store;
}

namespace loadlevel::load {

// What a run sent, recorded so that `verify` can compare it with what was persisted. Every event
// of a run carries the run id and its sequence number (CloudEvents extensions ce_runid/ce_runseq).
struct RunManifest {
    QString runId;
    QString topic;
    QString kafka; // a Kafka target's bootstrap servers, for the record (key "kafka")
    QString url;   // an HTTP target's URL (key "url")
    QDateTime startedAt;
    QDateTime finishedAt;
    double ratePerSec = 0; // 0: as fast as possible
    quint64 seed = 0;
    qint64 requested = 0;
    qint64 sent = 0;             // handed to the producer
    qint64 acked = 0;            // acknowledged by the broker
    std::vector<qint64> unacked; // sequence numbers sent but not acknowledged, or not sent
    // The answer's latency from the due time: the broker's ack (keys "ack_p50_ms", …) or, for an HTTP
    // target, the response (keys "response_p50_ms", …).
    double ackP50Ms = 0, ackP99Ms = 0, ackMaxMs = 0;
    QString error; // why the run ended early or events failed; empty when all went well

    [[nodiscard]] QJsonObject toJson() const;
    static Result<RunManifest> fromJson(const QJsonObject& o);
    // Saves <dir>/<runId>.json; creates the folder.
    [[nodiscard]] Result<QString> save(const QString& dir) const;
    static Result<RunManifest> load(const QString& dir, const QString& runId);
};

// The runs folder: $LOADLEVEL_RUNS_DIR, else <user data folder>/runs.
QString defaultRunsDir();
// A new run id: time-ordered and readable ("20261123-021935-3fa2").
QString newRunId();

// Sent vs persisted for one run.
struct Verification {
    QString runId;
    qint64 acked = 0;
    qint64 persisted = 0;              // rows of this run in the database
    qint64 missing = 0;                // acknowledged events with no row
    qint64 duplicates = 0;             // rows beyond one per event
    qint64 unackedPersisted = 0;       // events whose ack was lost but which did land (not an error)
    std::vector<qint64> missingSample; // first few missing sequence numbers
    [[nodiscard]] bool ok() const { return missing == 0 && duplicates == 0; }
    [[nodiscard]] QJsonObject toJson() const;
    static Verification fromJson(const QJsonObject& o);
};

Result<Verification> verifyRun(store::Store& store, const RunManifest& manifest);

// Verifies the run again and again until it is complete (nothing missing, no duplicates), the
// timeout passes, or onPoll returns false. onPoll sees every incomplete check (show progress,
// process events, cancel). Store errors while waiting (a database restarting) are retried until the
// timeout; then the last verification is returned, or the error if there never was one.
Result<Verification> awaitVerification(store::Store& store, const RunManifest& manifest,
                                       std::chrono::milliseconds timeout,
                                       const std::function<bool(const Verification&)>& onPoll = {},
                                       std::chrono::milliseconds interval = std::chrono::milliseconds(100));

} // namespace loadlevel::load
