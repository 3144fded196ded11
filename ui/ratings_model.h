#pragma once

#include "store/store.h"

#include <QAbstractTableModel>

namespace loadlevel::ui {

// The newest persisted ratings, for the rows browser. Filled by Session::ratingsLoaded (queued);
// never queries anything itself. Thread: the UI thread.
class RatingsModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RatingsModel)
public:
    enum Column { PersistedAt, User, Movie, Rating, EventTime, Run, Partition, Offset, EventId, ColumnCount };

    explicit RatingsModel(QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void setRows(const QList<store::StoredRating>& rows);

private:
    QList<store::StoredRating> m_rows;
};

} // namespace loadlevel::ui
