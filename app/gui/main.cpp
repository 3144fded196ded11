// loadlevel: the desktop workbench. Starts on the embedded default (no Kafka, no PostgreSQL)
// unless LOADLEVEL_KAFKA / LOADLEVEL_DB point at real ones or a saved settings profile does.
#include "kafka/client_config.h"
#include "ui/fire_panel.h"
#include "ui/main_window.h"
#include "ui/profiles.h"
#include "ui/scenarios.h"
#include "ui/sink_panel.h"
#include "ui/stall_meter.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <cstring>

using namespace loadlevel;

namespace {

// Saves each tab named by an option (rows-screenshot: Persisted, runs-screenshot: Runs) to the
// option's file, one after the other, then closes the window if --quit-when-done.
void shootTabs(ui::MainWindow& window, const QCommandLineParser& p, QStringList options) {
    if (options.isEmpty()) {
        if (p.isSet(QStringLiteral("quit-when-done")))
            window.close();
        return;
    }
    const QString option = options.takeFirst();
    window.showTab(option == u"rows-screenshot" ? 1 : 2);
    QTimer::singleShot(1500, &window, [&window, &p, option, options] {
        window.grab().save(p.value(option));
        shootTabs(window, p, options);
    });
}

// --send / --screenshot / --quit-when-done: drive the window the way a person would, for
// screenshots and the UI-responsiveness benchmark.
void automate(ui::MainWindow& window, const QCommandLineParser& p, ui::StallMeter* stalls) {
    const int n = p.value(QStringLiteral("send")).toInt();
    auto* poll = new QTimer(&window);
    QObject::connect(poll, &QTimer::timeout, &window, [&window, poll, n, &p, stalls] {
        if (!window.isReady() || !window.firePanel()->sendButton()->isEnabled())
            return;
        poll->stop();
        if (stalls)
            stalls->start(); // the run, not the start-up
        window.firePanel()->countBox()->setValue(n);
        if (p.isSet(QStringLiteral("ceiling")))
            window.sinkPanel()->ceilingBox()->setValue(p.value(QStringLiteral("ceiling")).toInt());
        window.firePanel()->sendButton()->click();
        auto* wait = new QTimer(&window);
        QObject::connect(wait, &QTimer::timeout, &window, [&window, wait, &p, stalls] {
            if (window.lastRunSummary().isEmpty())
                return;
            wait->stop();
            if (stalls)
                std::printf("ui: longest event-loop stall %.1f ms over %lld ticks (%lld over 16 ms, %lld "
                            "over 50 ms) during: %s\n",
                            stalls->longestMs(), static_cast<long long>(stalls->ticks()),
                            static_cast<long long>(stalls->over16ms()),
                            static_cast<long long>(stalls->over50ms()), qPrintable(window.lastRunSummary()));
            if (stalls)
                std::printf("ui: longest stall was %s\n", qPrintable(stalls->describeLongest()));
            std::fflush(stdout);
            QTimer::singleShot(1500, &window, [&window, &p] {
                if (p.isSet(QStringLiteral("screenshot")))
                    window.grab().save(p.value(QStringLiteral("screenshot")));
                // Then the Persisted and Runs tabs, each given 1.5 s to load; then quit if asked.
                QStringList tabs;
                for (const char* option : {"rows-screenshot", "runs-screenshot"})
                    if (p.isSet(QLatin1String(option)))
                        tabs << QLatin1String(option);
                shootTabs(window, p, tabs);
            });
        });
        wait->start(100);
    });
    poll->start(100);
}

// The window's command line, for --help and for parsing.
QString scenarioNames() {
    QStringList names;
    for (const auto& [name, title] : ui::ScenarioPlayer::catalogue())
        names << name;
    return names.join(QStringLiteral(", "));
}

void describe(QCommandLineParser& p) {
    p.setApplicationDescription(
        QStringLiteral("Loadlevel desktop workbench. Kafka and the database come from LOADLEVEL_KAFKA / "
                       "LOADLEVEL_DB, else from the last settings profile (File → Settings); without "
                       "either, everything runs embedded."));
    p.addHelpOption();
    p.addVersionOption();
    // -platform offscreen is one option (QApplication's), not eight one-letter ones.
    p.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    p.addOptions({
        {QStringLiteral("profile"), QStringLiteral("Start with this saved settings profile."),
         QStringLiteral("name")},
        {QStringLiteral("embedded"), QStringLiteral("Start on the embedded default, whatever was saved.")},
        {QStringLiteral("topic"), QStringLiteral("The topic (default: ratings, or the profile's)."),
         QStringLiteral("name")},
        {QStringLiteral("group"), QStringLiteral("The sink's consumer group (default: loadlevel-sink)."),
         QStringLiteral("name")},
        {QStringLiteral("send"),
         QStringLiteral("Automation: send N ratings as soon as the pipeline is ready."), QStringLiteral("n")},
        {QStringLiteral("screenshot"), QStringLiteral("Automation: save a PNG of the window after the run."),
         QStringLiteral("file")},
        {QStringLiteral("ceiling"),
         QStringLiteral("Automation: the sink's rows-per-second ceiling for the run."),
         QStringLiteral("rows")},
        {QStringLiteral("rows-screenshot"),
         QStringLiteral("Automation: then save a PNG of the Persisted tab too."), QStringLiteral("file")},
        {QStringLiteral("runs-screenshot"),
         QStringLiteral("Automation: then save a PNG of the Runs tab too."), QStringLiteral("file")},
        {QStringLiteral("measure-stalls"),
         QStringLiteral("Automation: measure the UI thread's longest event-loop stall during the run "
                        "and print it.")},
        {QStringLiteral("quit-when-done"), QStringLiteral("Automation: quit once the run is verified.")},
        {QStringLiteral("scenario"),
         QStringLiteral("Play a scenario once the pipeline is ready: %1 (the Scenarios menu). Prints its "
                        "summary card; with --screenshot, saves the window at its end.")
             .arg(scenarioNames()),
         QStringLiteral("name")},
        {QStringLiteral("quit-after"), QStringLiteral("Automation: quit after this many seconds."),
         QStringLiteral("s")},
    });
}

// --help and --version are answered before QApplication, which needs a display: they work on a
// headless box (and over ssh) too.
bool answersWithoutDisplay(int argc, char* argv[]) {
    for (int i = 1; i < argc; ++i)
        for (const char* flag : {"-h", "--help", "--help-all", "-v", "--version"})
            if (std::strcmp(argv[i], flag) == 0)
                return true;
    return false;
}

// A mistyped option is refused before QApplication too (which would first complain about the
// display). QApplication's own options (-platform, -style, …) are left to it.
bool refusesUnknownOptions(QCommandLineParser& p, int argc, char* argv[]) {
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    if (p.parse(args))
        return false;
    static const QStringList qtOwn{QStringLiteral("platform"),
                                   QStringLiteral("platformpluginpath"),
                                   QStringLiteral("platformtheme"),
                                   QStringLiteral("plugin"),
                                   QStringLiteral("qwindowgeometry"),
                                   QStringLiteral("qwindowicon"),
                                   QStringLiteral("qwindowtitle"),
                                   QStringLiteral("reverse"),
                                   QStringLiteral("session"),
                                   QStringLiteral("style"),
                                   QStringLiteral("stylesheet"),
                                   QStringLiteral("widgetcount"),
                                   QStringLiteral("display"),
                                   QStringLiteral("geometry"),
                                   QStringLiteral("title"),
                                   QStringLiteral("name"),
                                   QStringLiteral("visual"),
                                   QStringLiteral("ncols"),
                                   QStringLiteral("cmap"),
                                   QStringLiteral("nograb"),
                                   QStringLiteral("dograb"),
                                   QStringLiteral("sync"),
                                   QStringLiteral("fontengine")};
    const QStringList unknown = p.unknownOptionNames();
    if (!unknown.isEmpty() &&
        std::all_of(unknown.begin(), unknown.end(), [](const QString& o) { return qtOwn.contains(o); }))
        return false;
    std::fprintf(stderr, "loadlevel: %s (loadlevel --help lists the options)\n", qPrintable(p.errorText()));
    return true;
}

// --scenario: plays it once the pipeline is ready; prints its card, saves --screenshot, and with
// --quit-when-done quits with 0 (done) or 1 (stopped).
void playScenario(ui::MainWindow& window, const QCommandLineParser& p) {
    const QString name = p.value(QStringLiteral("scenario"));
    auto* poll = new QTimer(&window);
    QObject::connect(poll, &QTimer::timeout, &window, [&window, &p, poll, name] {
        if (!window.isReady() || window.isRunning())
            return;
        poll->stop();
        QObject::connect(window.scenarios(), &ui::ScenarioPlayer::finished, &window,
                         [&window, &p](const QString& card, bool ok) {
                             QString text = card;
                             text.replace(QStringLiteral("<br>"), QStringLiteral("\n"));
                             text.remove(QRegularExpression(QStringLiteral("<[^>]*>")));
                             std::printf("%s\n", qPrintable(text));
                             std::fflush(stdout);
                             QTimer::singleShot(1500, &window, [&window, &p, ok] {
                                 if (p.isSet(QStringLiteral("screenshot")))
                                     window.grab().save(p.value(QStringLiteral("screenshot")));
                                 if (p.isSet(QStringLiteral("quit-when-done")))
                                     QCoreApplication::exit(ok ? 0 : 1);
                             });
                         });
        window.scenarios()->play(name);
    });
    poll->start(200);
}

} // namespace

int main(int argc, char* argv[]) {
    QCoreApplication::setApplicationName(QStringLiteral("loadlevel"));
    QCoreApplication::setOrganizationName(QStringLiteral("loadlevel"));
    QCoreApplication::setApplicationVersion(
        QStringLiteral(LOADLEVEL_VERSION " (%1)").arg(loadlevel::kafka::clientLibrary()));
    QCommandLineParser p;
    describe(p);
    if (answersWithoutDisplay(argc, argv)) {
        QCoreApplication core(argc, argv);
        p.process(core); // prints and exits
        return 0;
    }
    if (refusesUnknownOptions(p, argc, argv))
        return 2;
    QApplication app(argc, argv);
    QApplication::setApplicationVersion(QStringLiteral(LOADLEVEL_VERSION)); // About names the library itself
    QApplication::setApplicationDisplayName(QStringLiteral("Loadlevel"));
    // The installed .desktop entry and icon (packaging/): window managers match the window to them.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.loadlevel.Loadlevel"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("io.github.loadlevel.Loadlevel")));
    p.process(app);

    pipeline::Settings settings;
    settings.applyEnvironment();
    QString profile;
    if (!p.isSet(QStringLiteral("embedded")) && qEnvironmentVariableIsEmpty("LOADLEVEL_KAFKA") &&
        qEnvironmentVariableIsEmpty("LOADLEVEL_DB")) {
        QSettings prefs;
        ui::Profiles profiles(prefs);
        profile =
            p.isSet(QStringLiteral("profile")) ? p.value(QStringLiteral("profile")) : profiles.lastUsed();
        if (!profile.isEmpty()) {
            if (auto s = profiles.load(profile, nullptr)) {
                s->runsDir = settings.runsDir;
                settings = *s;
            } else {
                std::fprintf(stderr, "loadlevel: no settings profile named '%s'; starting embedded\n",
                             qPrintable(profile));
                profile.clear();
            }
        }
    }

    if (p.isSet(QStringLiteral("topic")))
        settings.topic = p.value(QStringLiteral("topic"));
    if (p.isSet(QStringLiteral("group")))
        settings.group = p.value(QStringLiteral("group"));
    if (const auto problem = settings.validate()) {
        std::fprintf(stderr, "loadlevel: %s\n", qPrintable(problem->message));
        return 2;
    }

    ui::MainWindow window(settings, profile);
    window.show();

    ui::StallMeter* stalls = nullptr;
    if (p.isSet(QStringLiteral("measure-stalls")))
        stalls = new ui::StallMeter(&window);
    if (p.isSet(QStringLiteral("send")))
        automate(window, p, stalls);
    else if (p.isSet(QStringLiteral("scenario")))
        playScenario(window, p);
    if (p.isSet(QStringLiteral("quit-after")))
        QTimer::singleShot(p.value(QStringLiteral("quit-after")).toInt() * 1000, &window, &QWidget::close);
    return QApplication::exec();
}
