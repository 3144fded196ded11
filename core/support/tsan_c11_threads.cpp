// Built only under ThreadSanitizer (the tsan preset, LOADLEVEL_SANITIZE=thread).
//
// librdkafka creates its threads and takes its locks with the C11 <threads.h> API (thrd_create,
// mtx_lock, cnd_wait, ...). GCC 12's libtsan does not intercept those functions, so a thread made
// by thrd_create has no sanitizer state: the first malloc on it (the mock cluster's thread, say)
// crashes inside the sanitizer, and a hand-over through librdkafka's locks would be invisible,
// reported as a race. glibc implements each of them on the pthread function of the same name, with
// the same object layout (mtx_t is a pthread_mutex_t, cnd_t a pthread_cond_t, once_flag a
// pthread_once_t, thrd_t a pthread_t), so these definitions, in the executable and therefore found
// before libc's, forward to the pthread functions that libtsan does intercept.
#include <cerrno>
#include <cstdint>
#include <new>
#include <pthread.h>
#include <threads.h>

static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t));
static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t));
static_assert(sizeof(once_flag) == sizeof(pthread_once_t));
static_assert(sizeof(thrd_t) == sizeof(pthread_t));

namespace {

struct ThreadStart {
    thrd_start_t function;
    void* argument;
};

void* runThread(void* start) {
    const ThreadStart copy = *static_cast<ThreadStart*>(start);
    delete static_cast<ThreadStart*>(start);
    return reinterpret_cast<void*>(static_cast<std::intptr_t>(copy.function(copy.argument)));
}

int fromErrno(int error) {
    switch (error) {
    case 0:
        return thrd_success;
    case ENOMEM:
        return thrd_nomem;
    case ETIMEDOUT:
        return thrd_timedout;
    case EBUSY:
        return thrd_busy;
    default:
        return thrd_error;
    }
}

pthread_mutex_t* native(mtx_t* mutex) {
    return reinterpret_cast<pthread_mutex_t*>(mutex);
}
pthread_cond_t* native(cnd_t* condition) {
    return reinterpret_cast<pthread_cond_t*>(condition);
}

} // namespace

extern "C" {

int thrd_create(thrd_t* thread, thrd_start_t function, void* argument) {
    auto* start = new (std::nothrow) ThreadStart{function, argument};
    if (start == nullptr)
        return thrd_nomem;
    const int error = pthread_create(thread, nullptr, runThread, start);
    if (error != 0)
        delete start;
    return fromErrno(error);
}

int thrd_join(thrd_t thread, int* result) {
    void* value = nullptr;
    const int error = pthread_join(thread, &value);
    if (error == 0 && result != nullptr)
        *result = static_cast<int>(reinterpret_cast<std::intptr_t>(value));
    return fromErrno(error);
}

thrd_t thrd_current() {
    return pthread_self();
}

int mtx_init(mtx_t* mutex, int type) {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    if ((type & mtx_recursive) != 0)
        pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
    const int error = pthread_mutex_init(native(mutex), &attributes);
    pthread_mutexattr_destroy(&attributes);
    return fromErrno(error);
}

int mtx_lock(mtx_t* mutex) {
    return fromErrno(pthread_mutex_lock(native(mutex)));
}
int mtx_trylock(mtx_t* mutex) {
    return fromErrno(pthread_mutex_trylock(native(mutex)));
}
int mtx_timedlock(mtx_t* __restrict mutex, const struct timespec* __restrict until) {
    return fromErrno(pthread_mutex_timedlock(native(mutex), until));
}
int mtx_unlock(mtx_t* mutex) {
    return fromErrno(pthread_mutex_unlock(native(mutex)));
}
void mtx_destroy(mtx_t* mutex) {
    pthread_mutex_destroy(native(mutex));
}

int cnd_init(cnd_t* condition) {
    return fromErrno(pthread_cond_init(native(condition), nullptr));
}
int cnd_signal(cnd_t* condition) {
    return fromErrno(pthread_cond_signal(native(condition)));
}
int cnd_broadcast(cnd_t* condition) {
    return fromErrno(pthread_cond_broadcast(native(condition)));
}
int cnd_wait(cnd_t* condition, mtx_t* mutex) {
    return fromErrno(pthread_cond_wait(native(condition), native(mutex)));
}
int cnd_timedwait(cnd_t* __restrict condition, mtx_t* __restrict mutex,
                  const struct timespec* __restrict until) {
    return fromErrno(pthread_cond_timedwait(native(condition), native(mutex), until));
}
void cnd_destroy(cnd_t* condition) {
    pthread_cond_destroy(native(condition));
}

void call_once(once_flag* flag, void (*function)()) {
    pthread_once(reinterpret_cast<pthread_once_t*>(flag), function);
}
}
