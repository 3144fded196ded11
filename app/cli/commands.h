#pragma once

#include "console.h"
#include "pipeline/settings.h"

#include <QCommandLineParser>

namespace loadlevel::cli {

// One command's inputs: the shared settings, the parsed options and the console.
struct Context {
    pipeline::Settings settings;
    QCommandLineParser& args;
    QStringList positional; // after the command name
    Console& console;
};

int runBurst(Context& c);
int runSink(Context& c);
int runServe(Context& c);
int runTopics(Context& c);
int runVerify(Context& c);
int runDemo(Context& c);
int runLag(Context& c);
int runMetrics(Context& c);
int runRun(Context& c);
int runCapacity(Context& c);
int runDrain(Context& c);
int runReport(Context& c);

} // namespace loadlevel::cli
