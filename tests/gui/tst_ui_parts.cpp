// The desktop app's parts, offscreen: the rows browser's models (under QAbstractItemModelTester),
// the live chart, settings profiles and the settings dialog.
#include "test_support.h"
#include "ui/live_chart.h"
#include "ui/models.h"
#include "ui/profiles.h"
#include "ui/rows_browser.h"
#include "ui/secrets.h"
#include "ui/settings_dialog.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QDialogButtonBox>
#include <QDirIterator>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <cstdlib>

using namespace loadlevel;

namespace {

// Settings and profiles of this test go to a folder of its own.
void isolateConfig() {
    test::useTemporaryConfigFolder();
}
Q_CONSTRUCTOR_FUNCTION(isolateConfig)

store::StoredRating rating(qint64 rowId, qint64 user) {
    store::StoredRating r;
    r.rowId = rowId;
    r.row.event.eventId = QUuid::createUuid();
    r.row.event.userId = user;
    r.row.event.movieId = 10 + rowId;
    r.row.event.rating = 3.5;
    r.row.event.eventTime = QDateTime::currentDateTimeUtc();
    r.row.partition = static_cast<int>(rowId % 6);
    r.row.offset = rowId;
    r.persistedAt = QDateTime::currentDateTimeUtc();
    return r;
}

// Newest first, rowIds from..to descending.
QList<store::StoredRating> page(qint64 newest, qint64 oldest) {
    QList<store::StoredRating> out;
    for (qint64 id = newest; id >= oldest; --id)
        out << rating(id, id * 7);
    return out;
}

} // namespace

class TestUiParts final : public QObject {
    Q_OBJECT

private slots:
    void ratingsModelMergesNewRowsAtTheTopAndTrims() {
        ui::RatingsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.mergeNewest(page(10, 1), 20), 10);
        QCOMPARE(model.rowCount(), 10);
        QPersistentModelIndex tenth = model.index(0, ui::RatingsModel::User);
        // Five new rows come in: they go on top, the rows already shown move down, not away.
        QCOMPARE(model.mergeNewest(page(15, 1), 12), 5);
        QCOMPARE(model.rowCount(), 12);
        QCOMPARE(model.newestKey(), qint64(15));
        QCOMPARE(model.oldestKey(), qint64(4));
        QVERIFY(tenth.isValid());
        QCOMPARE(tenth.row(), 5);
        QCOMPARE(tenth.data().toLongLong(), qint64(70));
        QCOMPARE(model.mergeNewest(page(15, 4), 12), 0); // nothing new: nothing moves
        QCOMPARE(model.data(model.index(0, ui::RatingsModel::Rating), Qt::DisplayRole).toString(),
                 QStringLiteral("3.5"));
        QCOMPARE(model.data(model.index(0, ui::RatingsModel::Rating), ui::kRawRole).toDouble(), 3.5);
        model.setRows(page(3, 1));
        QCOMPARE(model.rowCount(), 3);
        model.setRows({});
        QCOMPARE(model.rowCount(), 0);
    }

    void movieStatsUpdateInPlaceAndSortByValue() {
        ui::MovieStatsModel model;
        QSortFilterProxyModel sorted;
        sorted.setSourceModel(&model);
        sorted.setSortRole(ui::kRawRole);
        sorted.sort(ui::MovieStatsModel::Count, Qt::DescendingOrder);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(&sorted, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QDateTime t = QDateTime::currentDateTimeUtc();
        model.upsert({{1, 9, 4.5, t}, {2, 10, 3.0, t}, {3, 2, 1.0, t}});
        QCOMPARE(model.rowCount(), 3);
        // Sorted as numbers (10 > 9), not as text ("10" < "9").
        QCOMPARE(sorted.data(sorted.index(0, ui::MovieStatsModel::Movie)).toLongLong(), qint64(2));
        QPersistentModelIndex movie1 = model.index(0, ui::MovieStatsModel::Count);
        model.upsert(
            {{1, 12, 4.0, t.addSecs(1)}, {2, 10, 3.0, t}, {4, 1, 5.0, t}}); // 1 changes, 3 goes, 4 comes
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(movie1.isValid());
        QCOMPARE(movie1.data().toLongLong(), qint64(12));
        QCOMPARE(sorted.data(sorted.index(0, ui::MovieStatsModel::Movie)).toLongLong(), qint64(1));
        QCOMPARE(model.data(model.index(0, ui::MovieStatsModel::Average), Qt::DisplayRole).toString(),
                 QStringLiteral("4.000"));
    }

    void deadLettersShowTheReasonAndTheRawPayload() {
        ui::DeadLettersModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        store::DeadLetterRow bad{7,
                                 QStringLiteral("ratings"),
                                 2,
                                 41,
                                 QByteArray("{\"rating\": 11}\x01\xff", 16),
                                 QStringLiteral("rating 11 is out of range"),
                                 QDateTime::currentDateTimeUtc()};
        store::DeadLetterRow huge{8,
                                  QStringLiteral("ratings"),
                                  0,
                                  9,
                                  QByteArray(200000, 'x'),
                                  QStringLiteral("value larger than 65536 bytes"),
                                  QDateTime::currentDateTimeUtc()};
        model.mergeNewest({huge, bad}, 100);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.data(model.index(1, ui::DeadLettersModel::Reason), Qt::DisplayRole).toString(),
                 QStringLiteral("rating 11 is out of range"));
        // Text stays text; a control byte and invalid UTF-8 become escapes a person can read.
        QCOMPARE(model.data(model.index(1, ui::DeadLettersModel::Payload), Qt::DisplayRole).toString(),
                 QStringLiteral("{\"rating\": 11}\\x01\\xff"));
        QCOMPARE(ui::DeadLettersModel::readablePayload(QByteArray("caf\xc3\xa9")), QStringLiteral("café"));
        // A huge payload is shortened for the table, in full for export.
        QVERIFY(model.data(model.index(0, ui::DeadLettersModel::Payload), Qt::DisplayRole).toString().size() <
                200);
        QCOMPARE(model.data(model.index(0, ui::DeadLettersModel::Payload), ui::kRawRole).toString().size(),
                 200000);
    }

    void csvAndCopyQuoteWhatNeedsQuoting() {
        ui::DeadLettersModel model;
        model.mergeNewest({{1, QStringLiteral("t"), 0, 5, QByteArray("a,\"b\"\nc"),
                            QStringLiteral("bad JSON"), QDateTime::fromMSecsSinceEpoch(0, Qt::UTC)}},
                          10);
        QBuffer buf;
        buf.open(QIODevice::WriteOnly);
        ui::writeCsv(model, buf);
        const QString csv = QString::fromUtf8(buf.data());
        QCOMPARE(csv, QStringLiteral("Received,Part.,Offset,Reason,Payload\r\n"
                                     "1970-01-01T00:00:00.000Z,0,5,bad JSON,\"a,\"\"b\"\"\nc\"\r\n"));
        QTableView view;
        view.setModel(&model);
        view.setSelectionBehavior(QAbstractItemView::SelectRows);
        view.selectRow(0);
        QCOMPARE(ui::selectedRowsAsText(view),
                 QStringLiteral("Received\tPart.\tOffset\tReason\tPayload\n"
                                "1970-01-01T00:00:00.000Z\t0\t5\tbad JSON\ta,\"b\" c\n"));
    }

    void browserPagesByKeysetAndKeepsTheReadersPlace() {
        ui::RowsBrowser browser;
        browser.resize(900, 400);
        browser.show();
        QVERIFY(QTest::qWaitForWindowExposed(&browser));
        QAbstractItemModelTester tester(browser.ratings(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<std::tuple<quint64, qint64, int>> asked;
        connect(&browser, &ui::RowsBrowser::requestRatings, this,
                [&](quint64 id, const store::RatingFilter& f, int limit, qint64 before) {
                    Q_UNUSED(f);
                    asked << std::tuple(id, before, limit);
                });
        const int n = ui::RowsBrowser::kPageSize;
        browser.newestPage();
        QCOMPARE(asked.size(), 1);
        QCOMPARE(std::get<1>(asked.last()), qint64(0)); // the newest page: no cursor
        browser.onRatings(std::get<0>(asked.last()), page(5000, 5001 - n));
        QCOMPARE(browser.ratings()->rowCount(), n);
        // Older: the cursor is the last row's id, never an OFFSET.
        browser.olderPage();
        QCOMPARE(std::get<1>(asked.last()), qint64(5001 - n));
        QCOMPARE(browser.page(), 2);
        browser.onRatings(std::get<0>(asked.last()), page(5000 - n, 5001 - 2 * n));
        QCOMPARE(browser.ratings()->newestKey(), qint64(5000 - n));
        // An answer to an older question is dropped.
        browser.onRatings(std::get<0>(asked.first()), page(9000, 8000));
        QCOMPARE(browser.ratings()->newestKey(), qint64(5000 - n));
        browser.newerPage();
        QCOMPARE(std::get<1>(asked.last()), qint64(0));
        browser.onRatings(std::get<0>(asked.last()), page(5000, 5001 - n));
        QCOMPARE(browser.page(), 1);

        // Live: at the top, new rows come in on top.
        browser.refresh();
        browser.onRatings(std::get<0>(asked.last()), page(5010, 5011 - n));
        QCOMPARE(browser.ratings()->newestKey(), qint64(5010));
        // Scrolled down to read: new rows are counted, the table does not move.
        QTableView* view = browser.ratingsView();
        QCoreApplication::processEvents(); // lay the rows out
        view->scrollTo(browser.ratings()->index(300, 0), QAbstractItemView::PositionAtTop);
        const int scroll = view->verticalScrollBar()->value();
        QVERIFY(scroll > 0);
        const QModelIndex top = view->indexAt(QPoint(5, 5));
        browser.refresh();
        browser.onRatings(std::get<0>(asked.last()), page(5025, 5026 - n));
        QCOMPARE(browser.pendingNewer(), qint64(15));
        QCOMPARE(browser.ratings()->newestKey(), qint64(5010));
        QCOMPARE(view->verticalScrollBar()->value(), scroll);
        QCOMPARE(view->indexAt(QPoint(5, 5)), top);
        // Back at the top, it catches up.
        view->verticalScrollBar()->setValue(0);
        browser.onRatings(std::get<0>(asked.last()), page(5025, 5026 - n));
        QCOMPARE(browser.ratings()->newestKey(), qint64(5025));
        QCOMPARE(browser.pendingNewer(), qint64(0));

        // The filter travels with every request.
        store::RatingFilter seen;
        connect(&browser, &ui::RowsBrowser::requestRatings, this,
                [&](quint64, const store::RatingFilter& f, int, qint64) { seen = f; });
        browser.setUserFilter(42);
        QCOMPARE(seen.userId.value_or(0), qint64(42));
    }

    void chartsThinWideWindowsPauseAndExport() {
        ui::LiveChart chart(QStringLiteral("Throughput"), QStringLiteral("ratings/s"),
                            {QStringLiteral("acked"), QStringLiteral("persisted")});
        chart.resize(800, 300);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        // 15 minutes at 10 Hz, with one spike.
        for (int i = 0; i < 9000; ++i)
            chart.append(i / 10.0, {i == 4500 ? 50000.0 : 1000.0, 900.0});
        QCOMPARE(chart.points(), qsizetype(9000));
        chart.setWindowSeconds(900);
        // Thinned to an envelope: far fewer points than buffered, the spike still drawn.
        QVERIFY2(chart.drawnPoints() < 2 * 9000 / 2, qPrintable(QString::number(chart.drawnPoints())));
        QVERIFY(chart.drawnPoints() > 100);
        const auto* acked = qobject_cast<QLineSeries*>(chart.chart()->series().at(0));
        double top = 0;
        for (const QPointF& p : acked->points())
            top = std::max(top, p.y());
        QCOMPARE(top, 50000.0);
        // A one-minute window draws one minute.
        chart.setWindowSeconds(60);
        QCOMPARE(acked->count(), 601);
        // Paused: points keep coming in, the picture stays.
        chart.setPaused(true);
        const QList<QPointF> frozen = acked->points();
        for (int i = 9000; i < 9050; ++i)
            chart.append(i / 10.0, {2000.0, 900.0});
        QTest::qWait(300);
        QCOMPARE(acked->points(), frozen);
        QVERIFY(chart.points() <= 9001); // older points left the 15-minute buffer
        chart.setPaused(false);
        QCOMPARE(acked->points().last().y(), 2000.0);
        // Hover text: the values of every series at that time.
        const QString hover = chart.valuesAt(0);
        QVERIFY2(hover.contains(QStringLiteral("acked: 2,000 ratings/s")) ||
                     hover.contains(QStringLiteral("acked: 2000 ratings/s")),
                 qPrintable(hover));
        QBuffer csv;
        csv.open(QIODevice::WriteOnly);
        chart.writeCsv(csv);
        const QList<QByteArray> lines = csv.data().split('\n');
        QCOMPARE(lines.first(), QByteArray("chart,series,time_s,value\r"));
        QCOMPARE(lines.size(),
                 1 + 2 * chart.points() + 1); // header, every point of both series, final newline
    }

    void profilesKeepSecretsOutOfTheSettingsFile() {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("loadlevel.ini"));
        QSettings settings(file, QSettings::IniFormat);
        ui::Profiles profiles(settings);
        pipeline::Settings s;
        s.kafka = QStringLiteral("127.0.0.1:29092");
        s.kafkaProperties = {QStringLiteral("security.protocol=SASL_PLAINTEXT"),
                             QStringLiteral("sasl.username=alice"),
                             QStringLiteral("sasl.password=kafka-Pa55word")};
        s.database = QStringLiteral("postgresql://loadlevel:db-Pa55word@127.0.0.1:25432/loadlevel");
        s.topic = QStringLiteral("ratings-x");
        const auto secrets = profiles.save(QStringLiteral("staging"), s);
        QCOMPARE(secrets.size(), size_t(2));
        QCOMPARE(secrets.at(QStringLiteral("kafka:sasl.password")), QStringLiteral("kafka-Pa55word"));
        QCOMPARE(secrets.at(QString::fromLatin1(ui::Profiles::kDatabasePassword)),
                 QStringLiteral("db-Pa55word"));
        settings.sync();
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(!text.contains("Pa55word"));
        QVERIFY(text.contains("sasl.username=alice"));

        QStringList keys;
        auto loaded = profiles.load(QStringLiteral("staging"), &keys);
        QVERIFY(loaded.has_value());
        QCOMPARE(keys,
                 QStringList({QStringLiteral("kafka:sasl.password"), QStringLiteral("database-password")}));
        QVERIFY(!loaded->database.contains(u"Pa55word"));
        for (const auto& [k, v] : secrets)
            ui::Profiles::applySecret(*loaded, k, v);
        QCOMPARE(loaded->database, s.database);
        QVERIFY(loaded->kafkaProperties.contains(QStringLiteral("sasl.password=kafka-Pa55word")));
        QCOMPARE(loaded->topic, s.topic);
        QCOMPARE(profiles.names(), QStringList{QStringLiteral("staging")});
        profiles.remove(QStringLiteral("staging"));
        QVERIFY(profiles.names().isEmpty());
    }

    void settingsDialogRejectsInvalidInputWithAMessage() {
        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("dialog.ini")), QSettings::IniFormat);
        ui::SecretStore secrets(QStringLiteral("loadlevel-test"));
        QStringList messages;
        connect(&secrets, &ui::SecretStore::message, this, [&](const QString& m) { messages << m; });
        pipeline::Settings current;
        ui::SettingsDialog dialog(current, {}, settings, secrets);
        dialog.show();
        QPushButton* ok = dialog.buttons()->button(QDialogButtonBox::Ok);

        dialog.bootstrapField()->setText(QStringLiteral("localhost"));
        QTest::mouseClick(ok, Qt::LeftButton);
        QVERIFY(dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY2(dialog.errorText().contains(u"host:port"), qPrintable(dialog.errorText()));
        QCOMPARE(dialog.focusWidget(), dialog.bootstrapField()); // the field to fix has the focus

        dialog.bootstrapField()->setText(QStringLiteral("127.0.0.1:29092"));
        dialog.topicField()->setText(QStringLiteral("bad topic!"));
        QTest::mouseClick(ok, Qt::LeftButton);
        QVERIFY(dialog.isVisible());
        QVERIFY2(dialog.errorText().contains(u"topic"), qPrintable(dialog.errorText()));

        dialog.topicField()->setText(QStringLiteral("ratings"));
        dialog.addProperty(QStringLiteral("no.such.property"), QStringLiteral("1"));
        QTest::mouseClick(ok, Qt::LeftButton);
        QVERIFY(dialog.isVisible());
        QVERIFY2(dialog.errorText().contains(u"no.such.property"), qPrintable(dialog.errorText()));

        // Valid now: a SCRAM password and a database password, saved as a profile.
        pipeline::Settings valid;
        valid.kafka = QStringLiteral("127.0.0.1:29092");
        valid.kafkaProperties = {QStringLiteral("security.protocol=SASL_PLAINTEXT"),
                                 QStringLiteral("sasl.mechanism=SCRAM-SHA-512"),
                                 QStringLiteral("sasl.username=alice"),
                                 QStringLiteral("sasl.password=kafka-Pa55word")};
        ui::SettingsDialog second(valid, {}, settings, secrets);
        second.show();
        second.databaseField()->setText(QStringLiteral("postgresql://loadlevel@127.0.0.1:25432/loadlevel"));
        second.passwordField()->setText(QStringLiteral("db-Pa55word"));
        second.profileField()->setText(QStringLiteral("lab"));
        QTest::mouseClick(second.buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QCOMPARE(second.result(), int(QDialog::Accepted));
        QVERIFY(second.errorText().isEmpty());
        const pipeline::Settings applied = second.settings();
        QCOMPARE(applied.database,
                 QStringLiteral("postgresql://loadlevel:db-Pa55word@127.0.0.1:25432/loadlevel"));
        QVERIFY(applied.kafkaProperties.contains(QStringLiteral("sasl.password=kafka-Pa55word")));
        settings.sync();
        QFile f(settings.fileName());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.contains("lab"));
        QVERIFY(!text.contains("Pa55word"));
        // The keychain answers asynchronously: stored, or (no keychain on this box) a message saying
        // the secrets are used for this session only. Either way nothing lands in a file.
        QTest::qWait(2000);
        for (const QString& m : std::as_const(messages))
            QVERIFY2(m.contains(u"this session only") && !m.contains(u"Pa55word"), qPrintable(m));
        // No file anywhere under the configuration folder (QtKeychain's own fallback store
        // included) holds a password.
        QDirIterator files(qEnvironmentVariable("XDG_CONFIG_HOME"), QDir::Files,
                           QDirIterator::Subdirectories);
        while (files.hasNext()) {
            QFile any(files.next());
            QVERIFY(any.open(QIODevice::ReadOnly));
            QVERIFY2(!any.readAll().contains("Pa55word"), qPrintable(any.fileName()));
        }
    }
};

QTEST_MAIN(TestUiParts)
#include "tst_ui_parts.moc"
