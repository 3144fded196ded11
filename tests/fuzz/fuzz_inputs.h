#pragma once

#include <QByteArrayView>

namespace loadlevel::fuzz {

// What the fuzz targets do with one input, shared by the libFuzzer entry points (bench/fuzz) and
// the corpus replay in the unit tests (tests/unit/tst_fuzz_corpus.cpp), so that every input in
// tests/fuzz/corpus, crashes found by the fuzzer included, is a regression test.
// Each checks the properties that must hold whatever the input, and aborts when one does not.

// A Kafka message through event::decode(). An input starting with '#' carries headers on its
// first line ("#ce_id=…;ce_time=…"); the rest is the value. A decoded event must be valid, and
// encoding it and decoding that again must give the same event.
void decodeOne(QByteArrayView input);

// A POST /ratings body through ingest::parseRatingsBody(). An accepted body gives 1 to 1000 valid
// events; a refused one says 400, 413 or 422 with a reason.
void httpBodyOne(QByteArrayView input);

} // namespace loadlevel::fuzz
