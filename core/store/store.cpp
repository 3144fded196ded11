#include "store/store.h"

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

#include <QFileInfo>
#include <QUrl>

namespace loadlevel::store {

Result<std::unique_ptr<Store>> openStore(const QString& url, const QString& connectionName) {
    if (url.trimmed().isEmpty())
        return fail(Error::invalid(QStringLiteral("no database given")));
    const QUrl u(url, QUrl::StrictMode);
    const QString scheme = u.scheme().toLower();
    if (scheme == u"postgresql" || scheme == u"postgres") {
        if (u.path().size() < 2)
            return fail(Error::invalid(
                QStringLiteral("database URL %1 names no database (…/dbname)").arg(redactUrl(url))));
        return std::make_unique<PostgresStore>(u, connectionName);
    }
    if (scheme == u"sqlite") {
        if (u.path().isEmpty())
            return fail(Error::invalid(
                QStringLiteral("sqlite URL %1 names no file (sqlite:///path/to/file.sqlite)").arg(url)));
        return std::make_unique<SqliteStore>(u.path(), connectionName);
    }
    if (scheme.isEmpty() || (scheme.size() == 1 && url.size() > 2 && url.at(1) == u':')) // a bare path
        return std::make_unique<SqliteStore>(QFileInfo(url).absoluteFilePath(), connectionName);
    return fail(Error::invalid(
        QStringLiteral("unsupported database URL '%1' (expected postgresql://user@host:port/db, "
                       "sqlite:///path or a file path)")
            .arg(redactUrl(url))));
}

QString redactUrl(const QString& url) {
    QUrl u(url);
    if (!u.password().isEmpty())
        u.setPassword(QStringLiteral("redacted"));
    return u.toString();
}

} // namespace loadlevel::store
