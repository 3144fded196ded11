#include "ui/main_window.h"

#include "kafka/client_config.h"
#include "metrics/lag_monitor.h"
#include "metrics/lag_status.h"
#include "ui/runs_panel.h"
#include "ui/scenarios.h"
#include "ui/settings_dialog.h"

#include <QAction>
#include <QApplication>
#include <QChart>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QVBoxLayout>
#include <cmath>

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
    connect(m_session, &Session::started, this, &MainWindow::onStarted);
    connect(m_session, &Session::health, this, &MainWindow::onHealth);
    connect(m_session, &Session::problem, this, &MainWindow::onProblem);
    connect(m_session, &Session::singleSent, this, [this](const QString& message, bool ok) {
        m_singleResult->setText(message);
        m_singleResult->setColor(ok ? QColor() : QColor(0xc6, 0x28, 0x28));
    });
    connect(m_session, &Session::httpChanged, this, [this](const QString& url, const QString& error) {
        m_httpUrl = url;
        m_runs->setServiceUrl(url);
        if (!url.isEmpty()) {
            m_httpLabel->setText(QStringLiteral("<a href=\"%1/docs\">%1</a>").arg(url.toHtmlEscaped()));
            return;
        }
        m_httpLabel->setText(error.isEmpty() ? tr("off") : error.toHtmlEscaped());
        m_http->blockSignals(true);
        m_http->setChecked(false);
        m_http->blockSignals(false);
        m_httpListen->setEnabled(true);
    });
    connect(m_session, &Session::runStarted, this, &MainWindow::onRunStarted);
    connect(m_session, &Session::runProgress, this, &MainWindow::onRunProgress);
    connect(m_session, &Session::runFinished, this, &MainWindow::onRunFinished);
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
    connect(m_session, &Session::capacityStep, m_runs, &RunsPanel::onCapacityStep);
    connect(m_session, &Session::capacityFinished, m_runs, &RunsPanel::onCapacityFinished);
    connect(m_runs, &RunsPanel::stopRequested, this,
            [this] { toSession([s = m_session] { s->cancelRun(); }); });
    connect(m_runs, &RunsPanel::refreshRequested, m_session, &Session::listRuns);
    connect(m_session, &Session::runsListed, m_runs, &RunsPanel::setHistory);
    connect(m_session, &Session::runDetail, m_runs, &RunsPanel::onDetail);
    connect(m_session, &Session::runProgress, m_runs, &RunsPanel::onProgress);
    connect(m_session, &Session::runFinished, m_runs, &RunsPanel::onFinished);
    connect(m_session, &Session::snapshot, this, &MainWindow::onSnapshot);
    connect(m_session, &Session::annotated, m_livePanel, &LivePanel::mark);
    // The rows browser asks, the session queries (on its thread), the browser takes the answer.
    connect(m_browser, &RowsBrowser::requestRatings, m_session, &Session::queryRatings);
    connect(m_browser, &RowsBrowser::requestMovieStats, m_session, &Session::queryMovieStats);
    connect(m_browser, &RowsBrowser::requestDeadLetters, m_session, &Session::queryDeadLetters);
    connect(m_session, &Session::ratingsLoaded, m_browser, &RowsBrowser::onRatings);
    connect(m_session, &Session::movieStatsLoaded, m_browser, &RowsBrowser::onMovieStats);
    connect(m_session, &Session::deadLettersLoaded, m_browser, &RowsBrowser::onDeadLetters);
    connect(m_browser, &RowsBrowser::message, this, &MainWindow::onProblem);
    connect(m_secrets, &SecretStore::message, this, &MainWindow::onProblem);
    m_thread.start();

    QSettings prefs;
    restoreGeometry(prefs.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(prefs.value(QStringLiteral("window/state")).toByteArray());
    startSession();
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
    m_send->setEnabled(false);
    m_paced->setEnabled(false);
    m_single->setEnabled(false);
    m_browser->setLive(false);
    m_livePanel->clear();
    statusBar()->showMessage(tr("Starting the pipeline…"));
    toSession([s = m_session, settings] { s->restart(settings); });
}

void MainWindow::buildUi() {
    auto* central = new QWidget;
    auto* outer = new QVBoxLayout(central);

    // Header: health, mode and addresses, the last error.
    auto* header = new QHBoxLayout;
    m_healthDot = new QLabel;
    m_healthDot->setFixedWidth(110);
    m_healthDot->setToolTip(tr("connected: Kafka and the database answer; degraded: the sink reports a "
                               "problem; down: Kafka or the database does not answer"));
    m_header = new QLabel(tr("Starting the pipeline…"));
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setToolTip(tr("Which mode Loadlevel runs in, and where Kafka and the database are"));
    auto* headerText = new QVBoxLayout;
    headerText->addWidget(m_header);
    m_lastError = new QLabel;
    m_lastError->setWordWrap(true);
    m_lastError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_lastError->setStyleSheet(QStringLiteral("color: #c62828"));
    m_lastError->setVisible(false);
    headerText->addWidget(m_lastError);
    header->addWidget(m_healthDot, 0, Qt::AlignTop);
    header->addLayout(headerText, 1);
    outer->addLayout(header);

    auto* split = new QSplitter;
    split->setObjectName(QStringLiteral("mainSplit"));
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 4, 0);

    // One rating, by hand.
    auto* single = new QGroupBox(tr("One rating"));
    auto* sf = new QFormLayout(single);
    m_user = new QSpinBox;
    m_user->setRange(1, 1'000'000'000);
    m_user->setValue(4);
    m_movie = new QSpinBox;
    m_movie->setRange(1, 1'000'000'000);
    m_movie->setValue(3);
    m_stars = new QDoubleSpinBox;
    m_stars->setRange(0.5, 5.0);
    m_stars->setSingleStep(0.5);
    m_stars->setDecimals(1);
    m_stars->setValue(4.0);
    m_stars->setSuffix(tr(" ★"));
    m_stars->setToolTip(tr("Half stars, 0.5 to 5.0"));
    m_single = new QPushButton(tr("Send rating"));
    m_single->setEnabled(false);
    m_single->setToolTip(tr("Send this one rating (Ctrl+Shift+Enter)"));
    m_single->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return));
    connect(m_stars, &QDoubleSpinBox::editingFinished, this,
            [this] { m_stars->setValue(std::round(m_stars->value() * 2) / 2); });
    connect(m_single, &QPushButton::clicked, this, [this] {
        const qint64 user = m_user->value(), movie = m_movie->value();
        const double stars = std::round(m_stars->value() * 2) / 2;
        m_singleResult->setText(tr("sending…"));
        toSession([s = m_session, user, movie, stars] { s->sendSingle(user, movie, stars); });
    });
    m_singleResult = new LiveText(2);
    sf->addRow(tr("User"), m_user);
    sf->addRow(tr("Movie"), m_movie);
    sf->addRow(tr("Rating"), m_stars);
    sf->addRow(m_single);
    sf->addRow(m_singleResult);
    leftLayout->addWidget(single);

    // A burst and a paced run share the progress bars: one run at a time.
    auto* fire = new QGroupBox(tr("Runs"));
    auto* ff = new QFormLayout(fire);
    m_count = new QSpinBox;
    m_count->setRange(1, 10'000'000);
    m_count->setValue(1000);
    m_count->setGroupSeparatorShown(true);
    m_count->setToolTip(tr("How many generated ratings to send as fast as possible"));
    m_send = new QPushButton(tr("Send %L1").arg(m_count->value()));
    m_send->setEnabled(false);
    m_send->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_send->setToolTip(tr("Send the burst (Ctrl+Enter)"));
    connect(m_count, &QSpinBox::valueChanged, this,
            [this](int n) { m_send->setText(tr("Send %L1").arg(n)); });
    connect(m_send, &QPushButton::clicked, this, [this] {
        const qint64 n = m_count->value();
        setRunning(true);
        toSession([s = m_session, n] { s->startRun(n, 0); });
    });
    auto* burstRow = new QHBoxLayout;
    burstRow->addWidget(m_count);
    burstRow->addWidget(m_send);
    ff->addRow(tr("Burst"), burstRow);

    m_rate = new QSpinBox;
    m_rate->setRange(1, 1'000'000);
    m_rate->setValue(500);
    m_rate->setGroupSeparatorShown(true);
    m_rate->setSuffix(tr(" /s"));
    m_rate->setToolTip(tr("Ratings per second; each is due at its scheduled time (open model)"));
    m_duration = new QSpinBox;
    m_duration->setRange(1, 24 * 3600);
    m_duration->setValue(30);
    m_duration->setSuffix(tr(" s"));
    m_paced = new QPushButton(tr("Start"));
    m_paced->setEnabled(false);
    m_paced->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_paced->setToolTip(tr("Start the paced run (Ctrl+R)"));
    connect(m_paced, &QPushButton::clicked, this, [this] {
        const double rate = m_rate->value();
        const qint64 n = static_cast<qint64>(rate) * m_duration->value();
        setRunning(true);
        toSession([s = m_session, n, rate] { s->startRun(n, rate); });
    });
    auto* pacedRow = new QHBoxLayout;
    pacedRow->addWidget(m_rate);
    pacedRow->addWidget(new QLabel(tr("for")));
    pacedRow->addWidget(m_duration);
    pacedRow->addWidget(m_paced);
    ff->addRow(tr("Paced"), pacedRow);

    m_cancel = new QPushButton(tr("Stop"));
    m_cancel->setEnabled(false);
    m_cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancel->setToolTip(tr("Stop sending (Esc); what was sent is still verified. Press again to stop "
                            "waiting for the rows."));
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        // First Stop: no more sending, the rows of what was sent are still awaited and verified.
        // Stop again while verifying: stop waiting and report what is there.
        m_runLabel->setText(tr("stopping; verifying what was sent…"));
        toSession([s = m_session] { s->cancelRun(); });
    });
    m_acked = new QProgressBar;
    m_acked->setFormat(tr("acknowledged %v / %m"));
    m_acked->setValue(0);
    m_persisted = new QProgressBar;
    m_persisted->setFormat(tr("persisted %v / %m"));
    m_persisted->setValue(0);
    m_runLabel = new LiveText(2);
    m_runLabel->setText(tr("no run yet"));
    auto* bars = new QVBoxLayout;
    bars->addWidget(m_acked);
    bars->addWidget(m_persisted);
    auto* progressRow = new QHBoxLayout;
    progressRow->addLayout(bars, 1);
    progressRow->addWidget(m_cancel);
    ff->addRow(progressRow);
    ff->addRow(m_runLabel);
    leftLayout->addWidget(fire);

    // The sink.
    auto* sink = new QGroupBox(tr("Sink"));
    auto* kf = new QFormLayout(sink);
    m_members = new QSpinBox;
    m_members->setRange(0, 6);
    m_members->setValue(2);
    m_members->setEnabled(false);
    m_members->setToolTip(tr("Consumer-group members writing to the database (0 stops consuming)"));
    connect(m_members, &QSpinBox::valueChanged, this,
            [this](int n) { toSession([s = m_session, n] { s->setMembers(n); }); });
    m_ceiling = new QSpinBox;
    m_ceiling->setRange(0, 10'000'000);
    m_ceiling->setSingleStep(100);
    m_ceiling->setGroupSeparatorShown(true);
    m_ceiling->setSpecialValueText(tr("no ceiling"));
    m_ceiling->setSuffix(tr(" rows/s"));
    m_ceiling->setToolTip(tr("The most rows per second the sink writes: the database's capacity in the "
                             "load-levelling picture. Bursts above it wait in Kafka as lag."));
    m_ceiling->setEnabled(false);
    connect(m_ceiling, &QSpinBox::valueChanged, this,
            [this](int n) { toSession([s = m_session, n] { s->setMaxRowsPerSecond(n); }); });
    m_pause = new QCheckBox(tr("Pause the sink"));
    m_pause->setEnabled(false);
    m_pause->setToolTip(tr("Members stay in the group but read nothing: watch the lag build up, then drain"));
    connect(m_pause, &QCheckBox::toggled, this,
            [this](bool on) { toSession([s = m_session, on] { s->setSinkPaused(on); }); });
    kf->addRow(tr("Members"), m_members);
    kf->addRow(tr("Ceiling"), m_ceiling);
    kf->addRow(m_pause);
    leftLayout->addWidget(sink);

    // Fault knobs of the embedded cluster.
    m_faults = new QGroupBox(tr("Embedded faults"));
    m_faults->setToolTip(tr("Faults injected into the embedded cluster (librdkafka's mock brokers)"));
    auto* xf = new QFormLayout(m_faults);
    m_broker = new QComboBox;
    m_brokerDown = new QPushButton(tr("Take down"));
    m_brokerDown->setCheckable(true);
    m_brokerDown->setToolTip(tr("Take the chosen broker down; press again to bring it back"));
    connect(m_brokerDown, &QPushButton::toggled, this, [this](bool down) {
        const int broker = m_broker->currentData().toInt();
        m_brokerDown->setText(down ? tr("Bring up") : tr("Take down"));
        m_broker->setEnabled(!down);
        toSession([s = m_session, broker, down] { s->setBrokerDown(broker, down); });
    });
    auto* brokerRow = new QHBoxLayout;
    brokerRow->addWidget(m_broker, 1);
    brokerRow->addWidget(m_brokerDown);
    m_delay = new QSpinBox;
    m_delay->setRange(0, 10000);
    m_delay->setSingleStep(50);
    m_delay->setSuffix(tr(" ms"));
    m_delay->setToolTip(tr("Round-trip time added to every broker's answers"));
    connect(m_delay, &QSpinBox::editingFinished, this, [this] {
        const int ms = m_delay->value();
        toSession([s = m_session, ms] { s->setBrokerDelay(ms); });
    });
    xf->addRow(tr("Broker"), brokerRow);
    xf->addRow(tr("Added delay"), m_delay);
    m_faults->setEnabled(false);
    leftLayout->addWidget(m_faults);

    // The HTTP rating service on this pipeline, for curl, wrk or another app.
    auto* http = new QGroupBox(tr("HTTP service"));
    auto* hf = new QFormLayout(http);
    m_http = new QCheckBox(tr("Serve"));
    m_http->setEnabled(false);
    m_http->setToolTip(tr("POST /ratings answers 202 once Kafka acknowledged; GET /ratings, /health, "
                          "/metrics, /docs. Token from LOADLEVEL_HTTP_TOKEN if set."));
    m_httpListen = new QLineEdit(QStringLiteral("127.0.0.1:8080"));
    m_httpListen->setToolTip(tr("Address and port; loopback unless you choose otherwise"));
    m_httpLabel = new QLabel(tr("off"));
    m_httpLabel->setOpenExternalLinks(true);
    m_httpLabel->setTextInteractionFlags(Qt::TextBrowserInteraction);
    connect(m_http, &QCheckBox::toggled, this, [this](bool on) {
        const QString listen = on ? m_httpListen->text().trimmed() : QString();
        m_httpListen->setEnabled(!on);
        toSession([s = m_session, listen] { s->serveHttp(listen); });
    });
    auto* httpRow = new QHBoxLayout;
    httpRow->addWidget(m_http);
    httpRow->addWidget(m_httpListen, 1);
    hf->addRow(httpRow);
    hf->addRow(m_httpLabel);
    leftLayout->addWidget(http);
    leftLayout->addWidget(buildScenarios());
    leftLayout->addStretch();

    auto* scroll = new QScrollArea;
    scroll->setWidget(left);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(left->sizeHint().width() + 20);
    split->addWidget(scroll);

    // Live charts with their toolbar.
    auto* tabs = m_tabs = new QTabWidget;
    m_livePanel = new LivePanel;
    connect(m_livePanel, &LivePanel::message, this, &MainWindow::onProblem);
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

QWidget* MainWindow::buildScenarios() {
    m_scenarios = new ScenarioPlayer(*this);
    auto* box = new QGroupBox(tr("Scenarios"));
    box->setToolTip(tr("The load-levelling story, played by the window itself, step by step "
                       "(Scenarios menu: Ctrl+Shift+1, 2, 3)"));
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

QString MainWindow::drainText() const {
    return m_livePanel->drainText();
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
    m_send->setEnabled(m_ready && !running);
    m_paced->setEnabled(m_ready && !running);
    m_cancel->setEnabled(running);
    if (running) {
        m_acked->setValue(0);
        m_persisted->setValue(0);
        m_runLabel->setText(tr("starting the run…"));
    }
}

void MainWindow::onStarted(const QString& description, int partitions, int embeddedBrokers) {
    m_ready = true;
    m_runs->setReady(!m_running);
    toSession([s = m_session] { s->listRuns(); });
    m_header->setText(u"<b>" + description.section(u'·', 0, 0).toHtmlEscaped() + u"</b> · " +
                      description.section(u'·', 1).toHtmlEscaped());
    m_members->setMaximum(partitions);
    m_members->blockSignals(true);
    m_members->setValue(std::min(2, partitions));
    m_members->blockSignals(false);
    m_pause->blockSignals(true);
    m_pause->setChecked(false);
    m_pause->blockSignals(false);
    if (m_ceiling->value() > 0)
        toSession([s = m_session, n = m_ceiling->value()] { s->setMaxRowsPerSecond(n); });
    for (QWidget* w : std::initializer_list<QWidget*>{m_single, m_members, m_ceiling, m_pause, m_http})
        w->setEnabled(true);
    setRunning(false);
    m_faults->setVisible(embeddedBrokers > 0);
    m_faults->setEnabled(embeddedBrokers > 0);
    m_broker->clear();
    for (int b = 1; b <= embeddedBrokers; ++b)
        m_broker->addItem(tr("broker %1").arg(b), b);
    m_brokerDown->blockSignals(true);
    m_brokerDown->setChecked(false);
    m_brokerDown->setText(tr("Take down"));
    m_brokerDown->blockSignals(false);
    m_broker->setEnabled(true);
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
    m_acked->setMaximum(static_cast<int>(total));
    m_persisted->setMaximum(static_cast<int>(total));
    m_runLabel->setText(tr("%1: %L2 ratings").arg(description).arg(total));
    m_runs->onStarted(total);
}

void MainWindow::onRunProgress(qint64 sent, qint64 acked, qint64 persisted, qint64 total, double elapsedSec) {
    if (m_acked->maximum() != total) {
        m_acked->setMaximum(static_cast<int>(total));
        m_persisted->setMaximum(static_cast<int>(total));
    }
    m_acked->setValue(static_cast<int>(acked));
    if (persisted >= 0)
        m_persisted->setValue(static_cast<int>(persisted));
    m_runLabel->setText(tr("sent %L1 of %L2 · %3 s").arg(sent).arg(total).arg(elapsedSec, 0, 'f', 1));
}

void MainWindow::onRunFinished(const QString& summary, bool ok) {
    m_lastSummary = summary;
    m_livePanel->runEnded();
    setRunning(false);
    // The label keeps to the numbers; the run id is in its tooltip and in the status bar.
    m_runLabel->setText((ok ? tr("OK · ") : tr("Problem · ")) + summary.section(QStringLiteral(": "), 1));
    m_runLabel->setColor(ok ? QColor() : QColor(0xc6, 0x28, 0x28));
    statusBar()->showMessage((ok ? tr("OK: ") : tr("Problem: ")) + summary);
    m_browser->refresh();
}

void MainWindow::onSnapshot(const metrics::Snapshot& s) {
    m_lastSnapshot = s;
    m_livePanel->onSnapshot(s);
    m_rateLabel->setText(tr("%L1 rows/s").arg(m_livePanel->persistedPerSecond(), 0, 'f', 0));
}

} // namespace loadlevel::ui
