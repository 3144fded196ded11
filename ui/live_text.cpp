#include "ui/live_text.h"

#include <QEvent>
#include <QPainter>
#include <QTextLayout>

namespace loadlevel::ui {

LiveText::LiveText(int lines, QWidget* parent)
    : QWidget(parent)
    , m_lines(std::max(1, lines)) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setFixedHeight(fontMetrics().lineSpacing() * m_lines + 2);
}

void LiveText::setText(const QString& text) {
    if (text == m_text)
        return;
    m_text = text;
    setToolTip(text);
    update(); // a repaint, never a relayout
}

void LiveText::setColor(const QColor& color) {
    if (color == m_color)
        return;
    m_color = color;
    update();
}

QSize LiveText::sizeHint() const {
    return {fontMetrics().averageCharWidth() * 40, height()};
}

QSize LiveText::minimumSizeHint() const {
    return {fontMetrics().averageCharWidth() * 10, height()};
}

void LiveText::changeEvent(QEvent* event) {
    if (event->type() == QEvent::FontChange)
        setFixedHeight(fontMetrics().lineSpacing() * m_lines + 2);
    QWidget::changeEvent(event);
}

void LiveText::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setPen(m_color.isValid() ? m_color : palette().color(QPalette::WindowText));
    const QFontMetrics fm = fontMetrics();
    // Word-wrapped into at most m_lines lines; the last one elided if the text goes on.
    QTextLayout layout(m_text, font());
    QTextOption option;
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    layout.setTextOption(option);
    layout.beginLayout();
    int y = 0;
    for (int i = 0; i < m_lines; ++i) {
        QTextLine line = layout.createLine();
        if (!line.isValid())
            break;
        line.setLineWidth(width());
        if (i == m_lines - 1 && line.textStart() + line.textLength() < m_text.size()) {
            const QString rest = m_text.mid(line.textStart());
            p.drawText(QPoint(0, y + fm.ascent()), fm.elidedText(rest, Qt::ElideRight, width()));
            break;
        }
        p.drawText(QPoint(0, y + fm.ascent()), m_text.mid(line.textStart(), line.textLength()));
        y += fm.lineSpacing();
    }
    layout.endLayout();
}

} // namespace loadlevel::ui
