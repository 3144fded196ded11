#pragma once

#include <QGroupBox>

class QCheckBox;
class QSpinBox;

namespace loadlevel::ui {

// The sink's knobs: its members (0 stops consuming; the group rebalances), its ceiling on rows
// written per second (the database's capacity in the load-levelling picture), whether that
// ceiling is the whole group's or each member's (one connection's pace, so more members write
// faster), and pause. Thread: the UI thread.
class SinkPanel final : public QGroupBox {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SinkPanel)
public:
    explicit SinkPanel(QWidget* parent = nullptr);

    // A new pipeline: members up to its partitions (2 to begin with), not paused, and the
    // ceiling chosen before applied to it again.
    void onStarted(int partitions);
    void setReady(bool ready);

    [[nodiscard]] QSpinBox* membersBox() const { return m_members; }
    [[nodiscard]] QSpinBox* ceilingBox() const { return m_ceiling; }
    [[nodiscard]] QCheckBox* perMemberBox() const { return m_perMember; }
    [[nodiscard]] QCheckBox* pauseBox() const { return m_pause; }

signals:
    void membersChanged(int members);
    void ceilingChanged(double rowsPerSec, bool perMember); // 0: none
    void pausedChanged(bool paused);

private:
    void emitCeiling();

    QSpinBox* m_members = nullptr;
    QSpinBox* m_ceiling = nullptr;
    QCheckBox* m_perMember = nullptr;
    QCheckBox* m_pause = nullptr;
};

} // namespace loadlevel::ui
