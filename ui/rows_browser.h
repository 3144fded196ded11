#pragma once

#include "store/store.h"
#include "ui/models.h"

#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace loadlevel::ui {

// What was persisted: the newest ratings (filtered, keyset-paged), movie_stats and the dead
// letters. Asks for data by signals (connect them to the Session, which queries off the UI thread)
// and takes the answers by slots. On the newest page it follows the database live; once the user
// scrolls down, pages back or selects rows, new rows are counted ("12 newer rows") instead of
// moving what the user is reading. Thread: the UI thread.
class RowsBrowser final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RowsBrowser)
public:
    static constexpr int kPageSize = 1000;

    explicit RowsBrowser(QWidget* parent = nullptr);

    [[nodiscard]] RatingsModel* ratings() const { return m_ratings; }
    [[nodiscard]] MovieStatsModel* movieStats() const { return m_stats; }
    [[nodiscard]] DeadLettersModel* deadLetters() const { return m_dead; }
    [[nodiscard]] QTableView* ratingsView() const { return m_ratingsView; }
    [[nodiscard]] int page() const { return static_cast<int>(m_cursors.size()) + 1; }
    [[nodiscard]] qint64 pendingNewer() const { return m_pendingNewer; }
    // The filter the user entered (unset fields do not filter).
    [[nodiscard]] store::RatingFilter filter() const;
    void setUserFilter(qint64 userId); // for tests and automation: fills the field and applies it

public slots:
    void refresh();          // the visible tab, now
    void showDeadLetters();  // their tab, refreshed
    void setLive(bool live); // follow the database once a second (on while the pipeline runs)
    void onRatings(quint64 request, const QList<loadlevel::store::StoredRating>& rows);
    void onMovieStats(const QList<loadlevel::store::MovieStats>& rows);
    void onDeadLetters(const QList<loadlevel::store::DeadLetterRow>& rows);
    void newestPage();
    void olderPage();
    void newerPage();
    void copySelection();
    void exportCsv();

signals:
    void requestRatings(quint64 request, const loadlevel::store::RatingFilter& filter, int limit,
                        qint64 beforeRowId);
    void requestMovieStats(int limit);
    void requestDeadLetters(int limit);
    void message(const QString& text);

protected:
    void showEvent(QShowEvent* event) override;

private:
    enum class Kind { Follow, Page };
    void requestPage(qint64 before, Kind kind);
    void updatePager();
    static void fitColumns(QTableView* view);
    [[nodiscard]] bool following() const;
    [[nodiscard]] QTableView* currentView() const;

    QTabWidget* m_tabs = nullptr;
    RatingsModel* m_ratings = nullptr;
    MovieStatsModel* m_stats = nullptr;
    QSortFilterProxyModel* m_statsSorted = nullptr;
    DeadLettersModel* m_dead = nullptr;
    QTableView* m_ratingsView = nullptr;
    QTableView* m_statsView = nullptr;
    QTableView* m_deadView = nullptr;
    QPlainTextEdit* m_payload = nullptr;
    QLineEdit* m_user = nullptr;
    QLineEdit* m_movie = nullptr;
    QComboBox* m_rating = nullptr;
    QCheckBox* m_fromOn = nullptr;
    QDateTimeEdit* m_from = nullptr;
    QCheckBox* m_toOn = nullptr;
    QDateTimeEdit* m_to = nullptr;
    QPushButton* m_newest = nullptr;
    QPushButton* m_newer = nullptr;
    QPushButton* m_older = nullptr;
    QLabel* m_pageLabel = nullptr;
    QTimer m_timer;
    store::RatingFilter m_applied;
    std::vector<qint64> m_cursors; // beforeRowId of each page above the current one
    qint64 m_pageBefore = 0;       // this page's cursor (0: the newest page)
    quint64 m_request = 0;         // the answer we wait for; older answers are dropped
    Kind m_requestKind = Kind::Page;
    qint64 m_pendingNewer = 0;
    bool m_hasOlder = false;
};

} // namespace loadlevel::ui
