#include "load/generator.h"

#include <QtTest>
#include <map>

using namespace loadlevel::load;

class TestGenerator final : public QObject {
    Q_OBJECT

private slots:
    void sameSeedSameEvents() {
        Generator a({42, 1000, 500, 1.0});
        Generator b({42, 1000, 500, 1.0});
        Generator c({43, 1000, 500, 1.0});
        int differ = 0;
        for (int i = 0; i < 1000; ++i) {
            const auto x = a.next();
            const auto y = b.next();
            const auto z = c.next();
            QCOMPARE(x.userId, y.userId);
            QCOMPARE(x.movieId, y.movieId);
            QCOMPARE(x.rating, y.rating);
            differ += (x.userId != z.userId) ? 1 : 0;
        }
        QVERIFY(differ > 900);
    }

    void valuesAreValidAndMoviesFollowZipf() {
        Generator g({7, 100, 50, 1.0});
        std::map<qint64, int> perMovie;
        for (int i = 0; i < 20000; ++i) {
            const auto e = g.next();
            QVERIFY(e.userId >= 1 && e.userId <= 100);
            QVERIFY(e.movieId >= 1 && e.movieId <= 50);
            QVERIFY(e.rating >= 0.5 && e.rating <= 5.0);
            QCOMPARE(std::fmod(e.rating * 2, 1.0), 0.0);
            ++perMovie[e.movieId];
        }
        // Zipf with s=1 over 50 titles: the first gets 1/H(50) ~ 22%, the tenth ~ 2.2%.
        QVERIFY(perMovie[1] > 3500 && perMovie[1] < 5500);
        QVERIFY(perMovie[1] > 5 * perMovie[10]);
    }

    void usersFollowAPowerLawToo() {
        // Density x^-0.8 over 100 users: users 1-10 draw ~13x as many ratings as users 91-100.
        Generator g({11, 100, 50, 1.0, 0.8});
        qint64 first = 0;
        qint64 last = 0;
        for (int i = 0; i < 50000; ++i) {
            const qint64 u = g.next().userId;
            QVERIFY(u >= 1 && u <= 100);
            first += u <= 10 ? 1 : 0;
            last += u >= 91 ? 1 : 0;
        }
        QVERIFY2(last > 0 && first > 6 * last, qPrintable(QStringLiteral("%1 vs %2").arg(first).arg(last)));
        // Exponent 0: uniform, every decile about the same.
        Generator flat({11, 100, 50, 1.0, 0.0});
        first = last = 0;
        for (int i = 0; i < 50000; ++i) {
            const qint64 u = flat.next().userId;
            first += u <= 10 ? 1 : 0;
            last += u >= 91 ? 1 : 0;
        }
        QVERIFY2(std::abs(first - last) < 1000, qPrintable(QStringLiteral("%1 vs %2").arg(first).arg(last)));
    }
};

QTEST_GUILESS_MAIN(TestGenerator)
#include "tst_generator.moc"
