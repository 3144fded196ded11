#pragma once
// The option helpers every command shares: reading a checked number, rate or duration from the
// command line (saying what is wrong on the console), and the exit code of a core Error.
#include "commands.h"
#include "error.h"
#include "kafka/client_config.h"

#include <optional>

namespace loadlevel::cli {

// The exit code for a core error: a bad input is a usage error, a server that does not answer is
// "unavailable", a thing named that does not exist is "not found", anything else a problem found.
int exitFor(const Error& e);

// --name as a whole number >= min, or `fallback` when absent; nullopt (said why) when invalid.
std::optional<qint64> intOption(Context& c, const QString& name, qint64 fallback, qint64 min);
// --name as a number >= 0, or `fallback` when absent.
std::optional<double> doubleOption(Context& c, const QString& name, double fallback);
// --name as events per second >= 0 (0 when absent: as fast as possible).
std::optional<double> rateOption(Context& c, const QString& name);
// --name as a rate that the profile needs.
std::optional<double> requiredRate(Context& c, const QString& name);
// --name as a duration (60s, 2m, 500ms) that the profile needs.
std::optional<double> secondsOption(Context& c, const QString& name);

// --name as a duration (10s, 250ms, 2m), or `fallback` seconds when absent.
std::optional<double> durationOption(Context& c, const QString& name, double fallback);

QString rate(double perSec); // "1234"

// The client configuration, or nullopt with the reason on the console and the exit code set.
std::optional<kafka::ClientConfig> clientConfig(Context& c, int& exitCode);
// The client configuration for sending to the topic, which is created first unless --no-create.
std::optional<kafka::ClientConfig> producerConfig(Context& c, int& exitCode);
// Creates the topic if it is missing; true when it was created.
Result<bool> ensureTopic(Context& c, const kafka::ClientConfig& config);

} // namespace loadlevel::cli
