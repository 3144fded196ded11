#include "ingest/openapi.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace loadlevel::ingest {

namespace {
QByteArray resource(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
} // namespace

QByteArray openApiDocument(const ApiDocumentOptions& options) {
    static const QByteArray kDocument = resource(QStringLiteral(":/openapi.json")); // resources/
    QJsonObject doc = QJsonDocument::fromJson(kDocument).object();
    doc.insert(QStringLiteral("servers"),
               QJsonArray{QJsonObject{{QStringLiteral("url"), options.serverUrl}}});
    if (options.bearer)
        return QJsonDocument(doc).toJson(QJsonDocument::Compact);
    // No token: no security scheme, and no route answers 401.
    doc.remove(QStringLiteral("security"));
    QJsonObject components = doc.value(u"components").toObject();
    components.remove(QStringLiteral("securitySchemes"));
    doc.insert(QStringLiteral("components"), components);
    QJsonObject paths = doc.value(u"paths").toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        QJsonObject item = path.value().toObject();
        for (auto op = item.begin(); op != item.end(); ++op) {
            QJsonObject operation = op.value().toObject();
            operation.remove(QStringLiteral("security"));
            QJsonObject responses = operation.value(u"responses").toObject();
            responses.remove(QStringLiteral("401"));
            operation.insert(QStringLiteral("responses"), responses);
            op.value() = operation;
        }
        path.value() = item;
    }
    doc.insert(QStringLiteral("paths"), paths);
    return QJsonDocument(doc).toJson(QJsonDocument::Compact);
}

QByteArray docsPage() {
    // Swagger UI on /openapi.json: the operations, their parameters and schemas, "Try it out"
    // against this service, and "Authorize" for the bearer token when the service has one (the
    // document declares the scheme only then). Its assets are compiled in (/docs/…): no CDN.
    return QByteArrayLiteral(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>Loadlevel API</title><link rel=\"stylesheet\" href=\"/docs/swagger-ui.css\"></head>"
        "<body><div id=\"swagger-ui\"></div><script src=\"/docs/swagger-ui-bundle.js\"></script>"
        "<script src=\"/docs/init.js\"></script></body></html>");
}

std::optional<DocsAsset> docsAsset(const QString& name) {
    if (name == u"init.js")
        return DocsAsset{QByteArrayLiteral("window.ui = SwaggerUIBundle({url: '/openapi.json', "
                                           "dom_id: '#swagger-ui', deepLinking: true, "
                                           "persistAuthorization: true, tryItOutEnabled: false});\n"),
                         QByteArrayLiteral("text/javascript; charset=utf-8")};
    static const QList<std::pair<QString, QByteArray>> kFiles = {
        {QStringLiteral("swagger-ui-bundle.js"), QByteArrayLiteral("text/javascript; charset=utf-8")},
        {QStringLiteral("swagger-ui.css"), QByteArrayLiteral("text/css; charset=utf-8")},
        {QStringLiteral("LICENSE"), QByteArrayLiteral("text/plain; charset=utf-8")}};
    for (const auto& [file, type] : kFiles)
        if (file == name)
            return DocsAsset{resource(u":/docs/" + file), type};
    return std::nullopt;
}

} // namespace loadlevel::ingest
