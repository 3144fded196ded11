#pragma once

#include <QGroupBox>

class QCheckBox;
class QLabel;
class QLineEdit;

namespace loadlevel::ui {

// The HTTP rating service on this pipeline, for curl, wrk or another app: serve on an address
// (loopback by default), and the service's address as a link to its docs once it listens.
// Thread: the UI thread.
class HttpPanel final : public QGroupBox {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpPanel)
public:
    explicit HttpPanel(QWidget* parent = nullptr);

    void setReady(bool ready);
    // The service listens at `url`, or (empty) does not, for `error` if there is one.
    void onHttpChanged(const QString& url, const QString& error);

    [[nodiscard]] QCheckBox* serveBox() const { return m_serve; }
    [[nodiscard]] QLineEdit* listenField() const { return m_listen; }
    [[nodiscard]] QString url() const { return m_url; }

signals:
    void serveRequested(const QString& listen); // empty: stop serving

private:
    QCheckBox* m_serve = nullptr;
    QLineEdit* m_listen = nullptr;
    QLabel* m_label = nullptr;
    QString m_url;
};

} // namespace loadlevel::ui
