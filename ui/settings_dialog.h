#pragma once

#include "pipeline/settings.h"
#include "ui/profiles.h"
#include "ui/secrets.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace loadlevel::ui {

// Where Loadlevel connects: Kafka bootstrap servers and client properties (SASL and TLS included),
// the database URL and password, topic, partitions and consumer group; saved as named profiles.
// Secrets go to the system keychain only (SecretStore), never to the settings file. OK validates
// everything first (Settings::validate) and, when something is wrong, says what and where, and
// stays open. Thread: the UI thread.
class SettingsDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)
public:
    SettingsDialog(const pipeline::Settings& current, const QString& profile, QSettings& store,
                   SecretStore& secrets, QWidget* parent = nullptr);

    // The settings in the fields, secrets included (valid once the dialog was accepted).
    [[nodiscard]] pipeline::Settings settings() const;
    [[nodiscard]] QString profileName() const;
    [[nodiscard]] QString errorText() const;

    // For tests and automation.
    [[nodiscard]] QLineEdit* bootstrapField() const { return m_bootstrap; }
    [[nodiscard]] QLineEdit* databaseField() const { return m_database; }
    [[nodiscard]] QLineEdit* passwordField() const { return m_password; }
    [[nodiscard]] QLineEdit* topicField() const { return m_topic; }
    [[nodiscard]] QLineEdit* groupField() const { return m_group; }
    [[nodiscard]] QLineEdit* profileField() const { return m_profileName; }
    [[nodiscard]] QDialogButtonBox* buttons() const { return m_buttons; }
    void addProperty(const QString& key, const QString& value);

    void accept() override;

signals:
    void message(const QString& text); // keychain trouble and the like, for the status bar

private:
    void fill(const pipeline::Settings& s);
    void loadProfile(const QString& name);
    void showError(const QString& text, QWidget* field);

    QSettings& m_store;
    SecretStore& m_secrets;
    QComboBox* m_profiles = nullptr;
    QLineEdit* m_profileName = nullptr;
    QLineEdit* m_bootstrap = nullptr;
    QTableWidget* m_props = nullptr;
    QLineEdit* m_database = nullptr;
    QLineEdit* m_password = nullptr;
    QLineEdit* m_topic = nullptr;
    QSpinBox* m_partitions = nullptr;
    QLineEdit* m_group = nullptr;
    QLabel* m_error = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    QString m_runsDir;
    QString m_propertiesFile;
};

} // namespace loadlevel::ui
