#include "ui/fire_panel.h"

#include "ui/live_text.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>

namespace loadlevel::ui {

namespace {
double halfStars(double stars) {
    return std::round(stars * 2) / 2;
}
} // namespace

FirePanel::FirePanel(QWidget* parent)
    : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildSingle());
    layout->addWidget(buildRuns());
}

QWidget* FirePanel::buildSingle() {
    auto* box = new QGroupBox(tr("One rating"));
    auto* form = new QFormLayout(box);
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
            [this] { m_stars->setValue(halfStars(m_stars->value())); });
    connect(m_single, &QPushButton::clicked, this, [this] {
        m_singleResult->setText(tr("sending…"));
        emit singleRequested(m_user->value(), m_movie->value(), halfStars(m_stars->value()));
    });
    m_singleResult = new LiveText(2);
    form->addRow(tr("User"), m_user);
    form->addRow(tr("Movie"), m_movie);
    form->addRow(tr("Rating"), m_stars);
    form->addRow(m_single);
    form->addRow(m_singleResult);
    return box;
}

QWidget* FirePanel::buildRuns() {
    // A burst and a paced run share the progress bars: one run at a time.
    auto* box = new QGroupBox(tr("Runs"));
    auto* form = new QFormLayout(box);
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
    connect(m_send, &QPushButton::clicked, this, [this] { emit runRequested(m_count->value(), 0); });
    auto* burstRow = new QHBoxLayout;
    burstRow->addWidget(m_count);
    burstRow->addWidget(m_send);
    form->addRow(tr("Burst"), burstRow);

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
        emit runRequested(static_cast<qint64>(rate) * m_duration->value(), rate);
    });
    auto* pacedRow = new QHBoxLayout;
    pacedRow->addWidget(m_rate);
    pacedRow->addWidget(new QLabel(tr("for")));
    pacedRow->addWidget(m_duration);
    pacedRow->addWidget(m_paced);
    form->addRow(tr("Paced"), pacedRow);

    m_cancel = new QPushButton(tr("Stop"));
    m_cancel->setEnabled(false);
    m_cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancel->setToolTip(tr("Stop sending (Esc); what was sent is still verified. Press again to stop "
                            "waiting for the rows."));
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        // First Stop: no more sending, the rows of what was sent are still awaited and verified.
        // Stop again while verifying: stop waiting and report what is there.
        m_runLabel->setText(tr("stopping; verifying what was sent…"));
        emit stopRequested();
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
    form->addRow(progressRow);
    form->addRow(m_runLabel);
    return box;
}

void FirePanel::setReady(bool ready, bool running) {
    m_single->setEnabled(ready);
    m_send->setEnabled(ready && !running);
    m_paced->setEnabled(ready && !running);
    m_cancel->setEnabled(running);
    if (running) {
        m_acked->setValue(0);
        m_persisted->setValue(0);
        m_runLabel->setText(tr("starting the run…"));
    }
}

QString FirePanel::lastSingleResult() const {
    return m_singleResult->text();
}

void FirePanel::onSingleSent(const QString& message, bool ok) {
    m_singleResult->setText(message);
    m_singleResult->setColor(ok ? QColor() : QColor(0xc6, 0x28, 0x28));
}

void FirePanel::onRunStarted(qint64 total, const QString& description) {
    m_acked->setMaximum(static_cast<int>(total));
    m_persisted->setMaximum(static_cast<int>(total));
    m_runLabel->setText(tr("%1: %L2 ratings").arg(description).arg(total));
}

void FirePanel::onRunProgress(qint64 sent, qint64 acked, qint64 persisted, qint64 total, double elapsedSec) {
    if (m_acked->maximum() != total) {
        m_acked->setMaximum(static_cast<int>(total));
        m_persisted->setMaximum(static_cast<int>(total));
    }
    m_acked->setValue(static_cast<int>(acked));
    if (persisted >= 0)
        m_persisted->setValue(static_cast<int>(persisted));
    m_runLabel->setText(tr("sent %L1 of %L2 · %3 s").arg(sent).arg(total).arg(elapsedSec, 0, 'f', 1));
}

void FirePanel::onRunFinished(const QString& summary, bool ok) {
    // The label keeps to the numbers; the run id is in its tooltip and in the status bar.
    m_runLabel->setText((ok ? tr("OK · ") : tr("Problem · ")) + summary.section(QStringLiteral(": "), 1));
    m_runLabel->setColor(ok ? QColor() : QColor(0xc6, 0x28, 0x28));
}

} // namespace loadlevel::ui
