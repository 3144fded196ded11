#include "ui/secrets.h"

#include <qt6keychain/keychain.h>

namespace loadlevel::ui {

SecretStore::SecretStore(QString service, QObject* parent)
    : QObject(parent)
    , m_service(std::move(service)) {}

void SecretStore::write(const QString& key, const QString& value, WriteDone done) {
    auto* job = new QKeychain::WritePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // a keychain or nothing: never a plain-text file
    job->setKey(key);
    job->setTextData(value);
    connect(job, &QKeychain::Job::finished, this, [done = std::move(done)](QKeychain::Job* j) {
        if (done)
            done(j->error() == QKeychain::NoError ? QString() : j->errorString());
    });
    job->start();
}

void SecretStore::read(const QString& key, ReadDone done) {
    auto* job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [done = std::move(done)](QKeychain::Job* j) {
        auto* r = static_cast<QKeychain::ReadPasswordJob*>(j);
        if (r->error() == QKeychain::EntryNotFound)
            done(false, {}, {});
        else if (r->error() != QKeychain::NoError)
            done(false, {}, r->errorString());
        else
            done(true, r->textData(), {});
    });
    job->start();
}

void SecretStore::remove(const QString& key, WriteDone done) {
    auto* job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [done = std::move(done)](QKeychain::Job* j) {
        if (done)
            done(j->error() == QKeychain::NoError || j->error() == QKeychain::EntryNotFound
                     ? QString()
                     : j->errorString());
    });
    job->start();
}

} // namespace loadlevel::ui
