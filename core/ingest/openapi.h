#pragma once

#include <QByteArray>

namespace loadlevel::ingest {

// The OpenAPI 3.0 document of the HTTP service (GET /openapi.json). tst_http checks that it is
// valid OpenAPI and that its paths and methods are exactly the service's routes.
QByteArray openApiDocument();

// A self-contained page that renders the document (GET /docs): no CDN, no external files.
QByteArray docsPage();

} // namespace loadlevel::ingest
