#pragma once

#include <QColor>
#include <QWidget>

namespace loadlevel::ui {

// Text that changes several times a second (run progress, rates, results) without moving the
// layout: a QLabel asks the whole window to lay itself out again on every setText(), which with
// three charts in the window cost ~30 ms of the UI thread each time. This widget has a fixed
// height of `lines` lines and only repaints itself; text that does not fit is elided (the full
// text is in the tooltip). Thread: the UI thread.
class LiveText final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveText)
public:
    explicit LiveText(int lines = 1, QWidget* parent = nullptr);

    void setText(const QString& text);
    [[nodiscard]] QString text() const { return m_text; }
    // Invalid: the palette's text colour.
    void setColor(const QColor& color);

    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    int m_lines;
    QString m_text;
    QColor m_color;
};

} // namespace loadlevel::ui
