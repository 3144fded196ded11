#include "ui/main_window.h"

#include "kafka/client_config.h"
#include "metrics/lag_monitor.h"
#include "metrics/lag_status.h"
#include "ui/faults_panel.h"
#include "ui/fire_panel.h"
#include "ui/http_panel.h"
#include "ui/runs_panel.h"
#include "ui/scenarios.h"
#include "ui/settings_dialog.h"
#include "ui/sink_panel.h"

#include <QAction>
#include <QApplication>
#include <QChart>
#include <QCloseEvent>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QVBoxLayout>

namespace loadlevel::ui {

namespace {

const char* healthColor(Health h) {
    switch (h) {
    case Health::Connected:
        return "#2e7d32";
    case Health::Degraded:
        return "#ef6c00";
    case Health::Down:
        return "#c62828";
    case Health::Starting:
        break;
    }
    return "#757575";
}

QString healthName(Health h) {
    switch (h) {
    case Health::Connected:
        return MainWindow::tr("connected");
    case Health::Degraded:
        return MainWindow::tr("degraded");
    case Health::Down:
        return MainWindow::tr("down");
    case Health::Starting:
        break;
    }
    return MainWindow::tr("starting");
}

} // namespace

MainWindow::MainWindow(pipeline::Settings settings, QString profile, QWidget* parent)
    : QMainWindow(parent)
    , m_settings(std::move(settings))
    , m_profile(std::move(profile))
    , m_session(new Session(m_settings))
    , m_secrets(new SecretStore(QStringLiteral("loadlevel"), this)) {
    setWindowTitle(m_profile.isEmpty() ? tr("Loadlevel") : tr("Loadlevel — %1").arg(m_profile));
    buildUi();
    buildMenus();
    applyChartTheme();

    m_session->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_session, &QObject::deleteLater);
    connectSession();
    connectControls();
    m_thread.start();

    QSettings prefs;
    restoreGeometry(prefs.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(prefs.value(QStringLiteral("window/state")).toByteArray());
    startSession();
}

// What the session reports, to the panels that show it.
void MainWindow::connectSession() {
    connect(m_session, &Session::started, this, &MainWindow::onStarted);
    connect(m_session, &Session::health, this, &MainWindow::onHealth);
    connect(m_session, &Session::problem, this, &MainWindow::onProblem);
    connect(m_session, &Session::singleSent, m_fire, &FirePanel::onSingleSent);
    connect(m_session, &Session::httpChanged, this, [this](const QString& url, const QString& error) {
        m_http->onHttpChanged(url, error);
        m_runs->setServiceUrl(url);
    });
    connect(m_session, &Session::runStarted, this, &MainWindow::onRunStarted);
    connect(m_session, &Session::runProgress, m_fire, &FirePanel::onRunProgress);
    connect(m_session, &Session::runFinished, this, &MainWindow::onRunFinished);
    connect(m_session, &Session::capacityStep, m_runs, &RunsPanel::onCapacityStep);
    connect(m_session, &Session::capacityFinished, m_runs, &RunsPanel::onCapacityFinished);
    connect(m_session, &Session::runsListed, m_runs, &RunsPanel::setHistory);
    connect(m_session, &Session::runDetail, m_runs, &RunsPanel::onDetail);
    connect(m_session, &Session::runProgress, m_runs, &RunsPanel::onProgress);
    connect(m_session, &Session::runFinished, m_runs, &RunsPanel::onFinished);
    connect(m_session, &Session::snapshot, this, &MainWindow::onSnapshot);
    connect(m_session, &Session::annotated, m_livePanel, &LivePanel::mark);
    connect(m_session, &Session::ratingsLoaded, m_browser, &RowsBrowser::onRatings);
    connect(m_session, &Session::movieStatsLoaded, m_browser, &RowsBrowser::onMovieStats);
    connect(m_session, &Session::deadLettersLoaded, m_browser, &RowsBrowser::onDeadLetters);
}

// What the panels ask for, to the session (on its thread).
void MainWindow::connectControls() {
    connect(m_fire, &FirePanel::singleRequested, this, [this](qint64 user, qint64 movie, double stars) {
        toSession([s = m_session, user, movie, stars] { s->sendSingle(user, movie, stars); });
    });
    connect(m_fire, &FirePanel::runRequested, this, [this](qint64 events, double rate) {
        setRunning(true);
        toSession([s = m_session, events, rate] { s->startRun(events, rate); });
    });
    connect(m_fire, &FirePanel::stopRequested, this,
            [this] { toSession([s = m_session] { s->cancelRun(); }); });
    connect(m_sink, &SinkPanel::membersChanged, this,
            [this](int n) { toSession([s = m_session, n] { s->setMembers(n); }); });
    connect(m_sink, &SinkPanel::ceilingChanged, this, [this](double rate, bool perMember) {
        toSession([s = m_session, rate, perMember] { s->setMaxRowsPerSecond(rate, perMember); });
    });
    connect(m_sink, &SinkPanel::pausedChanged, this,
            [this](bool on) { toSession([s = m_session, on] { s->setSinkPaused(on); }); });
    connect(m_faults, &FaultsPanel::brokerDownChanged, this, [this](int broker, bool down) {
        toSession([s = m_session, broker, down] { s->setBrokerDown(broker, down); });
    });
    connect(m_faults, &FaultsPanel::delayChanged, this,
            [this](int ms) { toSession([s = m_session, ms] { s->setBrokerDelay(ms); }); });
    connect(m_http, &HttpPanel::serveRequested, this,
            [this](const QString& listen) { toSession([s = m_session, listen] { s->serveHttp(listen); }); });
    // The Runs tab: its editor starts runs on the session; progress, reports and history come back.
    connect(m_runs, &RunsPanel::startRequested, this,
            [this](const load::RunPlan& plan, const pipeline::RunTarget& target) {
                setRunning(true);
                toSession([s = m_session, plan, target] { s->startPlan(plan, target); });
            });
    connect(m_runs, &RunsPanel::capacityRequested, this,
            [this](const load::RunPlan& plan, const pipeline::RunTarget& target,
                   const load::CapacityOptions& options) {
                setRunning(true);
                toSession(
                    [s = m_session, plan, target, options] { s->startCapacity(plan, target, options); });
            });
    connect(m_runs, &RunsPanel::stopRequested, this,
            [this] { toSession([s = m_session] { s->cancelRun(); }); });
    connect(m_runs, &RunsPanel::refreshRequested, m_session, &Session::listRuns);
    // The rows browser asks, the session queries (on its thread), the browser takes the answer.
    connect(m_browser, &RowsBrowser::requestRatings, m_session, &Session::queryRatings);
    connect(m_browser, &RowsBrowser::requestMovieStats, m_session, &Session::queryMovieStats);
    connect(m_browser, &RowsBrowser::requestDeadLetters, m_session, &Session::queryDeadLetters);
    connect(m_browser, &RowsBrowser::message, this, &MainWindow::onProblem);
    connect(m_secrets, &SecretStore::message, this, &MainWindow::onProblem);
    connect(m_livePanel, &LivePanel::message, this, &MainWindow::onProblem);
}

MainWindow::~MainWindow() {
    m_browser->setLive(false);
    QMetaObject::invokeMethod(m_session, &Session::shutdown, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void MainWindow::startSession() {
    // A profile's secrets come from the keychain first (asynchronously), then the pipeline starts.
    QStringList secretKeys;
    QSettings prefs;
    if (!m_profile.isEmpty())
        (void)Profiles(prefs).load(m_profile, &secretKeys);
    if (secretKeys.isEmpty()) {
        applySettings(m_settings);
        return;
    }
    auto pending = std::make_shared<int>(static_cast<int>(secretKeys.size()));
    for (const QString& key : secretKeys)
        m_secrets->read(
            Profiles::keychainKey(m_profile, key),
            [this, key, pending](bool found, const QString& value, const QString& error) {
                if (found)
                    Profiles::applySecret(m_settings, key, value);
                else
                    onProblem(tr("The %1 of profile %2 is not available from the keychain%3: "
                                 "enter it in Settings")
                                  .arg(key, m_profile, error.isEmpty() ? QString() : u" (" + error + u")"));
                if (--*pending == 0)
                    applySettings(m_settings);
            });
}

void MainWindow::applySettings(const pipeline::Settings& settings) {
    m_settings = settings;
    m_ready = false;
    m_runs->setReady(false);
    m_fire->setReady(false, m_running);
    m_sink->setReady(false);
    m_http->setReady(false);
    m_browser->setLive(false);
    m_livePanel->clear();
    statusBar()->showMessage(tr("Starting the pipeline…"));
    toSession([s = m_session, settings] { s->restart(settings); });
}

void MainWindow::buildUi() {
    auto* central = new QWidget;
    auto* outer = new QVBoxLayout(central);
    outer->addWidget(buildHeader());
    auto* split = new QSplitter;
    split->setObjectName(QStringLiteral("mainSplit"));
    split->addWidget(buildControls());
    auto* tabs = m_tabs = new QTabWidget;
    m_livePanel = new LivePanel;
    tabs->addTab(m_livePanel, tr("Live"));
    m_browser = new RowsBrowser;
    tabs->addTab(m_browser, tr("Persisted"));
    m_runs = new RunsPanel;
    tabs->addTab(m_runs, tr("Runs"));
    split->addWidget(tabs);
    split->setStretchFactor(1, 1);
    outer->addWidget(split, 1);
    setCentralWidget(central);

    m_rateLabel = new LiveText(1);
    m_rateLabel->setFixedWidth(fontMetrics().horizontalAdvance(QStringLiteral("0,000,000 rows/s  ")));
    m_rateLabel->setToolTip(tr("Ratings persisted per second, now"));
    statusBar()->addPermanentWidget(m_rateLabel);
    statusBar()->showMessage(tr("Starting…"));
    // Fits a 1366×768 laptop screen (its panel taken off) as well as a larger one.
    QSize size(1280, 880);
    if (const QScreen* s = screen())
        size = size.boundedTo(s->availableGeometry().size() - QSize(20, 40));
    resize(size);
}

// Health, mode and addresses, the last error.
QWidget* MainWindow::buildHeader() {
    auto* header = new QWidget;
    auto* row = new QHBoxLayout(header);
    row->setContentsMargins(0, 0, 0, 0);
    m_healthDot = new QLabel;
    m_healthDot->setFixedWidth(110);
    m_healthDot->setToolTip(tr("connected: Kafka and the database answer; degraded: the sink reports a "
                               "problem; down: Kafka or the database does not answer"));
    m_header = new QLabel(tr("Starting the pipeline…"));
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setToolTip(tr("Which mode Loadlevel runs in, and where Kafka and the database are"));
    auto* text = new QVBoxLayout;
    text->addWidget(m_header);
    m_lastError = new QLabel;
    m_lastError->setWordWrap(true);
    m_lastError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_lastError->setStyleSheet(QStringLiteral("color: #c62828"));
    m_lastError->setVisible(false);
    text->addWidget(m_lastError);
    row->addWidget(m_healthDot, 0, Qt::AlignTop);
    row->addLayout(text, 1);
    return header;
}

QWidget* MainWindow::buildControls() {
    auto* left = new QWidget;
    auto* layout = new QVBoxLayout(left);
    layout->setContentsMargins(0, 0, 4, 0);
    layout->addWidget(m_fire = new FirePanel);
    layout->addWidget(m_sink = new SinkPanel);
    layout->addWidget(m_faults = new FaultsPanel);
    layout->addWidget(m_http = new HttpPanel);
    layout->addWidget(buildScenarios());
    layout->addStretch();
    auto* scroll = new QScrollArea;
    scroll->setWidget(left);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(left->sizeHint().width() + 20);
    return scroll;
}

QWidget* MainWindow::buildScenarios() {
    m_scenarios = new ScenarioPlayer(*this);
    auto* box = new QGroupBox(tr("Scenarios"));
    box->setToolTip(tr("The load-levelling story, played by the window itself, step by step "
                       "(Scenarios menu: Ctrl+Shift+1 to %1)")
                        .arg(ScenarioPlayer::catalogue().size()));
    auto* row = new QHBoxLayout(box);
    auto* which = new QComboBox;
    for (const auto& [name, title] : ScenarioPlayer::catalogue())
        which->addItem(title, name);
    auto* play = new QPushButton(tr("Play"));
    row->addWidget(which, 1);
    row->addWidget(play);
    connect(play, &QPushButton::clicked, this,
            [this, which] { m_scenarios->play(which->currentData().toString()); });
    connect(m_scenarios, &ScenarioPlayer::say, this, [this](const QString& line) {
        m_livePanel->setStory(line);
        statusBar()->showMessage(line, 10000);
    });
    connect(m_scenarios, &ScenarioPlayer::finished, this, [this](const QString& card, bool ok) {
        m_livePanel->setStory({});
        m_livePanel->setCard(card, ok);
    });
    return box;
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* settings = file->addAction(tr("&Settings…"), this, &MainWindow::openSettings);
    settings->setShortcut(QKeySequence::Preferences);
    if (settings->shortcut().isEmpty())
        settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    file->addSeparator();
    file->addAction(tr("Save charts as &PNG…"), this, [this] {
        const QString f = QFileDialog::getSaveFileName(
            this, tr("Save charts"), QStringLiteral("loadlevel-charts.png"), tr("PNG images (*.png)"));
        if (!f.isEmpty())
            exportChartsPng(f);
    });
    file->addAction(tr("Save chart &data as CSV…"), this, [this] {
        const QString f = QFileDialog::getSaveFileName(
            this, tr("Save chart data"), QStringLiteral("loadlevel-charts.csv"), tr("CSV files (*.csv)"));
        if (!f.isEmpty())
            exportChartsCsv(f);
    });
    file->addAction(tr("Export &rows as CSV…"), m_browser, &RowsBrowser::exportCsv);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* pause = view->addAction(tr("&Pause charts"));
    pause->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    connect(pause, &QAction::triggered, m_livePanel->pauseButton(), &QPushButton::toggle);
    QComboBox* window = m_livePanel->windowBox();
    for (int i = 0; i < window->count(); ++i) {
        QAction* a = view->addAction(tr("Show %1").arg(window->itemText(i)));
        a->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_1 + i)));
        connect(a, &QAction::triggered, window, [window, i] { window->setCurrentIndex(i); });
    }
    view->addSeparator();
    QAction* refresh = view->addAction(tr("&Refresh rows"), m_browser, &RowsBrowser::refresh);
    refresh->setShortcut(QKeySequence::Refresh);

    QMenu* scenarios = menuBar()->addMenu(tr("&Scenarios"));
    int key = Qt::Key_1;
    for (const auto& [name, title] : ScenarioPlayer::catalogue()) {
        QAction* a = scenarios->addAction(title);
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | key++));
        connect(a, &QAction::triggered, this, [this, n = name] { m_scenarios->play(n); });
    }
    scenarios->addSeparator();
    scenarios->addAction(tr("&Stop the scenario"), m_scenarios, &ScenarioPlayer::stop);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Loadlevel"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::showTab(int index) {
    m_tabs->setCurrentIndex(index);
}

QString MainWindow::headerText() const {
    return m_healthDot->text() + u' ' + m_header->text() + u' ' + m_lastError->text();
}

void MainWindow::openSettings() {
    QSettings prefs;
    SettingsDialog dialog(m_settings, m_profile, prefs, *m_secrets, this);
    connect(&dialog, &SettingsDialog::message, this, &MainWindow::onProblem);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_profile = dialog.profileName();
    setWindowTitle(m_profile.isEmpty() ? tr("Loadlevel") : tr("Loadlevel — %1").arg(m_profile));
    applySettings(dialog.settings());
}

void MainWindow::sendPoison() {
    toSession([s = m_session] { s->sendPoison(); });
}

void MainWindow::showAbout() {
    QMessageBox::about(
        this, tr("About Loadlevel"),
        tr("<h3>Loadlevel %1</h3>"
           "<p>A workbench and load tester for the queue-based load-levelling pattern: ratings go "
           "through Apache Kafka and a sink stores them in PostgreSQL exactly once.</p>"
           "<p>Built with Qt %2 and %3.</p>")
            .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion()),
                 kafka::clientLibrary()));
}

bool MainWindow::exportChartsPng(const QString& file) {
    return m_livePanel->exportPng(file);
}

bool MainWindow::exportChartsCsv(const QString& file) {
    return m_livePanel->exportCsv(file);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings prefs;
    prefs.setValue(QStringLiteral("window/geometry"), saveGeometry());
    prefs.setValue(QStringLiteral("window/state"), saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange)
        applyChartTheme();
    QMainWindow::changeEvent(event);
}

void MainWindow::applyChartTheme() {
    if (m_livePanel)
        m_livePanel->applyTheme(palette());
}

void MainWindow::setRunning(bool running) {
    m_running = running;
    m_runs->setReady(m_ready && !running);
    m_fire->setReady(m_ready, running);
}

void MainWindow::onStarted(const QString& description, int partitions, int embeddedBrokers) {
    m_ready = true;
    m_runs->setReady(!m_running);
    toSession([s = m_session] { s->listRuns(); });
    m_header->setText(u"<b>" + description.section(u'·', 0, 0).toHtmlEscaped() + u"</b> · " +
                      description.section(u'·', 1).toHtmlEscaped());
    m_sink->onStarted(partitions);
    m_http->setReady(true);
    setRunning(false);
    m_faults->setBrokers(embeddedBrokers);
    m_browser->newestPage();
    m_browser->setLive(true);
    statusBar()->showMessage(tr("Ready"), 5000);
}

void MainWindow::onHealth(Health state, const QString& detail, const QString& lastError) {
    m_health = state;
    // Only what changed: a label's new text re-lays out the whole window.
    const QString dot = QStringLiteral("<span style='color:%1; font-size:large'>●</span> <b>%2</b>")
                            .arg(QLatin1String(healthColor(state)), healthName(state));
    if (m_healthDot->text() != dot)
        m_healthDot->setText(dot);
    m_healthDot->setToolTip(detail);
    const bool showError = !lastError.isEmpty() && state != Health::Connected;
    if (m_lastError->isVisible() != showError)
        m_lastError->setVisible(showError);
    if (const QString e = tr("last error: %1").arg(lastError); m_lastError->text() != e)
        m_lastError->setText(e);
    if (state == Health::Down && !m_ready && !lastError.isEmpty()) {
        m_header->setText(tr("<b>The pipeline did not start.</b> Check File → Settings (Ctrl+,)."));
        m_lastError->setVisible(true);
    }
}

void MainWindow::onProblem(const QString& message) {
    statusBar()->showMessage(message, 15000);
}

void MainWindow::onRunStarted(qint64 total, const QString& description) {
    setRunning(true); // also when the Runs tab started it
    m_livePanel->runStarted();
    m_fire->onRunStarted(total, description);
    m_runs->onStarted(total);
}

void MainWindow::onRunFinished(const QString& summary, bool ok) {
    m_lastSummary = summary;
    m_livePanel->runEnded();
    setRunning(false);
    m_fire->onRunFinished(summary, ok);
    statusBar()->showMessage((ok ? tr("OK: ") : tr("Problem: ")) + summary);
    m_browser->refresh();
}

void MainWindow::onSnapshot(const metrics::Snapshot& s) {
    m_lastSnapshot = s;
    m_livePanel->onSnapshot(s);
    m_rateLabel->setText(tr("%L1 rows/s").arg(m_livePanel->persistedPerSecond(), 0, 'f', 0));
}

} // namespace loadlevel::ui
