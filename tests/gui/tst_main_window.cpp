// The desktop window, offscreen, on the embedded pipeline.
#include "ui/main_window.h"

#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QtTest>

using namespace loadlevel;

class TestMainWindow final : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void sendingAThousandEndsWithAThousandRowsInTheBrowser() {
        pipeline::Settings s; // no Kafka address: the embedded cluster
        s.database = m_dir.filePath(QStringLiteral("gui.sqlite"));
        s.runsDir = m_dir.filePath(QStringLiteral("runs"));
        ui::MainWindow window(s);
        window.show();
        QAbstractItemModelTester tester(window.ratingsModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);

        QTRY_VERIFY_WITH_TIMEOUT(window.isReady(), 60000);
        QVERIFY(window.sendButton()->isEnabled());
        QCOMPARE(window.sendButton()->text(),
                 QStringLiteral("Send %L1").arg(1000)); // the locale groups digits
        QTest::mouseClick(window.sendButton(), Qt::LeftButton);
        QVERIFY(!window.sendButton()->isEnabled()); // no second burst while one runs

        QTRY_VERIFY_WITH_TIMEOUT(!window.lastRunSummary().isEmpty(), 120000);
        QVERIFY2(window.lastRunSummary().contains(u"persisted 1000, missing 0, duplicates 0"),
                 qPrintable(window.lastRunSummary()));
        QTRY_COMPARE_WITH_TIMEOUT(window.ratingsModel()->rowCount(), 1000, 15000);
        QVERIFY(window.sendButton()->isEnabled());
        // Newest first, with the columns a person reads.
        const QModelIndex rating = window.ratingsModel()->index(0, ui::RatingsModel::Rating);
        const double value = window.ratingsModel()->data(rating, Qt::DisplayRole).toString().toDouble();
        QVERIFY(value >= 0.5 && value <= 5.0);
        QCOMPARE(window.ratingsModel()
                     ->headerData(ui::RatingsModel::Movie, Qt::Horizontal, Qt::DisplayRole)
                     .toString(),
                 QStringLiteral("Movie"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
