#include "ui/settings_dialog.h"

#include "kafka/client_config.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QVBoxLayout>

namespace loadlevel::ui {

namespace {

bool secretKey(const QString& key) {
    return kafka::ClientConfig::isSecret(key.trimmed().toStdString());
}

// Values of secret properties show as dots and are edited in a password field.
class PropertyDelegate final : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override {
        QStyledItemDelegate::initStyleOption(option, index);
        if (index.column() == 1 && isSecret(index) && !option->text.isEmpty())
            option->text = QString(8, QChar(0x2022));
    }
    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                          const QModelIndex& index) const override {
        QWidget* w = QStyledItemDelegate::createEditor(parent, option, index);
        if (auto* e = qobject_cast<QLineEdit*>(w); e && index.column() == 1 && isSecret(index))
            e->setEchoMode(QLineEdit::Password);
        return w;
    }

private:
    static bool isSecret(const QModelIndex& index) {
        return secretKey(index.siblingAtColumn(0).data().toString());
    }
};

} // namespace

SettingsDialog::SettingsDialog(const pipeline::Settings& current, const QString& profile, QSettings& store,
                               SecretStore& secrets, QWidget* parent)
    : QDialog(parent)
    , m_store(store)
    , m_secrets(secrets)
    , m_runsDir(current.runsDir) {
    setWindowTitle(tr("Connection settings"));
    auto* outer = new QVBoxLayout(this);

    auto* profileRow = new QHBoxLayout;
    m_profiles = new QComboBox;
    m_profiles->addItem(tr("(current settings)"));
    m_profiles->addItems(Profiles(m_store).names());
    m_profiles->setToolTip(tr("Load a saved profile into the fields"));
    auto* remove = new QPushButton(tr("Delete profile"));
    profileRow->addWidget(new QLabel(tr("Profile")));
    profileRow->addWidget(m_profiles, 1);
    profileRow->addWidget(remove);
    outer->addLayout(profileRow);

    auto* kafkaBox = new QGroupBox(tr("Kafka"));
    auto* kf = new QFormLayout(kafkaBox);
    m_bootstrap = new QLineEdit;
    m_bootstrap->setPlaceholderText(tr("empty: the embedded cluster inside Loadlevel"));
    m_bootstrap->setToolTip(tr("Bootstrap servers, host:port[,host:port…]"));
    kf->addRow(tr("Bootstrap servers"), m_bootstrap);
    m_props = new QTableWidget(0, 2);
    m_props->setHorizontalHeaderLabels({tr("Property"), tr("Value")});
    m_props->horizontalHeader()->setStretchLastSection(true);
    m_props->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_props->verticalHeader()->setVisible(false);
    m_props->setItemDelegate(new PropertyDelegate(m_props));
    m_props->setMinimumHeight(120);
    m_props->setToolTip(tr("librdkafka client properties, e.g. security.protocol=SASL_SSL, "
                           "sasl.mechanism=SCRAM-SHA-512, sasl.username, sasl.password, ssl.ca.location. "
                           "Passwords and keys are kept in the system keychain."));
    auto* propButtons = new QHBoxLayout;
    auto* add = new QPushButton(tr("Add property"));
    auto* del = new QPushButton(tr("Remove property"));
    connect(add, &QPushButton::clicked, this, [this] {
        addProperty({}, {});
        m_props->editItem(m_props->item(m_props->rowCount() - 1, 0));
    });
    connect(del, &QPushButton::clicked, this, [this] {
        if (m_props->currentRow() >= 0)
            m_props->removeRow(m_props->currentRow());
    });
    propButtons->addWidget(add);
    propButtons->addWidget(del);
    propButtons->addStretch();
    kf->addRow(tr("Properties"), m_props);
    kf->addRow(propButtons);
    outer->addWidget(kafkaBox);

    auto* dbBox = new QGroupBox(tr("Database"));
    auto* df = new QFormLayout(dbBox);
    m_database = new QLineEdit;
    m_database->setPlaceholderText(tr("empty: the embedded SQLite file"));
    m_database->setToolTip(
        tr("postgresql://user@host:port/db[?sslmode=verify-full], sqlite:///path or a file path"));
    m_password = new QLineEdit;
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("kept in the system keychain"));
    df->addRow(tr("URL"), m_database);
    df->addRow(tr("Password"), m_password);
    outer->addWidget(dbBox);

    auto* flowBox = new QGroupBox(tr("Topic and sink"));
    auto* ff = new QFormLayout(flowBox);
    m_topic = new QLineEdit;
    m_partitions = new QSpinBox;
    m_partitions->setRange(1, 10000);
    m_partitions->setToolTip(tr("Partitions of a topic Loadlevel creates (an existing topic keeps its own)"));
    m_group = new QLineEdit;
    ff->addRow(tr("Topic"), m_topic);
    ff->addRow(tr("Partitions"), m_partitions);
    ff->addRow(tr("Consumer group"), m_group);
    outer->addWidget(flowBox);

    auto* saveRow = new QHBoxLayout;
    m_profileName = new QLineEdit(profile);
    m_profileName->setPlaceholderText(tr("a name to save these settings under (optional)"));
    saveRow->addWidget(new QLabel(tr("Save as profile")));
    saveRow->addWidget(m_profileName, 1);
    outer->addLayout(saveRow);

    m_error = new QLabel;
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold"));
    m_error->setVisible(false);
    outer->addWidget(m_error);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Apply and restart"));
    m_buttons->button(QDialogButtonBox::Ok)
        ->setToolTip(tr("Check the settings, save the profile and restart the pipeline with them"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    outer->addWidget(m_buttons);

    connect(m_profiles, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i > 0)
            loadProfile(m_profiles->itemText(i));
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int i = m_profiles->currentIndex();
        if (i <= 0)
            return;
        const QString name = m_profiles->itemText(i);
        QStringList keys;
        Profiles p(m_store);
        (void)p.load(name, &keys);
        for (const QString& k : keys)
            m_secrets.remove(Profiles::keychainKey(name, k));
        p.remove(name);
        m_profiles->removeItem(i);
        emit message(tr("Profile %1 deleted").arg(name));
    });

    fill(current);
    resize(620, 640);
}

void SettingsDialog::addProperty(const QString& key, const QString& value) {
    const int row = m_props->rowCount();
    m_props->insertRow(row);
    m_props->setItem(row, 0, new QTableWidgetItem(key));
    m_props->setItem(row, 1, new QTableWidgetItem(value));
}

void SettingsDialog::fill(const pipeline::Settings& s) {
    m_bootstrap->setText(s.kafka);
    m_props->setRowCount(0);
    for (const QString& p : s.kafkaProperties)
        addProperty(p.section(u'=', 0, 0).trimmed(), p.section(u'=', 1));
    QString password;
    m_database->setText(Profiles::withoutPassword(s.database, &password));
    m_password->setText(password);
    m_topic->setText(s.topic);
    m_partitions->setValue(s.partitions);
    m_group->setText(s.group);
    m_propertiesFile = s.kafkaPropertiesFile;
}

void SettingsDialog::loadProfile(const QString& name) {
    QStringList secretKeys;
    const auto s = Profiles(m_store).load(name, &secretKeys);
    if (!s)
        return;
    fill(*s);
    m_profileName->setText(name);
    for (const QString& key : secretKeys) {
        m_secrets.read(Profiles::keychainKey(name, key), [self = QPointer(this), key,
                                                          name](bool found, const QString& value,
                                                                const QString& error) {
            if (!self)
                return;
            SettingsDialog* const dialog = self.data();
            if (!found) {
                emit dialog->message(
                    error.isEmpty() ? tr("The keychain holds no %1 for profile %2: enter it").arg(key, name)
                                    : tr("Cannot read %1 from the keychain (%2): enter it").arg(key, error));
                return;
            }
            pipeline::Settings current = dialog->settings();
            Profiles::applySecret(current, key, value);
            dialog->fill(current);
        });
    }
}

pipeline::Settings SettingsDialog::settings() const {
    pipeline::Settings s;
    s.kafka = m_bootstrap->text().trimmed();
    for (int r = 0; r < m_props->rowCount(); ++r) {
        const QString key = m_props->item(r, 0) ? m_props->item(r, 0)->text().trimmed() : QString();
        const QString value = m_props->item(r, 1) ? m_props->item(r, 1)->text() : QString();
        if (!key.isEmpty() || !value.isEmpty())
            s.kafkaProperties << key + u'=' + value;
    }
    s.kafkaPropertiesFile = m_propertiesFile;
    s.database = Profiles::withPassword(m_database->text().trimmed(), m_password->text());
    s.topic = m_topic->text().trimmed();
    s.partitions = m_partitions->value();
    s.group = m_group->text().trimmed();
    s.runsDir = m_runsDir;
    return s;
}

QString SettingsDialog::profileName() const {
    return m_profileName->text().trimmed();
}

QString SettingsDialog::errorText() const {
    return m_error->isVisible() ? m_error->text() : QString();
}

void SettingsDialog::showError(const QString& text, QWidget* field) {
    m_error->setText(text);
    m_error->setVisible(true);
    if (field)
        field->setFocus();
}

void SettingsDialog::accept() {
    const pipeline::Settings s = settings();
    if (const auto problem = s.validate()) {
        using F = pipeline::SettingsProblem::Field;
        QWidget* field = nullptr;
        switch (problem->field) {
        case F::Kafka:
            field = m_bootstrap;
            break;
        case F::KafkaProperties:
            field = m_props;
            break;
        case F::Database:
            field = m_database;
            break;
        case F::Topic:
            field = m_topic;
            break;
        case F::Group:
            field = m_group;
            break;
        case F::Partitions:
            field = m_partitions;
            break;
        }
        showError(problem->message, field);
        return;
    }
    if (!m_database->text().isEmpty() && !m_password->text().isEmpty() &&
        !m_database->text().startsWith(u"postgres", Qt::CaseInsensitive)) {
        showError(tr("A password only goes with a postgresql:// URL"), m_password);
        return;
    }
    m_error->setVisible(false);
    if (const QString name = profileName(); !name.isEmpty()) {
        Profiles profiles(m_store);
        const auto secrets = profiles.save(name, s);
        profiles.setLastUsed(name);
        for (const auto& [key, value] : secrets)
            // The answer may come after the dialog is gone: it is reported through the store.
            m_secrets.write(
                Profiles::keychainKey(name, key), value,
                [store = &m_secrets, key, name](const QString& error) {
                    if (!error.isEmpty())
                        emit store->message(
                            tr("The keychain did not take the %1 of profile %2 (%3): it is used for this "
                               "session only and not saved anywhere")
                                .arg(key, name, error));
                });
    }
    QDialog::accept();
}

} // namespace loadlevel::ui
