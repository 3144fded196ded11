#include "event/rating_event.h"

#include <QRandomGenerator>
#include <array>

namespace loadlevel::event {

QUuid newUuidV7(const QDateTime& at) {
    const auto ms = static_cast<quint64>(at.toMSecsSinceEpoch());
    // One securely seeded generator per thread: no lock on the hot path.
    thread_local QRandomGenerator rng = QRandomGenerator::securelySeeded();
    std::array<quint32, 3> random{};
    rng.fillRange(random.data(), random.size());

    std::array<uchar, 16> b{};
    for (int i = 0; i < 6; ++i)
        b[i] = static_cast<uchar>(ms >> (40 - 8 * i));
    for (int i = 0; i < 10; ++i)
        b[6 + i] = static_cast<uchar>(random[i / 4] >> (8 * (i % 4)));
    b[6] = static_cast<uchar>(0x70 | (b[6] & 0x0F)); // version 7
    b[8] = static_cast<uchar>(0x80 | (b[8] & 0x3F)); // RFC variant
    return QUuid::fromRfc4122(QByteArrayView(b.data(), b.size()));
}

} // namespace loadlevel::event
