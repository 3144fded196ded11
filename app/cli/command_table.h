#pragma once
// The CLI's one command table: every command's name, the options it takes, its help text and its
// examples, and the exit codes every command shares. main.cpp dispatches from it, --help is
// written from it, and an option that the chosen command does not take is refused by it.
#include "commands.h"

#include <QCommandLineOption>
#include <QList>
#include <QString>
#include <QStringList>

namespace loadlevel::cli {

struct Command {
    QString name;
    QString summary;      // what it does, for --help
    QStringList examples; // command lines, shown under the summary
    QStringList options;  // the long names of the options it takes (--help and --version: all)
    int (*run)(Context&);
    bool connects = true; // prints "loadlevel <kafka and database>" before it starts
};

struct ExitCodeDoc {
    int code;
    QString name;    // "not found"
    QString meaning; // when a command exits with it
};

const QList<Command>& commands();
const Command* findCommand(const QString& name);
const QList<ExitCodeDoc>& exitCodes();
// Every option of every command, for the parser.
QList<QCommandLineOption> allOptions();

QString overviewHelp(); // the commands, their examples, the environment and the exit codes
QString commandHelp(const Command& command); // one command: summary, examples, its options
// The options set on the command line that `command` does not take ("--body-template"), empty
// when all are fine.
QStringList refusedOptions(const Command& command, const QStringList& setOptionNames);

} // namespace loadlevel::cli
