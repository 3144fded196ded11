#include "ui/http_panel.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>

namespace loadlevel::ui {

HttpPanel::HttpPanel(QWidget* parent)
    : QGroupBox(tr("HTTP service"), parent) {
    auto* form = new QFormLayout(this);
    m_serve = new QCheckBox(tr("Serve"));
    m_serve->setEnabled(false);
    m_serve->setToolTip(tr("POST /ratings answers 202 once Kafka acknowledged; GET /ratings, /health, "
                           "/metrics, /docs. Token from LOADLEVEL_HTTP_TOKEN if set."));
    m_listen = new QLineEdit(QStringLiteral("127.0.0.1:8080"));
    m_listen->setToolTip(tr("Address and port; loopback unless you choose otherwise"));
    m_label = new QLabel(tr("off"));
    m_label->setOpenExternalLinks(true);
    m_label->setTextInteractionFlags(Qt::TextBrowserInteraction);
    connect(m_serve, &QCheckBox::toggled, this, [this](bool on) {
        m_listen->setEnabled(!on);
        emit serveRequested(on ? m_listen->text().trimmed() : QString());
    });
    auto* row = new QHBoxLayout;
    row->addWidget(m_serve);
    row->addWidget(m_listen, 1);
    form->addRow(row);
    form->addRow(m_label);
}

void HttpPanel::setReady(bool ready) {
    m_serve->setEnabled(ready);
}

void HttpPanel::onHttpChanged(const QString& url, const QString& error) {
    m_url = url;
    if (!url.isEmpty()) {
        m_label->setText(QStringLiteral("<a href=\"%1/docs\">%1</a>").arg(url.toHtmlEscaped()));
        return;
    }
    m_label->setText(error.isEmpty() ? tr("off") : error.toHtmlEscaped());
    m_serve->blockSignals(true);
    m_serve->setChecked(false);
    m_serve->blockSignals(false);
    m_listen->setEnabled(true);
}

} // namespace loadlevel::ui
