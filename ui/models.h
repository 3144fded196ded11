#pragma once

#include "store/store.h"

#include <QAbstractTableModel>
#include <QCoreApplication>
#include <QIODevice>
#include <QList>
#include <QStringList>
#include <algorithm>

class QTableView;

namespace loadlevel::store {
// Equality for keyed updates of the stats model.
inline bool operator==(const MovieStats& a, const MovieStats& b) {
    return a.movieId == b.movieId && a.count == b.count && a.average == b.average &&
           a.updatedAt == b.updatedAt;
}
} // namespace loadlevel::store

namespace loadlevel::ui {

// The role under which every model gives a cell's full, unformatted value (CSV export, copy,
// sorting): numbers as numbers, payloads in full.
inline constexpr int kRawRole = Qt::UserRole + 1;

// A table of value rows, each with a unique, increasing key (a row id): the base of the rows
// browser's models. Updates are incremental (insert at the top, change in place, trim the
// bottom), never a reset while following live, so selections and scroll positions survive.
// Thread: the UI thread; the rows come from Session's queries, never from the model itself.
template <typename Row> class RowTableModel : public QAbstractTableModel {
public:
    explicit RowTableModel(QStringList headers, QObject* parent = nullptr)
        : QAbstractTableModel(parent)
        , m_headers(std::move(headers)) {}

    int rowCount(const QModelIndex& parent = {}) const override {
        return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
    }
    int columnCount(const QModelIndex& parent = {}) const override {
        return parent.isValid() ? 0 : static_cast<int>(m_headers.size());
    }
    QVariant data(const QModelIndex& index, int role) const override {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
            return {};
        return cell(m_rows.at(index.row()), index.column(), role);
    }
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override {
        if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 &&
            section < m_headers.size())
            return m_headers.at(section);
        return QAbstractTableModel::headerData(section, orientation, role);
    }

    [[nodiscard]] const Row& at(int row) const { return m_rows.at(row); }
    [[nodiscard]] const QList<Row>& rows() const { return m_rows; }
    [[nodiscard]] qint64 newestKey() const { return m_rows.isEmpty() ? 0 : key(m_rows.front()); }
    [[nodiscard]] qint64 oldestKey() const { return m_rows.isEmpty() ? 0 : key(m_rows.back()); }

    // Replaces everything (another page, another filter).
    void setRows(const QList<Row>& rows) {
        beginResetModel();
        m_rows = rows;
        endResetModel();
    }

    // `newestFirst` is the newest page: rows newer than the current top go in at the top, and
    // the table is trimmed to `cap` rows at the bottom. Returns how many rows came in.
    int mergeNewest(const QList<Row>& newestFirst, int cap) {
        const qint64 top = newestKey();
        qsizetype fresh = 0;
        while (fresh < newestFirst.size() && (m_rows.isEmpty() || key(newestFirst[fresh]) > top))
            ++fresh;
        if (fresh >= cap) { // everything shown is replaced: one reset is cheaper than moving rows
            setRows(newestFirst.first(cap));
            return static_cast<int>(fresh);
        }
        if (fresh > 0) {
            beginInsertRows({}, 0, static_cast<int>(fresh) - 1);
            m_rows = newestFirst.first(fresh) + m_rows;
            endInsertRows();
        }
        if (m_rows.size() > cap) {
            beginRemoveRows({}, cap, static_cast<int>(m_rows.size()) - 1);
            m_rows.resize(cap);
            endRemoveRows();
        }
        return static_cast<int>(fresh);
    }

    // Keyed update for rows that change (movie_stats): changed rows in place, new ones appended,
    // rows no longer present removed.
    void upsert(const QList<Row>& rows) {
        QHash<qint64, qsizetype> incoming;
        for (qsizetype i = 0; i < rows.size(); ++i)
            incoming.insert(key(rows[i]), i);
        for (qsizetype i = m_rows.size() - 1; i >= 0; --i) {
            if (!incoming.contains(key(m_rows[i]))) {
                beginRemoveRows({}, static_cast<int>(i), static_cast<int>(i));
                m_rows.removeAt(i);
                endRemoveRows();
            }
        }
        QHash<qint64, qsizetype> present;
        for (qsizetype i = 0; i < m_rows.size(); ++i)
            present.insert(key(m_rows[i]), i);
        QList<Row> added;
        for (const Row& r : rows) {
            const auto it = present.constFind(key(r));
            if (it == present.cend()) {
                added << r;
                continue;
            }
            if (!(m_rows[*it] == r)) {
                m_rows[*it] = r;
                emit dataChanged(index(static_cast<int>(*it), 0),
                                 index(static_cast<int>(*it), columnCount() - 1));
            }
        }
        if (!added.isEmpty()) {
            beginInsertRows({}, static_cast<int>(m_rows.size()),
                            static_cast<int>(m_rows.size() + added.size()) - 1);
            m_rows += added;
            endInsertRows();
        }
    }

protected:
    [[nodiscard]] virtual qint64 key(const Row& row) const = 0;
    [[nodiscard]] virtual QVariant cell(const Row& row, int column, int role) const = 0;

private:
    QStringList m_headers;
    QList<Row> m_rows;
};

// The newest persisted ratings (rows browser, first tab). Key: the row id (insertion order).
class RatingsModel final : public RowTableModel<store::StoredRating> {
public:
    enum Column { PersistedAt, User, Movie, Rating, EventTime, Run, Partition, Offset, EventId, ColumnCount };
    explicit RatingsModel(QObject* parent = nullptr);

protected:
    qint64 key(const store::StoredRating& r) const override { return r.rowId; }
    QVariant cell(const store::StoredRating& r, int column, int role) const override;
};

// movie_stats, the read model the sink keeps up to date. Key: the movie id.
class MovieStatsModel final : public RowTableModel<store::MovieStats> {
public:
    enum Column { Movie, Count, Average, UpdatedAt, ColumnCount };
    explicit MovieStatsModel(QObject* parent = nullptr);

protected:
    qint64 key(const store::MovieStats& r) const override { return r.movieId; }
    QVariant cell(const store::MovieStats& r, int column, int role) const override;
};

// Messages the sink could not store, with the reason and the raw payload. Key: the id.
class DeadLettersModel final : public RowTableModel<store::DeadLetterRow> {
public:
    enum Column { ReceivedAt, Partition, Offset, Reason, Payload, ColumnCount };
    explicit DeadLettersModel(QObject* parent = nullptr);
    // A payload as a person can read it: UTF-8 text where it is text, \xNN escapes elsewhere.
    static QString readablePayload(const QByteArray& value, qsizetype limit = -1);

protected:
    qint64 key(const store::DeadLetterRow& r) const override { return r.id; }
    QVariant cell(const store::DeadLetterRow& r, int column, int role) const override;
};

// RFC 4180 CSV of a model: a header row, then every row, with kRawRole values where given.
void writeCsv(const QAbstractItemModel& model, QIODevice& out);
// The selected rows of a view as tab-separated text with a header line (for the clipboard).
QString selectedRowsAsText(const QTableView& view);

} // namespace loadlevel::ui
