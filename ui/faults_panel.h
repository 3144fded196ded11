#pragma once

#include <QGroupBox>

class QComboBox;
class QPushButton;
class QSpinBox;

namespace loadlevel::ui {

// Faults injected into the embedded cluster (librdkafka's mock brokers): take a broker down and
// bring it back, and add a round-trip delay to every broker's answers. Shown in embedded mode
// only. Thread: the UI thread.
class FaultsPanel final : public QGroupBox {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FaultsPanel)
public:
    explicit FaultsPanel(QWidget* parent = nullptr);

    // A new pipeline with this many embedded brokers (0: a real cluster; the panel hides).
    void setBrokers(int brokers);

    [[nodiscard]] QPushButton* brokerDownButton() const { return m_brokerDown; }

signals:
    void brokerDownChanged(int broker, bool down);
    void delayChanged(int milliseconds);

private:
    QComboBox* m_broker = nullptr;
    QPushButton* m_brokerDown = nullptr;
    QSpinBox* m_delay = nullptr;
};

} // namespace loadlevel::ui
