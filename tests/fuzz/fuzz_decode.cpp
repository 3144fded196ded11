// libFuzzer target: Kafka messages through the event decoder (see fuzz_inputs.h). Built by the
// fuzz preset; run by bench/fuzz.
#include "fuzz_inputs.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    loadlevel::fuzz::decodeOne(QByteArrayView(data, static_cast<qsizetype>(size)));
    return 0;
}
