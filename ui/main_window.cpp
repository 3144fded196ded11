#include "ui/main_window.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace loadlevel::ui {

MainWindow::MainWindow(pipeline::Settings settings, QWidget* parent)
    : QMainWindow(parent)
    , m_session(new Session(std::move(settings))) {
    setWindowTitle(tr("Loadlevel"));
    buildUi();

    m_session->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_session, &QObject::deleteLater);
    connect(m_session, &Session::started, this, &MainWindow::onStarted);
    connect(m_session, &Session::failed, this, &MainWindow::onProblem);
    connect(m_session, &Session::runProgress, this, &MainWindow::onRunProgress);
    connect(m_session, &Session::runFinished, this, &MainWindow::onRunFinished);
    connect(m_session, &Session::snapshot, this, &MainWindow::onSnapshot);
    connect(m_session, &Session::ratingsLoaded, m_ratings, &RatingsModel::setRows);
    m_thread.start();
    QMetaObject::invokeMethod(m_session, &Session::start, Qt::QueuedConnection);

    // The rows browser follows the database once a second (queries run on the session thread).
    m_refresh.setInterval(1000);
    connect(&m_refresh, &QTimer::timeout, this, [this] {
        QMetaObject::invokeMethod(
            m_session, [s = m_session] { s->refreshRatings(1000); }, Qt::QueuedConnection);
    });
}

MainWindow::~MainWindow() {
    m_refresh.stop();
    QMetaObject::invokeMethod(m_session, &Session::shutdown, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void MainWindow::buildUi() {
    auto* central = new QWidget;
    auto* outer = new QVBoxLayout(central);

    m_header = new QLabel(tr("Starting the pipeline…"));
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setToolTip(tr("Which mode Loadlevel runs in, and where Kafka and the database are"));
    outer->addWidget(m_header);

    auto* split = new QSplitter;
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);

    auto* fire = new QGroupBox(tr("Fire ratings"));
    auto* fireForm = new QFormLayout(fire);
    m_count = new QSpinBox;
    m_count->setRange(1, 10'000'000);
    m_count->setValue(1000);
    m_count->setGroupSeparatorShown(true);
    m_count->setToolTip(tr("How many generated ratings to send as fast as possible"));
    m_send = new QPushButton(tr("Send %L1").arg(m_count->value()));
    m_send->setEnabled(false);
    m_send->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_send->setToolTip(tr("Send the burst (Ctrl+Enter)"));
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setEnabled(false);
    connect(m_count, &QSpinBox::valueChanged, this,
            [this](int n) { m_send->setText(tr("Send %L1").arg(n)); });
    connect(m_send, &QPushButton::clicked, this, [this] {
        m_send->setEnabled(false);
        m_cancel->setEnabled(true);
        m_acked->setValue(0);
        m_persisted->setValue(0);
        const int n = m_count->value();
        QMetaObject::invokeMethod(
            m_session, [s = m_session, n] { s->sendBurst(n); }, Qt::QueuedConnection);
    });
    connect(m_cancel, &QPushButton::clicked, this,
            [this] { QMetaObject::invokeMethod(m_session, &Session::cancelRun, Qt::QueuedConnection); });
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_send);
    buttons->addWidget(m_cancel);
    m_acked = new QProgressBar;
    m_acked->setFormat(tr("acknowledged %v / %m"));
    m_persisted = new QProgressBar;
    m_persisted->setFormat(tr("persisted %v / %m"));
    fireForm->addRow(tr("Ratings"), m_count);
    fireForm->addRow(buttons);
    fireForm->addRow(m_acked);
    fireForm->addRow(m_persisted);
    leftLayout->addWidget(fire);

    auto* sink = new QGroupBox(tr("Sink"));
    auto* sinkForm = new QFormLayout(sink);
    m_members = new QSpinBox;
    m_members->setRange(0, 6);
    m_members->setValue(2);
    m_members->setEnabled(false);
    m_members->setToolTip(tr("Consumer-group members writing to the database (0 stops consuming)"));
    connect(m_members, &QSpinBox::valueChanged, this, [this](int n) {
        QMetaObject::invokeMethod(
            m_session, [s = m_session, n] { s->setMembers(n); }, Qt::QueuedConnection);
    });
    m_pause = new QCheckBox(tr("Pause the sink"));
    m_pause->setEnabled(false);
    m_pause->setToolTip(tr("Members stay in the group but read nothing: watch the lag build up, then drain"));
    connect(m_pause, &QCheckBox::toggled, this, [this](bool on) {
        QMetaObject::invokeMethod(
            m_session, [s = m_session, on] { s->setSinkPaused(on); }, Qt::QueuedConnection);
    });
    sinkForm->addRow(tr("Members"), m_members);
    sinkForm->addRow(m_pause);
    leftLayout->addWidget(sink);
    leftLayout->addStretch();
    split->addWidget(left);

    auto* tabs = new QTabWidget;
    auto* live = new QWidget;
    auto* liveLayout = new QVBoxLayout(live);
    m_throughput =
        new LiveChart(tr("Throughput"), tr("ratings/s"), {tr("acknowledged by Kafka"), tr("persisted")});
    m_lag = new LiveChart(tr("Consumer lag"), tr("messages"), {tr("total")});
    m_latency =
        new LiveChart(tr("End-to-end latency (send → row)"), tr("ms"), {tr("p50"), tr("p95"), tr("p99")});
    for (LiveChart* c : {m_throughput, m_lag, m_latency})
        liveLayout->addWidget(c);
    tabs->addTab(live, tr("Live"));
    m_ratings = new RatingsModel(this);
    m_table = new QTableView;
    m_table->setModel(m_ratings);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->setVisible(false);
    tabs->addTab(m_table, tr("Ratings"));
    split->addWidget(tabs);
    split->setStretchFactor(1, 1);
    outer->addWidget(split, 1);

    setCentralWidget(central);
    statusBar()->showMessage(tr("Starting…"));
    resize(1200, 860);
}

void MainWindow::onStarted(const QString& description, int partitions) {
    m_ready = true;
    m_header->setText(u"<b>" + description.section(u'·', 0, 0).toHtmlEscaped() + u"</b> · " +
                      description.section(u'·', 1).toHtmlEscaped());
    m_members->setMaximum(partitions);
    m_send->setEnabled(true);
    m_members->setEnabled(true);
    m_pause->setEnabled(true);
    m_refresh.start();
    statusBar()->showMessage(tr("Ready"));
}

void MainWindow::onProblem(const QString& message) {
    statusBar()->showMessage(message);
}

void MainWindow::onSnapshot(const metrics::Snapshot& s) {
    const qint64 now = s.at.toMSecsSinceEpoch();
    if (m_firstSnapshotMs == 0) {
        m_firstSnapshotMs = m_lastRateMs = now;
        m_lastTotals = s.totals;
        return;
    }
    const double t = (now - m_firstSnapshotMs) / 1000.0;
    // Rates over at least 200 ms keep the lines readable at 10 snapshots a second.
    if (const double dt = (now - m_lastRateMs) / 1000.0; dt >= 0.2) {
        m_throughput->append(t, {(s.totals.acked - m_lastTotals.acked) / dt,
                                 (s.totals.persisted - m_lastTotals.persisted) / dt});
        m_lastRateMs = now;
        m_lastTotals = s.totals;
    }
    if (!s.lag.isEmpty()) {
        const metrics::GroupLag& g = s.lag.front();
        QStringList names{tr("total")};
        QList<double> values{static_cast<double>(g.totalLag)};
        for (const auto& p : g.partitions) {
            names << tr("partition %1").arg(p.partition);
            values << static_cast<double>(p.lag);
        }
        m_lag->setSeriesNames(names);
        m_lag->append(t, values);
    }
    if (s.sendToPersisted.count > 0)
        m_latency->append(t, {s.sendToPersisted.p50 / 1000.0, s.sendToPersisted.p95 / 1000.0,
                              s.sendToPersisted.p99 / 1000.0});
}

void MainWindow::onRunProgress(qint64 sent, qint64 acked, qint64 persisted, qint64 total) {
    Q_UNUSED(sent);
    m_acked->setMaximum(static_cast<int>(total));
    m_persisted->setMaximum(static_cast<int>(total));
    m_acked->setValue(static_cast<int>(acked));
    if (persisted >= 0)
        m_persisted->setValue(static_cast<int>(persisted));
}

void MainWindow::onRunFinished(const QString& summary, bool ok) {
    m_lastSummary = summary;
    m_send->setEnabled(true);
    m_cancel->setEnabled(false);
    statusBar()->showMessage((ok ? tr("OK: ") : tr("Problem: ")) + summary);
    QMetaObject::invokeMethod(
        m_session, [s = m_session] { s->refreshRatings(1000); }, Qt::QueuedConnection);
}

} // namespace loadlevel::ui
