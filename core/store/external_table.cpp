// Someone else's table: the mapping that names it, and how a run's rows are read from it.
#include "store/qt_sql_store.h"

#include <QRegularExpression>
#include <QSqlRecord>
#include <QUuid>

namespace loadlevel::store {

namespace {

bool isIdentifier(const QString& name, bool qualified) {
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    static const QRegularExpression dotted(
        QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$"));
    return (qualified ? dotted : plain).match(name).hasMatch();
}

// "schema.table" → "schema"."table": identifiers are checked, then quoted, never bound.
QString quoted(const QString& name) {
    QStringList parts = name.split(u'.');
    for (QString& p : parts)
        p = u'"' + p + u'"';
    return parts.join(u'.');
}

} // namespace

Result<ExternalTable> ExternalTable::parse(const QString& mapping, const QString& defaultDatabase,
                                           const QString& keyKind) {
    const QString form =
        QStringLiteral("write table=NAME,key=COLUMN[,time=COLUMN][,by=event_id|run_seq][,db=URL]");
    ExternalTable t;
    t.database = defaultDatabase;
    t.keyKind = keyKind;
    for (const QString& part : mapping.split(u',', Qt::SkipEmptyParts)) {
        const qsizetype eq = part.indexOf(u'=');
        const QString name = part.left(eq).trimmed();
        const QString value = eq < 0 ? QString() : part.mid(eq + 1).trimmed();
        if (eq < 0 || value.isEmpty())
            return fail(Error::invalid(
                QStringLiteral("--verify-table: '%1' is not name=value (%2)").arg(part, form)));
        if (name == u"table")
            t.table = value;
        else if (name == u"key")
            t.keyColumn = value;
        else if (name == u"time")
            t.timeColumn = value;
        else if (name == u"by")
            t.keyKind = value;
        else if (name == u"db")
            t.database = value;
        else
            return fail(Error::invalid(QStringLiteral("--verify-table: unknown '%1' (%2)").arg(name, form)));
    }
    if (t.table.isEmpty() || t.keyColumn.isEmpty())
        return fail(Error::invalid(QStringLiteral("--verify-table needs table= and key= (%1)").arg(form)));
    if (!isIdentifier(t.table, true) || !isIdentifier(t.keyColumn, false) ||
        (!t.timeColumn.isEmpty() && !isIdentifier(t.timeColumn, false)))
        return fail(Error::invalid(QStringLiteral(
            "--verify-table: table and column names are letters, digits and _ (schema.table for a "
            "schema)")));
    if (t.keyKind != u"event_id" && t.keyKind != u"run_seq")
        return fail(Error::invalid(
            QStringLiteral("--verify-table: by= is event_id or run_seq, not '%1'").arg(t.keyKind)));
    if (t.keyKind == u"run_seq" && t.timeColumn.isEmpty())
        return fail(
            Error::invalid(QStringLiteral("--verify-table: a run_seq key is only unique within a run; give "
                                          "time=COLUMN so that this run's rows "
                                          "can be told from older ones, or carry {{event_id}} instead")));
    if (t.database.isEmpty())
        return fail(Error::invalid(
            QStringLiteral("--verify-table: which database? give db=URL, --db or LOADLEVEL_DB")));
    return t;
}

QString ExternalTable::describe() const {
    return QStringLiteral("%1.%2 (%3)%4 in %5")
        .arg(table, keyColumn, keyKind,
             timeColumn.isEmpty() ? QStringLiteral(", no time column")
                                  : QStringLiteral(", time %1").arg(timeColumn),
             redactUrl(database));
}

Result<void> QtSqlStore::checkTable(const ExternalTable& t) {
    auto q = query(QStringLiteral("SELECT * FROM %1 WHERE 1 = 0").arg(quoted(t.table)), {},
                   QStringLiteral("reading table %1").arg(t.table));
    if (!q)
        return fail(Error::notFound(
            QStringLiteral("--verify-table: table %1 cannot be read: %2").arg(t.table, q.error().message)));
    const QSqlRecord record = q->record();
    QStringList columns;
    for (int i = 0; i < record.count(); ++i)
        columns << record.fieldName(i);
    for (const QString& c : {t.keyColumn, t.timeColumn})
        if (!c.isEmpty() && !columns.contains(c, Qt::CaseInsensitive))
            return fail(
                Error::notFound(QStringLiteral("--verify-table: table %1 has no column %2 (it has: %3)")
                                    .arg(t.table, c, columns.join(QStringLiteral(", ")))));
    return {};
}

Result<std::vector<KeyedRows>> QtSqlStore::keyedRows(const ExternalTable& t, const QStringList& keys,
                                                     const QDateTime& since) {
    const QString time =
        t.timeColumn.isEmpty() ? QStringLiteral("NULL") : QStringLiteral("MIN(\"%1\")").arg(t.timeColumn);
    const QString select = QStringLiteral("SELECT CAST(\"%1\" AS TEXT), COUNT(*), %2 FROM %3 ")
                               .arg(t.keyColumn, time, quoted(t.table));
    std::vector<KeyedRows> out;
    auto read = [&](QSqlQuery& q) {
        while (q.next())
            out.push_back({q.value(0).toString(), q.value(1).toLongLong(),
                           q.value(2).isNull() ? -1 : readTime(q.value(2)).toMSecsSinceEpoch()});
    };
    if (t.keyKind == u"run_seq") {
        auto q = query(select + QStringLiteral("WHERE \"%1\" >= ? GROUP BY 1").arg(t.timeColumn),
                       {timeParameter(since)}, QStringLiteral("reading %1").arg(t.table));
        if (!q)
            return fail(q.error());
        read(*q);
        return out;
    }
    // Event ids, checked as UUIDs, in chunks (a statement stays small).
    for (qsizetype at = 0; at < keys.size(); at += 500) {
        QStringList literals;
        for (const QString& k : keys.mid(at, 500)) {
            const QUuid id(k);
            if (id.isNull())
                return fail(Error::invalid(QStringLiteral("not an event id: %1").arg(k)));
            literals << u'\'' + id.toString(QUuid::WithoutBraces) + u'\'';
        }
        auto q = query(select + QStringLiteral("WHERE CAST(\"%1\" AS TEXT) IN (%2) GROUP BY 1")
                                    .arg(t.keyColumn, literals.join(u',')),
                       {}, QStringLiteral("reading %1").arg(t.table));
        if (!q)
            return fail(q.error());
        read(*q);
    }
    return out;
}

} // namespace loadlevel::store
