#include "ingest/openapi.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace loadlevel::ingest {

namespace generated {
extern const char kOpenApiJson[];
}

QByteArray openApiDocument(const ApiDocumentOptions& options) {
    QJsonObject doc = QJsonDocument::fromJson(QByteArray(generated::kOpenApiJson)).object();
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
    // Renders /openapi.json in the browser: routes, parameters, bodies, answers. Plain DOM, no
    // external files (the service may run where there is no internet).
    return QByteArrayLiteral(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Loadlevel API</title>"
        "<style>body{font:15px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;"
        "color:#1d1d1f}h1{margin-bottom:.2em}.op{border:1px solid #d0d0d7;border-radius:6px;margin:1em 0;"
        "padding:.6em 1em}.m{display:inline-block;min-width:4.5em;font-weight:700;text-transform:uppercase}"
        ".get{color:#1565c0}.post{color:#2e7d32}code,pre{background:#f4f4f7;border-radius:4px;padding:1px "
        "4px}"
        "pre{padding:.6em;overflow:auto}td{padding:2px 10px 2px 0;vertical-align:top}"
        "@media(prefers-color-scheme:dark){body{background:#1c1c1e;color:#eee}code,pre{background:#2c2c2e}"
        ".op{border-color:#444}}</style></head><body><h1 id=\"t\">Loadlevel API</h1><p id=\"d\"></p>"
        "<p><a href=\"/openapi.json\">openapi.json</a></p><div id=\"ops\">Loading…</div><script>"
        "const h=s=>String(s).replace(/[&<>\"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','\"':'&quot;'}[c]));"
        "const ref=(doc,o)=>{while(o&&o.$ref){o=o.$ref.split('/').slice(1).reduce((a,k)=>a[k],doc);}return "
        "o;};"
        "fetch('/openapi.json',{headers:{}}).then(r=>r.json()).then(doc=>{"
        "document.getElementById('t').textContent=doc.info.title+' '+doc.info.version;"
        "document.getElementById('d').textContent=doc.info.description;let out='';"
        "for(const [path,item] of Object.entries(doc.paths)){for(const [m,op] of Object.entries(item)){"
        "out+=`<div class=op><span class=\"m ${m}\">${m}</span> <code>${h(path)}</code> "
        "${h(op.summary||'')}`;"
        "if(op.parameters){out+='<table>'+op.parameters.map(p=>`<tr><td><code>${h(p.name)}</code></td>"
        "<td>${h(p.in)}</td><td>${h(p.schema.type)}</td><td>${h(p.description||'')}</td></tr>`).join('')+'</"
        "table>';}"
        "if(op.requestBody){const s=op.requestBody.content['application/json'].schema;"
        "out+='<p>Body:</p><pre>'+h(JSON.stringify(ref(doc,(s.oneOf||[s])[0]),null,2))+'</pre>';}"
        "out+='<table>'+Object.entries(op.responses).map(([c,r])=>`<tr><td><b>${c}</b></"
        "td><td>${h(ref(doc,r).description)}"
        "</td></tr>`).join('')+'</table></div>';}}document.getElementById('ops').innerHTML=out;})"
        ".catch(e=>{document.getElementById('ops').textContent='Cannot load /openapi.json: '+e;});"
        "</script></body></html>");
}

} // namespace loadlevel::ingest
