#include "ui/rows_browser.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSaveFile>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace loadlevel::ui {

namespace {

QTableView* makeTable(QAbstractItemModel* model) {
    auto* view = new QTableView;
    view->setModel(model);
    view->setAlternatingRowColors(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setResizeContentsPrecision(200); // fit columns to 200 rows, not 1000
    view->verticalHeader()->setVisible(false);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    return view;
}

std::optional<qint64> idField(const QLineEdit* e) {
    bool ok = false;
    const qint64 v = e->text().trimmed().toLongLong(&ok);
    return ok && v > 0 ? std::optional<qint64>(v) : std::nullopt;
}

} // namespace

RowsBrowser::RowsBrowser(QWidget* parent)
    : QWidget(parent)
    , m_ratings(new RatingsModel(this))
    , m_stats(new MovieStatsModel(this))
    , m_statsSorted(new QSortFilterProxyModel(this))
    , m_dead(new DeadLettersModel(this)) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    outer->addWidget(m_tabs);

    // Ratings: filters, pager, table.
    auto* ratingsPage = new QWidget;
    auto* rl = new QVBoxLayout(ratingsPage);
    auto* filters = new QHBoxLayout;
    auto* idValidator =
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{0,18}")), this);
    m_user = new QLineEdit;
    m_user->setPlaceholderText(tr("any"));
    m_user->setValidator(idValidator);
    m_user->setClearButtonEnabled(true);
    m_user->setMinimumWidth(80);
    m_movie = new QLineEdit;
    m_movie->setPlaceholderText(tr("any"));
    m_movie->setValidator(idValidator);
    m_movie->setClearButtonEnabled(true);
    m_movie->setMinimumWidth(80);
    m_rating = new QComboBox;
    m_rating->addItem(tr("any rating"));
    for (int half = 1; half <= 10; ++half)
        m_rating->addItem(QString::number(half / 2.0, 'f', 1), half / 2.0);
    m_fromOn = new QCheckBox(tr("from"));
    m_from = new QDateTimeEdit(QDateTime::currentDateTime().addSecs(-3600));
    m_from->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    m_from->setCalendarPopup(true);
    m_from->setEnabled(false);
    m_toOn = new QCheckBox(tr("to"));
    m_to = new QDateTimeEdit(QDateTime::currentDateTime().addSecs(3600));
    m_to->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    m_to->setCalendarPopup(true);
    m_to->setEnabled(false);
    connect(m_fromOn, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_toOn, &QCheckBox::toggled, m_to, &QWidget::setEnabled);
    auto* apply = new QPushButton(tr("Filter"));
    apply->setToolTip(tr("Show the rows that match (Enter in a field does the same)"));
    auto* clear = new QPushButton(tr("Clear"));
    for (QLineEdit* e : {m_user, m_movie})
        connect(e, &QLineEdit::returnPressed, apply, &QPushButton::click);
    connect(apply, &QPushButton::clicked, this, [this] {
        m_applied = filter();
        newestPage();
    });
    connect(clear, &QPushButton::clicked, this, [this, apply] {
        m_user->clear();
        m_movie->clear();
        m_rating->setCurrentIndex(0);
        m_fromOn->setChecked(false);
        m_toOn->setChecked(false);
        apply->click();
    });
    filters->addWidget(new QLabel(tr("User")));
    filters->addWidget(m_user);
    filters->addWidget(new QLabel(tr("Movie")));
    filters->addWidget(m_movie);
    filters->addWidget(m_rating);
    filters->addStretch();
    // The time range on a row of its own: in one row the filters made the window wider than a
    // 1366-pixel laptop screen.
    auto* times = new QHBoxLayout;
    times->addWidget(m_fromOn);
    times->addWidget(m_from);
    times->addWidget(m_toOn);
    times->addWidget(m_to);
    times->addWidget(apply);
    times->addWidget(clear);
    times->addStretch();
    rl->addLayout(filters);
    rl->addLayout(times);

    auto* pager = new QHBoxLayout;
    m_newest = new QPushButton(tr("« Newest"));
    m_newest->setToolTip(tr("Back to the newest rows, following the database live"));
    m_newer = new QPushButton(tr("‹ Newer"));
    m_older = new QPushButton(tr("Older ›"));
    m_older->setToolTip(tr("The next %L1 older rows (keyset paging: fast on any page)").arg(kPageSize));
    connect(m_newest, &QPushButton::clicked, this, &RowsBrowser::newestPage);
    connect(m_newer, &QPushButton::clicked, this, &RowsBrowser::newerPage);
    connect(m_older, &QPushButton::clicked, this, &RowsBrowser::olderPage);
    m_pageLabel = new QLabel;
    auto* copy = new QPushButton(tr("Copy"));
    copy->setToolTip(tr("Copy the selected rows as tab-separated text (Ctrl+C)"));
    connect(copy, &QPushButton::clicked, this, &RowsBrowser::copySelection);
    auto* csv = new QPushButton(tr("Export CSV…"));
    csv->setToolTip(tr("Save the rows of this tab as CSV"));
    connect(csv, &QPushButton::clicked, this, &RowsBrowser::exportCsv);
    pager->addWidget(m_newest);
    pager->addWidget(m_newer);
    pager->addWidget(m_older);
    pager->addWidget(m_pageLabel, 1);
    pager->addWidget(copy);
    pager->addWidget(csv);

    m_ratingsView = makeTable(m_ratings);
    rl->addWidget(m_ratingsView, 1);
    m_tabs->addTab(ratingsPage, tr("Ratings"));
    // Scrolling back to the top catches up with what came in meanwhile.
    connect(m_ratingsView->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int v) {
        if (v == 0 && m_pendingNewer > 0 && m_cursors.empty())
            requestPage(0, Kind::Follow);
    });

    // movie_stats, sortable by any column.
    m_statsSorted->setSourceModel(m_stats);
    m_statsSorted->setSortRole(kRawRole);
    m_statsView = makeTable(m_statsSorted);
    m_statsView->setSortingEnabled(true);
    m_statsView->sortByColumn(MovieStatsModel::UpdatedAt, Qt::DescendingOrder);
    m_tabs->addTab(m_statsView, tr("Movie stats"));

    // Dead letters with the payload of the selected one.
    auto* deadSplit = new QSplitter(Qt::Vertical);
    m_deadView = makeTable(m_dead);
    m_payload = new QPlainTextEdit;
    m_payload->setReadOnly(true);
    m_payload->setPlaceholderText(tr("Select a dead letter to see its reason and its raw payload"));
    m_payload->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    deadSplit->addWidget(m_deadView);
    deadSplit->addWidget(m_payload);
    deadSplit->setStretchFactor(0, 3);
    deadSplit->setStretchFactor(1, 1);
    connect(m_deadView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (!current.isValid() || current.row() >= m_dead->rowCount()) {
                    m_payload->clear();
                    return;
                }
                const store::DeadLetterRow& d = m_dead->at(current.row());
                m_payload->setPlainText(
                    tr("partition %1, offset %2, %3 bytes\nreason: %4\n\n%5")
                        .arg(d.partition)
                        .arg(d.offset)
                        .arg(d.value.size())
                        .arg(d.reason, DeadLettersModel::readablePayload(d.value, 65536)));
            });
    m_tabs->addTab(deadSplit, tr("Dead letters"));
    outer->addLayout(pager);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        updatePager();
        refresh();
    });

    auto* copyAction = new QAction(tr("Copy rows"), this);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copyAction, &QAction::triggered, this, &RowsBrowser::copySelection);
    addAction(copyAction);

    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &RowsBrowser::refresh);
    updatePager();
}

store::RatingFilter RowsBrowser::filter() const {
    store::RatingFilter f;
    f.userId = idField(m_user);
    f.movieId = idField(m_movie);
    if (m_rating->currentIndex() > 0)
        f.rating = m_rating->currentData().toDouble();
    if (m_fromOn->isChecked())
        f.persistedFrom = m_from->dateTime().toUTC();
    if (m_toOn->isChecked())
        f.persistedTo = m_to->dateTime().toUTC();
    return f;
}

void RowsBrowser::setUserFilter(qint64 userId) {
    m_user->setText(QString::number(userId));
    m_applied = filter();
    newestPage();
}

void RowsBrowser::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    for (QTableView* v : {m_ratingsView, m_statsView, m_deadView})
        fitColumns(v);
    if (m_timer.isActive())
        refresh();
}

void RowsBrowser::setLive(bool live) {
    if (live) {
        m_timer.start();
        refresh();
    } else {
        m_timer.stop();
    }
}

bool RowsBrowser::following() const {
    return m_cursors.empty() && m_ratingsView->verticalScrollBar()->value() == 0;
}

void RowsBrowser::refresh() {
    if (!isVisible())
        return; // nobody looks: no queries, no model churn (showEvent catches up)
    switch (m_tabs->currentIndex()) {
    case 0:
        if (m_cursors.empty())
            requestPage(0, Kind::Follow);
        break;
    case 1:
        emit requestMovieStats(kPageSize);
        break;
    default:
        emit requestDeadLetters(kPageSize);
        break;
    }
}

void RowsBrowser::requestPage(qint64 before, Kind kind) {
    m_requestKind = kind;
    emit requestRatings(++m_request, m_applied, kPageSize, before);
}

void RowsBrowser::onRatings(quint64 request, const QList<store::StoredRating>& rows) {
    if (request != m_request)
        return; // an answer to a question no longer asked
    if (m_requestKind == Kind::Page) {
        m_ratings->setRows(rows);
        m_ratingsView->scrollToTop();
        m_pendingNewer = 0;
        m_hasOlder = rows.size() == kPageSize;
    } else if (following()) {
        m_ratings->mergeNewest(rows, kPageSize);
        m_pendingNewer = 0;
        m_hasOlder = m_hasOlder || m_ratings->rowCount() == kPageSize;
    } else {
        // The user reads further down: count what came in, move nothing.
        const qint64 top = m_ratings->newestKey();
        m_pendingNewer = std::ranges::count_if(rows, [top](const auto& r) { return r.rowId > top; });
    }
    fitColumns(m_ratingsView);
    updatePager();
}

void RowsBrowser::onMovieStats(const QList<store::MovieStats>& rows) {
    m_stats->upsert(rows);
    fitColumns(m_statsView);
}

void RowsBrowser::onDeadLetters(const QList<store::DeadLetterRow>& rows) {
    m_dead->mergeNewest(rows, kPageSize);
    fitColumns(m_deadView);
}

void RowsBrowser::fitColumns(QTableView* view) {
    // Once, when the first rows arrive; after that the widths are the user's.
    if (view->model()->rowCount() == 0 || !view->isVisible() || view->property("fitted").toBool())
        return;
    view->resizeColumnsToContents();
    view->setProperty("fitted", true);
}

void RowsBrowser::newestPage() {
    m_cursors.clear();
    m_pageBefore = 0;
    requestPage(0, Kind::Page);
    updatePager();
}

void RowsBrowser::olderPage() {
    if (m_ratings->rowCount() == 0)
        return;
    m_cursors.push_back(m_pageBefore);
    m_pageBefore = m_ratings->oldestKey();
    requestPage(m_pageBefore, Kind::Page);
    updatePager();
}

void RowsBrowser::newerPage() {
    if (m_cursors.empty())
        return;
    m_pageBefore = m_cursors.back();
    m_cursors.pop_back();
    requestPage(m_pageBefore, Kind::Page);
    updatePager();
}

void RowsBrowser::updatePager() {
    const bool ratingsTab = m_tabs->currentIndex() == 0;
    m_newest->setEnabled(ratingsTab && (!m_cursors.empty() || m_pendingNewer > 0));
    m_newer->setEnabled(ratingsTab && !m_cursors.empty());
    m_older->setEnabled(ratingsTab && m_hasOlder);
    if (!ratingsTab) {
        m_pageLabel->setText(m_tabs->currentIndex() == 1 ? tr("the %L1 movies updated last").arg(kPageSize)
                                                         : tr("the newest %L1 dead letters").arg(kPageSize));
        return;
    }
    QString text = tr("page %1 · %L2 rows").arg(page()).arg(m_ratings->rowCount());
    if (!m_cursors.empty())
        text += tr(" · live updates on the newest page");
    else if (m_pendingNewer > 0)
        text += tr(" · %L1 newer rows, scroll to the top to see them").arg(m_pendingNewer);
    else if (m_timer.isActive())
        text += tr(" · live");
    m_pageLabel->setText(text);
}

QTableView* RowsBrowser::currentView() const {
    switch (m_tabs->currentIndex()) {
    case 0:
        return m_ratingsView;
    case 1:
        return m_statsView;
    default:
        return m_deadView;
    }
}

void RowsBrowser::copySelection() {
    const QString text = selectedRowsAsText(*currentView());
    if (text.count(u'\n') <= 1) {
        emit message(tr("Select rows to copy first"));
        return;
    }
    QApplication::clipboard()->setText(text);
    emit message(tr("Copied %L1 rows").arg(text.count(u'\n') - 1));
}

void RowsBrowser::exportCsv() {
    const QString name = m_tabs->tabText(m_tabs->currentIndex()).toLower().replace(u' ', u'-');
    const QString file =
        QFileDialog::getSaveFileName(this, tr("Export as CSV"), name + u".csv", tr("CSV files (*.csv)"));
    if (file.isEmpty())
        return;
    QSaveFile f(file);
    if (!f.open(QIODevice::WriteOnly)) {
        emit message(tr("Cannot write %1: %2").arg(file, f.errorString()));
        return;
    }
    writeCsv(*currentView()->model(), f);
    if (!f.commit())
        emit message(tr("Cannot write %1: %2").arg(file, f.errorString()));
    else
        emit message(tr("Saved %L1 rows to %2").arg(currentView()->model()->rowCount()).arg(file));
}

void RowsBrowser::showDeadLetters() {
    m_tabs->setCurrentIndex(m_tabs->count() - 1); // ratings, movie stats, dead letters
    refresh();
}

} // namespace loadlevel::ui
