#pragma once

#include "event/rating_event.h"

#include <random>
#include <vector>

namespace loadlevel::load {

// Reproducible rating events: the same seed gives the same users, movies and ratings.
// Movies follow a Zipf law (a few popular titles, a long tail), exactly; users follow one too (a few
// heavy raters, many who rate once), drawn from the continuous power law so that millions of users
// cost no memory; ratings follow the skew of public rating data sets (4 stars most common, half
// stars rarer). Not thread-safe: one per thread.
class Generator {
public:
    struct Options {
        quint64 seed = 1;
        qint64 users = 100000;
        qint64 movies = 10000;
        double zipfExponent = 1.0;     // movies
        double userZipfExponent = 0.8; // users (0: uniform)
    };
    explicit Generator(const Options& options);

    // Fills user, movie and rating; the caller sets id, time and run tags.
    event::RatingEvent next();

private:
    std::mt19937_64 m_rng;
    qint64 m_userCount;
    double m_userExponent;
    std::vector<double> m_movieCdf;
    std::discrete_distribution<int> m_halfStars;
};

} // namespace loadlevel::load
