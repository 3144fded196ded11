#include "ui/sink_panel.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QSpinBox>

namespace loadlevel::ui {

SinkPanel::SinkPanel(QWidget* parent)
    : QGroupBox(tr("Sink"), parent) {
    auto* form = new QFormLayout(this);
    m_members = new QSpinBox;
    m_members->setRange(0, 6);
    m_members->setValue(2);
    m_members->setToolTip(tr("Consumer-group members writing to the database (0 stops consuming)"));
    connect(m_members, &QSpinBox::valueChanged, this, &SinkPanel::membersChanged);
    m_ceiling = new QSpinBox;
    m_ceiling->setRange(0, 10'000'000);
    m_ceiling->setSingleStep(100);
    m_ceiling->setGroupSeparatorShown(true);
    m_ceiling->setSpecialValueText(tr("no ceiling"));
    m_ceiling->setSuffix(tr(" rows/s"));
    m_ceiling->setToolTip(tr("The most rows per second the sink writes: the database's capacity in the "
                             "load-levelling picture. Bursts above it wait in Kafka as lag."));
    connect(m_ceiling, &QSpinBox::valueChanged, this, &SinkPanel::emitCeiling);
    m_perMember = new QCheckBox(tr("each"));
    m_perMember->setToolTip(tr("The ceiling is each member's (one database connection's pace), so more "
                               "members write faster; unchecked, it is the whole group's"));
    connect(m_perMember, &QCheckBox::toggled, this, &SinkPanel::emitCeiling);
    auto* ceilingRow = new QHBoxLayout;
    ceilingRow->addWidget(m_ceiling, 1);
    ceilingRow->addWidget(m_perMember);
    m_pause = new QCheckBox(tr("Pause the sink"));
    m_pause->setToolTip(tr("Members stay in the group but read nothing: watch the lag build up, then drain"));
    connect(m_pause, &QCheckBox::toggled, this, &SinkPanel::pausedChanged);
    form->addRow(tr("Members"), m_members);
    form->addRow(tr("Ceiling"), ceilingRow);
    form->addRow(m_pause);
    setReady(false);
}

void SinkPanel::emitCeiling() {
    emit ceilingChanged(m_ceiling->value(), m_perMember->isChecked());
}

void SinkPanel::setReady(bool ready) {
    for (QWidget* w : std::initializer_list<QWidget*>{m_members, m_ceiling, m_perMember, m_pause})
        w->setEnabled(ready);
}

void SinkPanel::onStarted(int partitions) {
    m_members->setMaximum(partitions);
    m_members->blockSignals(true);
    m_members->setValue(std::min(2, partitions));
    m_members->blockSignals(false);
    m_pause->blockSignals(true);
    m_pause->setChecked(false);
    m_pause->blockSignals(false);
    if (m_ceiling->value() > 0)
        emitCeiling();
    setReady(true);
}

} // namespace loadlevel::ui
