#pragma once

#include <QString>
#include <expected>

namespace loadlevel {

// A failure a person can act on. Core functions return Result<T>; engines report Errors by signal.
// No exception crosses a thread, a slot or a librdkafka callback.
struct Error {
    enum class Kind {
        InvalidArgument, // the caller passed something that can never work (fix the input)
        Unavailable,     // a server is down or unreachable (retry later)
        Timeout,         // it took longer than allowed (retry later)
        NotFound,        // the thing asked for does not exist
        Failed,          // anything else reported by Kafka, the database or the OS
    };

    Kind kind = Kind::Failed;
    QString message;

    [[nodiscard]] bool isRetriable() const { return kind == Kind::Unavailable || kind == Kind::Timeout; }
    [[nodiscard]] bool isFatal() const { return kind == Kind::InvalidArgument; }

    static Error invalid(QString m) { return {Kind::InvalidArgument, std::move(m)}; }
    static Error unavailable(QString m) { return {Kind::Unavailable, std::move(m)}; }
    static Error timeout(QString m) { return {Kind::Timeout, std::move(m)}; }
    static Error notFound(QString m) { return {Kind::NotFound, std::move(m)}; }
    static Error failed(QString m) { return {Kind::Failed, std::move(m)}; }
};

template <typename T> using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Error e) {
    return std::unexpected<Error>(std::move(e));
}

} // namespace loadlevel
