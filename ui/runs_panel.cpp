#include "ui/runs_panel.h"

#include "ui/capacity_chart.h"

#include <QCheckBox>
#include <QColor>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace loadlevel::ui {

namespace {

using Kind = load::Profile::Kind;
constexpr int kCapacitySearch = 100; // the profile combo's data for the search (not a Profile::Kind)

QDoubleSpinBox* rateSpin(double value) {
    auto* s = new QDoubleSpinBox;
    s->setRange(0, 10'000'000);
    s->setDecimals(0);
    s->setSuffix(QObject::tr(" /s"));
    s->setValue(value);
    s->setGroupSeparatorShown(true);
    return s;
}

QDoubleSpinBox* secondsSpin(double value, double min = 0.1) {
    auto* s = new QDoubleSpinBox;
    s->setRange(min, 7 * 24 * 3600);
    s->setDecimals(1);
    s->setSuffix(QObject::tr(" s"));
    s->setValue(value);
    return s;
}

QString targetText(const load::RunReport& r) {
    return r.target.value(u"kind").toString() == u"http"
               ? r.target.value(u"url").toString()
               : QStringLiteral("Kafka · %1").arg(r.target.value(u"topic").toString());
}

} // namespace

RunsModel::RunsModel(QObject* parent)
    : RowTableModel({tr("Started"), tr("Profile"), tr("Verdict"), tr("Thresholds"), tr("Sent"),
                     tr("Accepted"), tr("Failed"), tr("Late"), tr("p99 ms"), tr("Persisted"), tr("Target")},
                    parent) {}

QVariant RunsModel::cell(const load::RunReport& r, int column, int role) const {
    if (role == Qt::ToolTipRole)
        return r.text();
    if (role == Qt::TextAlignmentRole)
        return column >= Sent && column <= Persisted ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                     : QVariant();
    if (role == Qt::ForegroundRole && column == Thresholds && !r.thresholdsPassed())
        return QColor(0xc6, 0x28, 0x28);
    const bool display = role == Qt::DisplayRole;
    if (!display && role != kRawRole)
        return {};
    const QLocale loc;
    auto number = [&](qint64 v) {
        return display ? QVariant(loc.toString(v)) : QVariant(v);
    };
    switch (column) {
    case Started:
        return display ? QVariant(r.manifest.startedAt.toLocalTime().toString(
                             QStringLiteral("yyyy-MM-dd HH:mm:ss")))
                       : QVariant(r.manifest.startedAt.toString(Qt::ISODateWithMs));
    case Profile:
        return r.profile.describe();
    case Target:
        return targetText(r);
    case Sent:
        return number(r.manifest.sent);
    case Accepted:
        return number(r.accepted);
    case Failed:
        return number(r.failed);
    case Late:
        return number(r.late);
    case P99:
        return display ? QVariant(loc.toString(r.response.p99, 'f', 1)) : QVariant(r.response.p99);
    case Persisted:
        return r.verification ? number(r.verification->persisted) : QVariant();
    case Verdict:
        if (r.verification)
            return r.verification->ok() ? tr("verified")
                                        : tr("%L1 missing, %L2 duplicates")
                                              .arg(r.verification->missing)
                                              .arg(r.verification->duplicates);
        return r.manifest.error.isEmpty() ? tr("not verified") : r.manifest.error;
    case Thresholds: {
        if (r.thresholds.empty())
            return {};
        QStringList failed;
        for (const auto& t : r.thresholds)
            if (!t.passed)
                failed << t.text();
        return failed.isEmpty() ? tr("%L1 passed").arg(r.thresholds.size())
                                : failed.join(QStringLiteral("; "));
    }
    default:
        return {};
    }
}

RunsPanel::RunsPanel(QWidget* parent)
    : QWidget(parent) {
    auto* split = new QSplitter;
    split->addWidget(buildEditor());
    split->addWidget(buildHistory());
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({420, 900});
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);
    connectEditor();
    updateForm();
}

QWidget* RunsPanel::buildEditor() {
    auto* editor = new QGroupBox(tr("New run"));
    auto* editorLayout = new QVBoxLayout(editor);
    m_form = new QFormLayout;
    editorLayout->addLayout(m_form);
    editorLayout->addStretch(1); // the form keeps to the top; the pages are as tall as the largest
    buildProfiles();
    buildTarget();
    m_lateAfter = new QSpinBox;
    m_lateAfter->setRange(1, 60000);
    m_lateAfter->setValue(10);
    m_lateAfter->setSuffix(tr(" ms"));
    m_lateAfter->setToolTip(tr("An event sent this long after its due time counts as late"));
    m_seed = new QSpinBox;
    m_seed->setRange(0, 2'000'000'000);
    m_seed->setSpecialValueText(tr("random"));
    m_seed->setToolTip(tr("The generator's seed: the same seed sends the same users, movies and ratings"));
    m_form->addRow(tr("Late after"), m_lateAfter);
    m_form->addRow(tr("Seed"), m_seed);
    m_thresholds = new QLineEdit;
    m_thresholds->setPlaceholderText(tr("e.g. p99(persist) < 250ms; missing == 0"));
    m_thresholds->setToolTip(tr("Pass/fail conditions on the run's figures, separated by ';':\n") +
                             load::thresholdMetrics().join(u'\n'));
    m_form->addRow(tr("Thresholds"), m_thresholds);
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    m_form->addRow(m_summary);
    m_start = new QPushButton(tr("Start run"));
    m_start->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_start->setToolTip(tr("Start the run (Ctrl+R)"));
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setToolTip(tr("First stop ends the sending (what was sent is still verified); a second "
                          "stop ends the waiting"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_stop);
    m_form->addRow(buttons);
    m_progress = new QProgressBar;
    m_progress->setFormat(tr("%v of %m sent"));
    m_progress->setRange(0, 1);
    m_line = new LiveText(2);
    m_form->addRow(m_progress);
    m_form->addRow(m_line);

    return editor;
}

// The profile's combo and one page of parameters per profile, in the combo's order.
void RunsPanel::buildProfiles() {
    m_profile = new QComboBox;
    m_profile->addItem(tr("Single rating"), int(Kind::Single));
    m_profile->addItem(tr("Burst (as fast as possible)"), int(Kind::Burst));
    m_profile->addItem(tr("Constant rate"), int(Kind::Constant));
    m_profile->addItem(tr("Ramp"), int(Kind::Ramp));
    m_profile->addItem(tr("Steps"), int(Kind::Steps));
    m_profile->addItem(tr("Spike"), int(Kind::Spike));
    m_profile->addItem(tr("Capacity search"), kCapacitySearch);
    m_profile->setCurrentIndex(3);
    m_profile->setToolTip(tr("Paced profiles are an open model: events are due at their time whatever the "
                             "target does; what cannot go on time is counted late."));
    m_count = new QSpinBox;
    m_count->setRange(1, 100'000'000);
    m_count->setValue(10000);
    m_count->setGroupSeparatorShown(true);
    m_rate = rateSpin(1000);
    m_from = rateSpin(100);
    m_to = rateSpin(2000);
    m_constantDuration = secondsSpin(30);
    m_rampDuration = secondsSpin(30);
    m_spikeDuration = secondsSpin(60);
    m_steps = new QLineEdit(QStringLiteral("200:10s, 500:10s, 1000:10s"));
    m_steps->setToolTip(tr("rate:duration pairs, held one after another"));
    m_spikeBase = rateSpin(200);
    m_peakRate = rateSpin(5000);
    m_peakAt = secondsSpin(20, 0);
    m_peakFor = secondsSpin(5);
    const load::CapacityOptions capacity;
    m_capStart = rateSpin(capacity.startRate);
    m_capStart->setMinimum(1);
    m_capHold = secondsSpin(capacity.holdSeconds, 5);
    m_capHold->setToolTip(tr("How long each rate is held (at least 5 s: the backlog's slope needs them)"));
    m_capP99 = new QSpinBox;
    m_capP99->setRange(1, 600'000);
    m_capP99->setValue(static_cast<int>(capacity.p99BudgetMs));
    m_capP99->setSuffix(tr(" ms"));
    m_capP99->setToolTip(tr("The p99 budget of the response latency (due → answer)"));
    m_capMaxLag = secondsSpin(capacity.maxLagSeconds);
    m_capMaxLag->setToolTip(tr("The group's lag may be at most this much of the rate's events"));
    m_capTolerance = new QSpinBox;
    m_capTolerance->setRange(1, 50);
    m_capTolerance->setValue(static_cast<int>(capacity.tolerance * 100));
    m_capTolerance->setSuffix(tr(" %"));
    m_capTolerance->setToolTip(tr("The search ends when the bracket is this narrow"));
    m_params = new QStackedWidget;
    auto page = [this](std::initializer_list<std::pair<QString, QWidget*>> rows) {
        auto* w = new QWidget;
        auto* f = new QFormLayout(w);
        f->setContentsMargins(0, 0, 0, 0);
        for (const auto& [label, field] : rows)
            f->addRow(label, field);
        m_params->addWidget(w);
    };
    page({{tr("Events"), new QLabel(tr("one rating"))}});
    page({{tr("Events"), m_count}});
    page({{tr("Rate"), m_rate}, {tr("Duration"), m_constantDuration}});
    page({{tr("From"), m_from}, {tr("To"), m_to}, {tr("Duration"), m_rampDuration}});
    page({{tr("Steps"), m_steps}});
    page({{tr("Base rate"), m_spikeBase},
          {tr("Peak rate"), m_peakRate},
          {tr("Peak at"), m_peakAt},
          {tr("Peak for"), m_peakFor},
          {tr("Duration"), m_spikeDuration}});
    page({{tr("Start rate"), m_capStart},
          {tr("Hold"), m_capHold},
          {tr("p99 budget"), m_capP99},
          {tr("Max lag"), m_capMaxLag},
          {tr("Tolerance"), m_capTolerance}});
    m_form->addRow(tr("Profile"), m_profile);
    m_form->addRow(m_params);
}

void RunsPanel::buildTarget() {
    m_target = new QComboBox;
    m_target->addItem(tr("This pipeline's Kafka topic"));
    m_target->addItem(tr("HTTP endpoint"));
    m_url = new QLineEdit(QStringLiteral("http://127.0.0.1:8080/ratings"));
    m_url->setToolTip(tr("Any endpoint that takes one rating per POST (http:// only)"));
    m_concurrency = new QSpinBox;
    m_concurrency->setRange(1, 10000);
    m_concurrency->setValue(64);
    m_concurrency->setToolTip(tr("Connections, each carrying one request at a time"));
    m_keepAlive = new QCheckBox(tr("Keep connections alive"));
    m_keepAlive->setChecked(true);
    m_runTags = new QCheckBox(tr("Loadlevel's service: send the run tags and verify"));
    m_runTags->setToolTip(tr("The body carries run_id and run_seq, so the rows can be checked in this "
                             "pipeline's database"));
    m_template = new QLineEdit(load::BodyTemplate::plainDefault());
    m_template->setToolTip(tr("Placeholders: {{user_id}} {{movie_id}} {{rating}} {{event_id}} {{event_time}} "
                              "{{run_id}} {{run_seq}} {{source}}"));
    m_form->addRow(tr("Target"), m_target);
    m_httpOptions = new QWidget;
    auto* hf = new QFormLayout(m_httpOptions);
    hf->setContentsMargins(0, 0, 0, 0);
    hf->addRow(tr("URL"), m_url);
    hf->addRow(tr("Connections"), m_concurrency);
    hf->addRow(QString(), m_keepAlive);
    hf->addRow(QString(), m_runTags);
    hf->addRow(tr("Body"), m_template);
    m_form->addRow(m_httpOptions);
}

QWidget* RunsPanel::buildHistory() {
    auto* history = new QGroupBox(tr("History"));
    auto* hl = new QVBoxLayout(history);
    m_model = new RunsModel(this);
    m_view = new QTableView;
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_capacityChart = new CapacityChart;
    m_capacityChart->hide(); // until a search starts
    auto* historySplit = new QSplitter(Qt::Vertical);
    historySplit->addWidget(m_capacityChart);
    historySplit->addWidget(m_view);
    hl->addWidget(historySplit);
    auto* actions = new QHBoxLayout;
    auto* refresh = new QPushButton(tr("Refresh"));
    m_show = new QPushButton(tr("Show…"));
    m_show->setToolTip(tr("The selected run's report and timeline"));
    m_compare = new QPushButton(tr("Compare…"));
    m_compare->setToolTip(tr("Two selected runs side by side"));
    m_export = new QPushButton(tr("Export…"));
    m_export->setToolTip(tr("The selected run's report as JSON, or its timeline as CSV"));
    actions->addWidget(refresh);
    actions->addStretch();
    actions->addWidget(m_show);
    actions->addWidget(m_compare);
    actions->addWidget(m_export);
    hl->addLayout(actions);

    connect(refresh, &QPushButton::clicked, this, &RunsPanel::refreshRequested);
    return history;
}

void RunsPanel::connectEditor() {
    for (QWidget* w : std::initializer_list<QWidget*>{
             m_count, m_rate, m_from, m_to, m_constantDuration, m_rampDuration, m_spikeDuration, m_spikeBase,
             m_peakRate, m_peakAt, m_peakFor, m_concurrency, m_lateAfter, m_seed, m_capStart, m_capHold,
             m_capP99, m_capMaxLag, m_capTolerance}) {
        if (auto* s = qobject_cast<QSpinBox*>(w))
            connect(s, &QSpinBox::valueChanged, this, &RunsPanel::updateForm);
        if (auto* d = qobject_cast<QDoubleSpinBox*>(w))
            connect(d, &QDoubleSpinBox::valueChanged, this, &RunsPanel::updateForm);
    }
    for (QLineEdit* e : {m_steps, m_url, m_template, m_thresholds})
        connect(e, &QLineEdit::textChanged, this, &RunsPanel::updateForm);
    connect(m_profile, &QComboBox::currentIndexChanged, this, &RunsPanel::updateForm);
    connect(m_target, &QComboBox::currentIndexChanged, this, &RunsPanel::updateForm);
    connect(m_runTags, &QCheckBox::toggled, this, [this](bool on) {
        m_template->setText(on ? load::BodyTemplate::loadlevelDefault() : load::BodyTemplate::plainDefault());
    });
    connect(m_start, &QPushButton::clicked, this, [this] {
        if (!problem().isEmpty())
            return;
        if (!isCapacitySearch()) {
            emit startRequested(plan(), target());
            return;
        }
        m_capacityChart->start(capacityOptions());
        m_capacityChart->show();
        emit capacityRequested(plan(), target(), capacityOptions());
    });
    connect(m_stop, &QPushButton::clicked, this, &RunsPanel::stopRequested);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RunsPanel::updateButtons);
    connect(m_show, &QPushButton::clicked, this, [this] { showText(tr("Run report"), details()); });
    connect(m_compare, &QPushButton::clicked, this, [this] { showText(tr("Compare runs"), comparison()); });
    connect(m_export, &QPushButton::clicked, this, [this] {
        const auto runs = selectedReports();
        if (runs.size() != 1)
            return;
        const QString file = QFileDialog::getSaveFileName(
            this, tr("Export the run"), runs.first().manifest.runId + QStringLiteral(".json"),
            tr("Report (*.json);;Timeline (*.csv)"));
        if (!file.isEmpty())
            exportSelected(file);
    });
}

QDoubleSpinBox* RunsPanel::durationBox() const {
    switch (static_cast<Kind>(m_profile->currentData().toInt())) {
    case Kind::Ramp:
        return m_rampDuration;
    case Kind::Spike:
        return m_spikeDuration;
    default:
        return m_constantDuration;
    }
}

bool RunsPanel::isCapacitySearch() const {
    return m_profile->currentData().toInt() == kCapacitySearch;
}

load::CapacityOptions RunsPanel::capacityOptions() const {
    load::CapacityOptions o;
    o.startRate = m_capStart->value();
    o.holdSeconds = m_capHold->value();
    o.p99BudgetMs = m_capP99->value();
    o.maxLagSeconds = m_capMaxLag->value();
    o.tolerance = m_capTolerance->value() / 100.0;
    return o;
}

void RunsPanel::onCapacityStep(const load::CapacityStep& step) {
    m_capacityChart->addStep(step);
}

void RunsPanel::onCapacityFinished(const load::CapacityResult& result) {
    m_capacityChart->finish(result);
}

load::Profile RunsPanel::profile() const {
    if (isCapacitySearch()) // each step is a constant run; this one is the first, for the checks
        return load::Profile::constant(m_capStart->value(), m_capHold->value());
    switch (static_cast<Kind>(m_profile->currentData().toInt())) {
    case Kind::Single:
        return load::Profile::single();
    case Kind::Burst:
        return load::Profile::burst(m_count->value());
    case Kind::Constant:
        return load::Profile::constant(m_rate->value(), m_constantDuration->value());
    case Kind::Ramp:
        return load::Profile::ramp(m_from->value(), m_to->value(), m_rampDuration->value());
    case Kind::Steps:
        return load::Profile::stepped(
            load::parseSteps(m_steps->text()).value_or(std::vector<load::Profile::Step>{}));
    case Kind::Spike:
        return load::Profile::spike(m_spikeBase->value(), m_peakRate->value(), m_peakAt->value(),
                                    m_peakFor->value(), m_spikeDuration->value());
    }
    return {};
}

load::RunPlan RunsPanel::plan() const {
    load::RunPlan p;
    p.profile = profile();
    p.generator.seed = static_cast<quint64>(m_seed->value());
    p.lateAfter = std::chrono::milliseconds(m_lateAfter->value());
    for (const QString& e : m_thresholds->text().split(u';', Qt::SkipEmptyParts))
        if (auto t = load::Threshold::parse(e); t)
            p.thresholds.push_back(*t);
    return p;
}

pipeline::RunTarget RunsPanel::target() const {
    pipeline::RunTarget t;
    t.http = m_target->currentIndex() == 1;
    t.httpOptions.url = QUrl(m_url->text().trimmed());
    t.httpOptions.concurrency = m_concurrency->value();
    t.httpOptions.keepAlive = m_keepAlive->isChecked();
    t.httpOptions.bodyTemplate = m_template->text();
    return t;
}

QString RunsPanel::problem() const {
    const auto kind = static_cast<Kind>(m_profile->currentData().toInt());
    if (kind == Kind::Steps)
        if (auto steps = load::parseSteps(m_steps->text()); !steps)
            return steps.error().message;
    if (auto e = plan().profile.check())
        return e->message;
    for (const QString& e : m_thresholds->text().split(u';', Qt::SkipEmptyParts))
        if (auto t = load::Threshold::parse(e); !t)
            return t.error().message.section(u'\n', 0, 0); // the first line; the tooltip lists the metrics
    if (m_target->currentIndex() == 1) {
        const QUrl url(m_url->text().trimmed());
        if (url.scheme() != u"http" || url.host().isEmpty())
            return tr("the URL must be http://host:port/path");
        if (auto tpl = load::BodyTemplate::compile(m_template->text()); !tpl)
            return tpl.error().message;
    }
    return {};
}

void RunsPanel::updateForm() {
    const auto kind = static_cast<Kind>(m_profile->currentData().toInt());
    const bool http = m_target->currentIndex() == 1;
    m_params->setCurrentIndex(m_profile->currentIndex());
    m_httpOptions->setVisible(http);
    m_lateAfter->setEnabled(kind != Kind::Single && kind != Kind::Burst);
    m_thresholds->setEnabled(!isCapacitySearch()); // the search judges each step by its own criteria
    const QString why = problem();
    if (!why.isEmpty()) {
        m_summary->setText(why);
        QPalette warn = palette();
        warn.setColor(QPalette::WindowText, QColor(0xd9, 0x53, 0x4f));
        m_summary->setPalette(warn);
    } else {
        const load::Profile p = plan().profile;
        m_summary->setText(
            isCapacitySearch()
                ? tr("constant runs of %1 s from %L2/s: doubling until one is not sustained, then halving "
                     "the bracket, then confirming")
                      .arg(m_capHold->value())
                      .arg(m_capStart->value(), 0, 'f', 0)
            : p.paced() ? tr("%L1 events over %2 s").arg(p.totalEvents()).arg(p.durationSeconds(), 0, 'f', 1)
                        : tr("%L1 events, as fast as the target takes them").arg(p.totalEvents()));
        m_summary->setPalette(palette());
    }
    updateButtons();
}

void RunsPanel::updateButtons() {
    m_start->setEnabled(m_ready && !m_running && problem().isEmpty());
    m_stop->setEnabled(m_running);
    const auto n = m_view->selectionModel()->selectedRows().size();
    m_show->setEnabled(n == 1);
    m_export->setEnabled(n == 1);
    m_compare->setEnabled(n == 2);
}

void RunsPanel::setReady(bool ready) {
    m_ready = ready;
    updateButtons();
}

void RunsPanel::setServiceUrl(const QString& url) {
    if (url.isEmpty())
        return;
    m_url->setText(url + QStringLiteral("/ratings"));
    m_runTags->setChecked(true);
}

void RunsPanel::setHistory(const QList<load::RunReport>& reports) {
    // Keep the selection by run id across the reload.
    QStringList selected;
    for (const auto& r : selectedReports())
        selected << r.manifest.runId;
    m_model->setRows(reports);
    for (int row = 0; row < m_model->rowCount(); ++row)
        if (selected.contains(m_model->at(row).manifest.runId))
            m_view->selectionModel()->select(m_model->index(row, 0),
                                             QItemSelectionModel::Select | QItemSelectionModel::Rows);
    m_view->resizeColumnsToContents();
    updateButtons();
}

void RunsPanel::onStarted(qint64 total) {
    m_running = true;
    m_late = m_failed = 0;
    m_rateNow = m_p99Now = 0;
    m_progress->setRange(0, static_cast<int>(std::min<qint64>(total, INT_MAX)));
    m_progress->setValue(0);
    m_line->setText(tr("starting…"));
    updateButtons();
}

void RunsPanel::onProgress(qint64 sent, qint64 acked, qint64 persisted, qint64 total, double elapsedSec) {
    if (!m_running)
        return;
    m_progress->setValue(static_cast<int>(std::min<qint64>(sent, m_progress->maximum())));
    m_line->setText(
        tr("%1 s · accepted %L2 of %L3 (%L4/s, p99 %L5 ms) · failed %L6 · late %L7\npersisted %L8")
            .arg(elapsedSec, 0, 'f', 1)
            .arg(acked)
            .arg(total)
            .arg(m_rateNow, 0, 'f', 0)
            .arg(m_p99Now, 0, 'f', 1)
            .arg(m_failed)
            .arg(m_late)
            .arg(persisted));
}

void RunsPanel::onDetail(qint64 late, qint64 failed, double lastSecondRate, double lastSecondP99Ms) {
    m_late = late;
    m_failed = failed;
    m_rateNow = lastSecondRate;
    m_p99Now = lastSecondP99Ms;
}

void RunsPanel::onFinished(const QString& summary, bool ok) {
    m_running = false;
    m_lastSummary = summary;
    m_line->setText(summary);
    m_line->setColor(ok ? QColor() : QColor(0xd9, 0x53, 0x4f));
    updateButtons();
    emit refreshRequested();
}

QList<load::RunReport> RunsPanel::selectedReports() const {
    QList<load::RunReport> out;
    auto rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(),
              [](const QModelIndex& a, const QModelIndex& b) { return a.row() > b.row(); });
    for (const QModelIndex& i : rows)
        out << m_model->at(i.row()); // oldest first: compare reads "from A to B"
    return out;
}

QString RunsPanel::comparison() const {
    const auto runs = selectedReports();
    return runs.size() == 2 ? load::compareReports(runs[0], runs[1]) : QString();
}

QString RunsPanel::details() const {
    const auto runs = selectedReports();
    if (runs.size() != 1)
        return {};
    const load::RunReport& r = runs.first();
    return r.text() + QStringLiteral("\n\n") + r.timelineTable(100000); // every second
}

bool RunsPanel::exportSelected(const QString& file) {
    const auto runs = selectedReports();
    if (runs.size() != 1)
        return false;
    if (auto saved = runs.first().saveAs(file); !saved) {
        m_line->setText(saved.error().message);
        m_line->setColor(QColor(0xd9, 0x53, 0x4f));
        return false;
    }
    return true;
}

void RunsPanel::showText(const QString& title, const QString& text) {
    if (text.isEmpty())
        return;
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    auto* edit = new QPlainTextEdit(text);
    edit->setReadOnly(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto* box = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(box, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(edit);
    layout->addWidget(box);
    dialog->resize(900, 600);
    dialog->show();
}

} // namespace loadlevel::ui
