#include "kafka/offset_tracker.h"

#include <QtTest>

using namespace loadlevel::kafka;

// Each row is a script of steps, one per ';':
//   assign P S          the partition is assigned, its stored offset S (-1: none)
//   revoke P
//   check P O [L] V     a message at offset O (log start L) gets verdict V: accept | stray | reread:X
//   commit P N          a transaction moved the stored offset to N
//   fenced P N X        fenced; the database holds N; the member seeks to X (-2: not assigned)
//   retention P         the stored offset is gone; continue from the log's start
//   position P X | stored P X | rewind P O X    the tracker's answers
class TestOffsetTracker final : public QObject {
    Q_OBJECT

private slots:
    void scripts_data() {
        QTest::addColumn<QString>("script");
        QTest::addRow("a message of a partition not assigned is a stray") << "check 1 5 stray";
        QTest::addRow("a message behind the position is a stray")
            << "assign 0 10; check 0 9 stray; check 0 10 accept; check 0 10 stray; position 0 11";
        QTest::addRow("a gap is read again once, then filled")
            << "assign 0 10; check 0 12 reread:10; position 0 10; check 0 10 accept; check 0 11 accept; "
               "check 0 12 accept; position 0 13";
        QTest::addRow("a gap seen twice is accepted")
            << "assign 0 10; check 0 12 reread:10; check 0 12 accept; position 0 13";
        QTest::addRow("a different jump after a re-read is read again too")
            << "assign 0 10; check 0 12 reread:10; check 0 14 reread:10; check 0 14 accept";
        QTest::addRow("a gap accepted once does not excuse the next one")
            << "assign 0 10; check 0 12 reread:10; check 0 12 accept; check 0 15 reread:13";
        QTest::addRow("from the log's start: the first offset must be the log's first")
            << "assign 0 -1; check 0 7 5 reread:5; check 0 5 5 accept; check 0 6 5 accept";
        QTest::addRow("from the log's start, unknown: any first offset is taken")
            << "assign 0 -1; check 0 7 -1 accept; position 0 8";
        QTest::addRow("a fenced batch continues from the database's offset")
            << "assign 0 10; check 0 10 accept; check 0 11 accept; commit 0 12; stored 0 12; "
               "fenced 0 20 20; stored 0 20; check 0 12 stray; check 0 20 accept";
        QTest::addRow("fenced with nothing stored: from the log's start")
            << "assign 0 10; fenced 0 -1 -1; stored 0 -1; check 0 3 3 accept";
        QTest::addRow("fenced after the partition was revoked: nothing to seek, nothing kept")
            << "assign 0 10; revoke 0; fenced 0 20 -2; stored 0 -1; check 0 20 stray";
        QTest::addRow("partitions are independent")
            << "assign 0 10; assign 1 50; check 1 52 reread:50; check 0 10 accept; check 1 50 accept; "
               "position 0 11; position 1 51";
        QTest::addRow("a revoked partition's messages are strays")
            << "assign 0 10; check 0 10 accept; revoke 0; check 0 11 stray; stored 0 -1";
        QTest::addRow("a rewind goes back to the first message not handled")
            << "assign 0 10; check 0 10 accept; rewind 0 15 11; rewind 0 8 8";
        QTest::addRow("retention: the stored offset is gone, the log's start is taken")
            << "assign 0 10; retention 0; check 0 50 50 accept; position 0 51";
    }

    void scripts() {
        QFETCH(QString, script);
        OffsetTracker t;
        for (const QString& step : script.split(u';', Qt::SkipEmptyParts)) {
            const QStringList w = step.split(u' ', Qt::SkipEmptyParts);
            auto n = [&](int i) {
                return w.at(i).toLongLong();
            };
            const auto p = static_cast<int>(n(1));
            const QByteArray where = step.trimmed().toUtf8();
            if (w[0] == u"assign") {
                t.assign(p, n(2));
            } else if (w[0] == u"revoke") {
                t.revoke(p);
            } else if (w[0] == u"commit") {
                t.committed(p, n(2));
            } else if (w[0] == u"retention") {
                t.restartFromLogStart(p);
            } else if (w[0] == u"fenced") {
                QVERIFY2(t.fenced(p, n(2)) == n(3), where.constData());
            } else if (w[0] == u"position") {
                QVERIFY2(t.position(p) == n(2),
                         QByteArray(where + " got " + QByteArray::number(t.position(p))).constData());
            } else if (w[0] == u"stored") {
                QVERIFY2(t.stored(p) == n(2),
                         QByteArray(where + " got " + QByteArray::number(t.stored(p))).constData());
            } else if (w[0] == u"rewind") {
                QVERIFY2(t.rewindTarget(p, n(2)) == n(3), where.constData());
            } else if (w[0] == u"check") {
                const qint64 logStart = w.size() == 5 ? n(3) : -1;
                const auto d = t.check(p, n(2), logStart);
                const QString expected = w.last();
                QString got = d.verdict == OffsetTracker::Verdict::Accept  ? QStringLiteral("accept")
                              : d.verdict == OffsetTracker::Verdict::Stray ? QStringLiteral("stray")
                                                                           : QStringLiteral("reread");
                if (d.verdict == OffsetTracker::Verdict::Reread)
                    got += u':' + QString::number(d.seekTo);
                QVERIFY2(got == expected, QByteArray(where + " got " + got.toUtf8()).constData());
            } else {
                QFAIL(QByteArray("unknown step: " + where).constData());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestOffsetTracker)
#include "tst_offset_tracker.moc"
