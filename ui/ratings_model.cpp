#include "ui/ratings_model.h"

#include "event/codec.h"

namespace loadlevel::ui {

RatingsModel::RatingsModel(QObject* parent)
    : QAbstractTableModel(parent) {}

int RatingsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RatingsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RatingsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= ColumnCount)
        return {};
    const store::StoredRating& r = m_rows.at(index.row());
    if (role == Qt::TextAlignmentRole)
        return index.column() == EventId || index.column() == Run
                   ? QVariant()
                   : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case PersistedAt:
        return r.persistedAt.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
    case User:
        return r.row.event.userId;
    case Movie:
        return r.row.event.movieId;
    case Rating:
        return event::formatRating(r.row.event.rating);
    case EventTime:
        return r.row.event.eventTime.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
    case Run:
        return r.row.event.runId;
    case Partition:
        return r.row.partition;
    case Offset:
        return r.row.offset;
    case EventId:
        return r.row.event.eventId.toString(QUuid::WithoutBraces);
    default:
        return {};
    }
}

QVariant RatingsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char* const names[ColumnCount] = {"Persisted", "User",  "Movie",  "Rating",  "Event time",
                                                   "Run",       "Part.", "Offset", "Event id"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

void RatingsModel::setRows(const QList<store::StoredRating>& rows) {
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

} // namespace loadlevel::ui
