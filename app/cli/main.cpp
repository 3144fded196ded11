// loadlevel-cli: thin commands over the headless core.
#include "command_table.h"
#include "commands.h"
#include "kafka/client_config.h"

#include <QCoreApplication>
#include <cstdio>

using namespace loadlevel;
using namespace loadlevel::cli;

int main(int argc, char* argv[]) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("loadlevel"));
    QCoreApplication::setOrganizationName(QStringLiteral("loadlevel"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LOADLEVEL_VERSION));
    // The settings and data folders are the desktop app's ("loadlevel"); the version line names
    // this program.
    QCommandLineParser p;
    const QString help =
        QStringLiteral("Usage: loadlevel-cli COMMAND [options]\n"
                       "Loadlevel: fire ratings through Kafka into PostgreSQL, exactly once.\n\n") +
        overviewHelp();
    p.addHelpOption();
    p.addVersionOption();
    QStringList names;
    for (const Command& command : commands())
        names << command.name;
    p.addPositionalArgument(QStringLiteral("command"), names.join(QStringLiteral(" | ")));
    p.addOptions(allOptions());
    if (!p.parse(QCoreApplication::arguments())) {
        std::fprintf(stderr, "error: %s (loadlevel-cli --help lists the commands and options)\n",
                     qPrintable(p.errorText()));
        return kUsage;
    }
    QStringList positional = p.positionalArguments();
    const bool helpCommand = !positional.isEmpty() && positional.first() == u"help"; // help [COMMAND]
    if (helpCommand)
        positional.removeFirst();
    const Command* command = positional.isEmpty() ? nullptr : findCommand(positional.first());
    if (p.isSet(QStringLiteral("help")) || (helpCommand && (command || positional.isEmpty()))) {
        std::fputs(qPrintable(command ? commandHelp(*command) : help), stdout);
        return kOk;
    }
    if (p.isSet(QStringLiteral("version"))) {
        std::printf("loadlevel-cli %s (%s)\n", LOADLEVEL_VERSION,
                    qPrintable(loadlevel::kafka::clientLibrary()));
        return kOk;
    }
    if (positional.isEmpty()) {
        std::fputs(qPrintable(help), stderr);
        return kUsage;
    }
    if (!command) {
        std::fprintf(stderr, "error: unknown command '%s' (commands: %s)\n", qPrintable(positional.first()),
                     qPrintable(names.join(QStringLiteral(", "))));
        return kUsage;
    }
    if (const QStringList refused = refusedOptions(*command, p.optionNames()); !refused.isEmpty()) {
        QStringList flags;
        for (const QString& name : refused)
            flags << (name.size() == 1 ? u"-" : u"--") + name;
        std::fprintf(stderr, "error: %s does not take %s (loadlevel-cli %s --help lists what it takes)\n",
                     qPrintable(command->name), qPrintable(flags.join(QStringLiteral(", "))),
                     qPrintable(command->name));
        return kUsage;
    }
    Console console(p.isSet(QStringLiteral("json")));
    bool okP = false, okR = false;
    pipeline::Settings settings;
    settings.kafka = p.value(QStringLiteral("kafka"));
    settings.database = p.value(QStringLiteral("db"));
    settings.topic = p.value(QStringLiteral("topic"));
    if (p.isSet(QStringLiteral("group")))
        settings.group = p.value(QStringLiteral("group"));
    settings.groupProtocol = p.value(QStringLiteral("group-protocol"));
    settings.kafkaProperties = p.values(QStringLiteral("X"));
    settings.kafkaPropertiesFile = p.value(QStringLiteral("kafka-config"));
    settings.partitions = p.value(QStringLiteral("partitions")).toInt(&okP);
    settings.replicationFactor = p.value(QStringLiteral("replication-factor")).toInt(&okR);
    settings.runsDir = p.value(QStringLiteral("runs-dir"));
    settings.applyEnvironment();
    if (!okP || settings.partitions < 1 || !okR || settings.replicationFactor < 1) {
        console.error(QStringLiteral("--partitions and --replication-factor expect whole numbers >= 1"));
        return kUsage;
    }
    if (!settings.groupProtocolKnown()) {
        console.error(QStringLiteral("--group-protocol expects classic or consumer (KIP-848), not '%1'")
                          .arg(settings.groupProtocol));
        return kUsage;
    }

    installInterruptHandler();
    Context c{settings, p, positional.mid(1), console};
    if (command->connects)
        console.info(u"loadlevel " + settings.describe());
    return command->run(c);
}
