// Every input in tests/fuzz/corpus, through the same checks as the libFuzzer targets (see
// tests/fuzz/fuzz_inputs.h): the seed inputs, and every crash the fuzzer ever found, stay fixed.
// A broken property aborts, which fails this test.
#include "fuzz_inputs.h"

#include <QDir>
#include <QFile>
#include <QtTest>

class TestFuzzCorpus final : public QObject {
    Q_OBJECT

    static int replay(const QString& target, void (*one)(QByteArrayView)) {
        QDir dir(QStringLiteral(LOADLEVEL_FUZZ_CORPUS) + u'/' + target);
        int n = 0;
        for (const QString& name : dir.entryList(QDir::Files)) {
            QFile f(dir.filePath(name));
            if (!f.open(QIODevice::ReadOnly))
                continue;
            const QByteArray input = f.readAll();
            one(input);
            ++n;
        }
        return n;
    }

private slots:
    void decoderCorpus() { QVERIFY(replay(QStringLiteral("decode"), &loadlevel::fuzz::decodeOne) >= 8); }
    void httpBodyCorpus() {
        QVERIFY(replay(QStringLiteral("http_body"), &loadlevel::fuzz::httpBodyOne) >= 8);
    }
};

QTEST_GUILESS_MAIN(TestFuzzCorpus)
#include "tst_fuzz_corpus.moc"
