#include "store/store.h"

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

#include <QFileInfo>
#include <QUrl>

namespace loadlevel::store {

namespace {

enum class Kind { Postgres, Sqlite, Path };

Result<Kind> classify(const QString& url) {
    if (url.trimmed().isEmpty())
        return fail(Error::invalid(QStringLiteral("no database given")));
    const QUrl u(url, QUrl::StrictMode);
    const QString scheme = u.scheme().toLower();
    if (scheme == u"postgresql" || scheme == u"postgres") {
        if (!u.isValid())
            return fail(Error::invalid(QStringLiteral("database URL %1 is not a valid URL: %2")
                                           .arg(redactUrl(url), u.errorString())));
        if (u.host().isEmpty())
            return fail(Error::invalid(
                QStringLiteral("database URL %1 names no host (postgresql://user@host:port/db)")
                    .arg(redactUrl(url))));
        if (u.path().size() < 2)
            return fail(Error::invalid(
                QStringLiteral("database URL %1 names no database (…/dbname)").arg(redactUrl(url))));
        return Kind::Postgres;
    }
    if (scheme == u"sqlite") {
        if (u.path().isEmpty())
            return fail(Error::invalid(
                QStringLiteral("sqlite URL %1 names no file (sqlite:///path/to/file.sqlite)").arg(url)));
        return Kind::Sqlite;
    }
    if (scheme.isEmpty() || (scheme.size() == 1 && url.size() > 2 && url.at(1) == u':')) // a bare path
        return Kind::Path;
    return fail(Error::invalid(
        QStringLiteral("unsupported database URL '%1' (expected postgresql://user@host:port/db, "
                       "sqlite:///path or a file path)")
            .arg(redactUrl(url))));
}

} // namespace

Result<void> checkUrl(const QString& url) {
    auto k = classify(url);
    if (!k)
        return fail(k.error());
    return {};
}

Result<std::unique_ptr<Store>> openStore(const QString& url, const QString& connectionName) {
    auto kind = classify(url);
    if (!kind)
        return fail(kind.error());
    const QUrl u(url, QUrl::StrictMode);
    switch (*kind) {
    case Kind::Postgres:
        return std::make_unique<PostgresStore>(u, connectionName);
    case Kind::Sqlite:
        return std::make_unique<SqliteStore>(u.path(), connectionName);
    case Kind::Path:
        break;
    }
    return std::make_unique<SqliteStore>(QFileInfo(url).absoluteFilePath(), connectionName);
}

QString redactUrl(const QString& url) {
    QUrl u(url);
    if (!u.password().isEmpty())
        u.setPassword(QStringLiteral("redacted"));
    return u.toString();
}

} // namespace loadlevel::store
