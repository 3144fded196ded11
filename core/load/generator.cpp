#include "load/generator.h"

#include <algorithm>
#include <cmath>

namespace loadlevel::load {

namespace {
// Relative frequency of 0.5, 1.0, ..., 5.0 stars, shaped after public movie-rating data.
const std::vector<double> kHalfStarWeights = {1.1, 3.0, 1.3, 7.0, 4.5, 19.5, 13.0, 26.0, 8.5, 14.5};
} // namespace

Generator::Generator(const Options& o)
    : m_rng(o.seed)
    , m_userCount(std::max<qint64>(1, o.users))
    , m_userExponent(std::max(0.0, o.userZipfExponent))
    , m_halfStars(kHalfStarWeights.begin(), kHalfStarWeights.end()) {
    const qint64 movies = std::max<qint64>(1, o.movies);
    m_movieCdf.resize(static_cast<size_t>(movies));
    double sum = 0;
    for (qint64 k = 1; k <= movies; ++k) {
        sum += 1.0 / std::pow(static_cast<double>(k), o.zipfExponent);
        m_movieCdf[static_cast<size_t>(k - 1)] = sum;
    }
    for (double& c : m_movieCdf)
        c /= sum;
}

event::RatingEvent Generator::next() {
    event::RatingEvent e;
    // Users: inverse transform of the density x^-s on [1, N+1), rounded down to a rank.
    const double v = std::uniform_real_distribution<double>(0.0, 1.0)(m_rng);
    const auto n1 = static_cast<double>(m_userCount + 1);
    const double a = 1.0 - m_userExponent;
    const double x = std::abs(a) < 1e-9 ? std::exp(v * std::log(n1))
                                        : std::pow(1.0 + v * (std::pow(n1, a) - 1.0), 1.0 / a);
    e.userId = std::clamp<qint64>(static_cast<qint64>(x), 1, m_userCount);
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(m_rng);
    const auto it = std::lower_bound(m_movieCdf.begin(), m_movieCdf.end(), u);
    e.movieId = std::min<qint64>(static_cast<qint64>(it - m_movieCdf.begin()) + 1,
                                 static_cast<qint64>(m_movieCdf.size()));
    e.rating = (m_halfStars(m_rng) + 1) * 0.5;
    return e;
}

} // namespace loadlevel::load
