// loadlevel: the desktop workbench. Starts on the embedded default (no Kafka, no PostgreSQL)
// unless LOADLEVEL_KAFKA / LOADLEVEL_DB point at real ones.
#include "ui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

int main(int argc, char* argv[]) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("loadlevel"));
    QApplication::setOrganizationName(QStringLiteral("loadlevel"));
    QApplication::setApplicationVersion(QStringLiteral(LOADLEVEL_VERSION));

    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Loadlevel desktop workbench. Kafka and the database come from "
                       "LOADLEVEL_KAFKA / LOADLEVEL_DB; without them everything runs embedded."));
    p.addHelpOption();
    p.addVersionOption();
    p.addOptions({
        {QStringLiteral("send"),
         QStringLiteral("Automation: send N ratings as soon as the pipeline is ready."), QStringLiteral("n")},
        {QStringLiteral("screenshot"),
         QStringLiteral("Automation: save a PNG of the window after the burst."), QStringLiteral("file")},
        {QStringLiteral("quit-after"), QStringLiteral("Automation: quit after this many seconds."),
         QStringLiteral("s")},
    });
    p.process(app);

    loadlevel::pipeline::Settings settings;
    settings.applyEnvironment();
    loadlevel::ui::MainWindow window(settings);
    window.show();

    if (p.isSet(QStringLiteral("send"))) {
        const int n = p.value(QStringLiteral("send")).toInt();
        auto* poll = new QTimer(&window);
        QObject::connect(poll, &QTimer::timeout, &window, [&window, poll, n, &p] {
            if (!window.isReady() || !window.sendButton()->isEnabled())
                return;
            poll->stop();
            window.countBox()->setValue(n);
            window.sendButton()->click();
            if (p.isSet(QStringLiteral("screenshot"))) {
                auto* wait = new QTimer(&window);
                QObject::connect(wait, &QTimer::timeout, &window, [&window, wait, &p] {
                    if (window.lastRunSummary().isEmpty())
                        return;
                    wait->stop();
                    QTimer::singleShot(1500, &window, [&window, &p] {
                        window.grab().save(p.value(QStringLiteral("screenshot")));
                    });
                });
                wait->start(200);
            }
        });
        poll->start(200);
    }
    if (p.isSet(QStringLiteral("quit-after")))
        QTimer::singleShot(p.value(QStringLiteral("quit-after")).toInt() * 1000, &app, &QApplication::quit);
    return QApplication::exec();
}
