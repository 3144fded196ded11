#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

namespace loadlevel::ingest {

// What the document says about the running service: where it listens, and whether it asks for a
// token.
struct ApiDocumentOptions {
    QString serverUrl = QStringLiteral("http://127.0.0.1:8080");
    bool bearer = false; // started with --token: every route but /health, /openapi.json, /docs
};

// The OpenAPI 3.0 document of the HTTP service (GET /openapi.json), describing the service as it
// runs: its address in `servers`, and bearer auth (with its 401s) only when a token is set.
// tst_http checks that its paths and methods are exactly the service's routes; the
// openapi_conformance test fuzzes the service against it (Schemathesis).
QByteArray openApiDocument(const ApiDocumentOptions& options = {});

// GET /docs: Swagger UI (npm's swagger-ui-dist, pinned by scripts/swagger-ui, compiled in) on
// /openapi.json; no CDN, no file from outside the program.
QByteArray docsPage();

// GET /docs/<name>: the page's assets (swagger-ui-bundle.js, swagger-ui.css, init.js, LICENSE).
struct DocsAsset {
    QByteArray body;
    QByteArray contentType;
};
std::optional<DocsAsset> docsAsset(const QString& name);

} // namespace loadlevel::ingest
