#pragma once

#include <QObject>
#include <QString>
#include <functional>

namespace loadlevel::ui {

// Passwords of the settings profiles, in the system keychain (Secret Service, KWallet, macOS
// Keychain, Windows Credential Store) through QtKeychain; never in the settings file or a log.
// Without a keychain (a headless box) every call reports why, and the caller keeps the secret
// for the session only. Thread: the UI thread; answers come back on it, asynchronously.
class SecretStore final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretStore)
public:
    // error is empty on success. read() gives found = false for a secret that is not stored.
    using WriteDone = std::function<void(const QString& error)>;
    using ReadDone = std::function<void(bool found, const QString& value, const QString& error)>;

    explicit SecretStore(QString service, QObject* parent = nullptr);

    void write(const QString& key, const QString& value, WriteDone done);
    void read(const QString& key, ReadDone done);
    void remove(const QString& key, WriteDone done = {});

    [[nodiscard]] QString service() const { return m_service; }

signals:
    // Trouble reported by callers whose own object may be gone when the keychain answers.
    void message(const QString& text);

private:
    QString m_service;
};

} // namespace loadlevel::ui
