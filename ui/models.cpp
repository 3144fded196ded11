#include "ui/models.h"

#include "event/codec.h"

#include <QItemSelectionModel>
#include <QStringDecoder>
#include <QTableView>
#include <QTextStream>

namespace loadlevel::ui {

namespace {

QString clockTime(const QDateTime& t) {
    return t.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
}

QVariant rightAligned() {
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
}

QString csvField(const QString& s) {
    if (!s.contains(u',') && !s.contains(u'"') && !s.contains(u'\n') && !s.contains(u'\r'))
        return s;
    QString q = s;
    q.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return u'"' + q + u'"';
}

QString exportText(const QAbstractItemModel& model, int row, int column) {
    const QModelIndex i = model.index(row, column);
    QVariant v = model.data(i, kRawRole);
    if (!v.isValid())
        v = model.data(i, Qt::DisplayRole);
    if (v.metaType().id() == QMetaType::QDateTime)
        return v.toDateTime().toUTC().toString(Qt::ISODateWithMs);
    return v.toString();
}

} // namespace

RatingsModel::RatingsModel(QObject* parent)
    : RowTableModel({tr("Persisted"), tr("User"), tr("Movie"), tr("Rating"), tr("Event time"), tr("Run"),
                     tr("Part."), tr("Offset"), tr("Event id")},
                    parent) {}

QVariant RatingsModel::cell(const store::StoredRating& r, int column, int role) const {
    if (role == Qt::TextAlignmentRole)
        return column == EventId || column == Run ? QVariant() : rightAligned();
    if (role == Qt::ToolTipRole && (column == PersistedAt || column == EventTime))
        return (column == PersistedAt ? r.persistedAt : r.row.event.eventTime)
            .toLocalTime()
            .toString(Qt::ISODateWithMs);
    if (role != Qt::DisplayRole && role != kRawRole)
        return {};
    const bool raw = role == kRawRole;
    switch (column) {
    case PersistedAt:
        return raw ? QVariant(r.persistedAt) : QVariant(clockTime(r.persistedAt));
    case User:
        return r.row.event.userId;
    case Movie:
        return r.row.event.movieId;
    case Rating:
        return raw ? QVariant(r.row.event.rating) : QVariant(event::formatRating(r.row.event.rating));
    case EventTime:
        return raw ? QVariant(r.row.event.eventTime) : QVariant(clockTime(r.row.event.eventTime));
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

MovieStatsModel::MovieStatsModel(QObject* parent)
    : RowTableModel({tr("Movie"), tr("Ratings"), tr("Average"), tr("Last update")}, parent) {}

QVariant MovieStatsModel::cell(const store::MovieStats& r, int column, int role) const {
    if (role == Qt::TextAlignmentRole)
        return rightAligned();
    if (role != Qt::DisplayRole && role != kRawRole)
        return {};
    const bool raw = role == kRawRole;
    switch (column) {
    case Movie:
        return r.movieId;
    case Count:
        return r.count;
    case Average:
        return raw ? QVariant(r.average) : QVariant(QString::number(r.average, 'f', 3));
    case UpdatedAt:
        return raw ? QVariant(r.updatedAt) : QVariant(clockTime(r.updatedAt));
    default:
        return {};
    }
}

DeadLettersModel::DeadLettersModel(QObject* parent)
    : RowTableModel({tr("Received"), tr("Part."), tr("Offset"), tr("Reason"), tr("Payload")}, parent) {}

QString DeadLettersModel::readablePayload(const QByteArray& value, qsizetype limit) {
    const QByteArray v = limit >= 0 ? value.left(limit) : value;
    QString out;
    out.reserve(v.size());
    // Decode UTF-8 sequence by sequence; invalid bytes and control characters become \xNN.
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    qsizetype i = 0;
    while (i < v.size()) {
        const auto c = static_cast<unsigned char>(v[i]);
        qsizetype len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        QString piece;
        if (len > 0 && i + len <= v.size()) {
            piece = utf8.decode(QByteArrayView(v).sliced(i, len));
            if (utf8.hasError() || piece.contains(QChar::ReplacementCharacter))
                piece.clear();
        }
        if (piece.isEmpty() || (len == 1 && c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
            out += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
            utf8.resetState();
            ++i;
            continue;
        }
        out += piece;
        i += len;
    }
    if (limit >= 0 && value.size() > limit)
        out += tr("… (%1 bytes)").arg(value.size());
    return out;
}

QVariant DeadLettersModel::cell(const store::DeadLetterRow& r, int column, int role) const {
    if (role == Qt::TextAlignmentRole)
        return column == Reason || column == Payload ? QVariant() : rightAligned();
    if (role == Qt::ToolTipRole && column == Payload)
        return readablePayload(r.value, 2000);
    if (role != Qt::DisplayRole && role != kRawRole)
        return {};
    const bool raw = role == kRawRole;
    switch (column) {
    case ReceivedAt:
        return raw ? QVariant(r.receivedAt) : QVariant(clockTime(r.receivedAt));
    case Partition:
        return r.partition;
    case Offset:
        return r.offset;
    case Reason:
        return r.reason;
    case Payload:
        return raw ? readablePayload(r.value) : readablePayload(r.value, 120).replace(u'\n', u' ');
    default:
        return {};
    }
}

void writeCsv(const QAbstractItemModel& model, QIODevice& out) {
    QTextStream s(&out);
    s.setEncoding(QStringConverter::Utf8);
    QStringList fields;
    for (int c = 0; c < model.columnCount(); ++c)
        fields << csvField(model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
    s << fields.join(u',') << "\r\n";
    for (int r = 0; r < model.rowCount(); ++r) {
        fields.clear();
        for (int c = 0; c < model.columnCount(); ++c)
            fields << csvField(exportText(model, r, c));
        s << fields.join(u',') << "\r\n";
    }
}

QString selectedRowsAsText(const QTableView& view) {
    const QAbstractItemModel* model = view.model();
    if (!model || !view.selectionModel())
        return {};
    QModelIndexList rows = view.selectionModel()->selectedRows();
    std::ranges::sort(rows, {}, &QModelIndex::row);
    QStringList lines;
    QStringList fields;
    for (int c = 0; c < model->columnCount(); ++c)
        fields << model->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
    lines << fields.join(u'\t');
    for (const QModelIndex& i : rows) {
        fields.clear();
        for (int c = 0; c < model->columnCount(); ++c)
            fields << exportText(*model, i.row(), c).replace(u'\t', u' ').replace(u'\n', u' ');
        lines << fields.join(u'\t');
    }
    return lines.join(u'\n') + u'\n';
}

} // namespace loadlevel::ui
