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

namespace loadlevel::ui {

// A progress bar that repaints lazily: QProgressBar::setValue() repaints synchronously, which
// under load kept the UI thread waiting on the window system several times a second. Same look
// (drawn with the style's progress bar), "<label> value / maximum" as text.
class LiveBar final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveBar)
public:
    explicit LiveBar(QString label, QWidget* parent = nullptr);
    void setMaximum(qint64 maximum);
    void setValue(qint64 value);
    [[nodiscard]] qint64 value() const { return m_value; }
    [[nodiscard]] qint64 maximum() const { return m_maximum; }
    [[nodiscard]] QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QString m_label;
    qint64 m_value = 0;
    qint64 m_maximum = 0;
};

} // namespace loadlevel::ui
