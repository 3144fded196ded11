#include "ui/faults_panel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QPushButton>
#include <QSpinBox>

namespace loadlevel::ui {

FaultsPanel::FaultsPanel(QWidget* parent)
    : QGroupBox(tr("Embedded faults"), parent) {
    setToolTip(tr("Faults injected into the embedded cluster (librdkafka's mock brokers)"));
    auto* form = new QFormLayout(this);
    m_broker = new QComboBox;
    m_brokerDown = new QPushButton(tr("Take down"));
    m_brokerDown->setCheckable(true);
    m_brokerDown->setToolTip(tr("Take the chosen broker down; press again to bring it back"));
    connect(m_brokerDown, &QPushButton::toggled, this, [this](bool down) {
        m_brokerDown->setText(down ? tr("Bring up") : tr("Take down"));
        m_broker->setEnabled(!down);
        emit brokerDownChanged(m_broker->currentData().toInt(), down);
    });
    auto* brokerRow = new QHBoxLayout;
    brokerRow->addWidget(m_broker, 1);
    brokerRow->addWidget(m_brokerDown);
    m_delay = new QSpinBox;
    m_delay->setRange(0, 10000);
    m_delay->setSingleStep(50);
    m_delay->setSuffix(tr(" ms"));
    m_delay->setToolTip(tr("Round-trip time added to every broker's answers"));
    connect(m_delay, &QSpinBox::editingFinished, this, [this] { emit delayChanged(m_delay->value()); });
    form->addRow(tr("Broker"), brokerRow);
    form->addRow(tr("Added delay"), m_delay);
    setEnabled(false);
}

void FaultsPanel::setBrokers(int brokers) {
    setVisible(brokers > 0);
    setEnabled(brokers > 0);
    m_broker->clear();
    for (int b = 1; b <= brokers; ++b)
        m_broker->addItem(tr("broker %1").arg(b), b);
    m_brokerDown->blockSignals(true);
    m_brokerDown->setChecked(false);
    m_brokerDown->setText(tr("Take down"));
    m_brokerDown->blockSignals(false);
    m_broker->setEnabled(true);
}

} // namespace loadlevel::ui
