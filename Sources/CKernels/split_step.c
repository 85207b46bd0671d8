#include "ckernels.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One model's training step on two threads: a lent thread (the partner) and the caller (the owner).
 *
 * The step is about 150-250 us, so the threads meet by spinning on counters, not by sleeping: the
 * owner posts the step, both meet twice inside it, and the owner waits for the partner's half to
 * finish. A partner with nothing to do spins a millisecond and then parks on a condition
 * variable, so an idle process uses no core. A thread that has spun long without its peer (a machine
 * with more threads than cores) yields its core instead of burning it. */

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    _Atomic long posted;     /* steps the owner has posted */
    _Atomic long finished;   /* steps the partner has finished */
    _Atomic long arrived[2]; /* meetings each thread has reached */
    _Atomic int parked;
    _Atomic int taken;       /* a caller holds the pair */
    pthread_t holder;        /* which one (written before `taken` is released, read only by the holder) */
    const mk_split_step *step;
} Pair;

static Pair pair = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };
static pthread_once_t pair_once = PTHREAD_ONCE_INIT;
static int pair_started;

static inline void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Waits until *x >= target: pauses first, then gives the core away between looks. */
static void wait_for(_Atomic long *x, long target) {
    for (long spins = 0; atomic_load_explicit(x, memory_order_acquire) < target; spins++) {
        if (spins < 20000) relax(); else sched_yield();
    }
}

/* Both threads reach the same meetings in the same order: each counts its own, then waits for the other's. */
static void meet(int t) {
    long mine = atomic_fetch_add_explicit(&pair.arrived[t], 1, memory_order_acq_rel) + 1;
    wait_for(&pair.arrived[1 - t], mine);
}

static double seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void half_step(const mk_split_step *s, int t);

static void *partner_main(void *unused) {
    (void)unused;
    mk_flush_subnormals();
    long seen = 0;
    for (;;) {
        /* The next step usually comes within microseconds (the owner gathers the next batch); between
         * epochs and after training it may not come for a long time. */
        double since = 0;
        for (long spins = 0; atomic_load_explicit(&pair.posted, memory_order_acquire) == seen; spins++) {
            relax();
            if ((spins & 1023) != 1023) continue;
            double now = seconds();
            if (since == 0) since = now;
            if (now - since < 1e-3) continue;
            pthread_mutex_lock(&pair.lock);
            atomic_store(&pair.parked, 1);
            while (atomic_load(&pair.posted) == seen) pthread_cond_wait(&pair.wake, &pair.lock);
            atomic_store(&pair.parked, 0);
            pthread_mutex_unlock(&pair.lock);
        }
        seen++;
        half_step(pair.step, 1);
        atomic_store_explicit(&pair.finished, seen, memory_order_release);
    }
    return NULL;
}

static void start_partner(void) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    pair_started = pthread_create(&thread, &attr, partner_main, NULL) == 0;
    pthread_attr_destroy(&attr);
}

int mk_pair_acquire(void) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&pair.taken, &expected, 1)) return 0;
    pthread_once(&pair_once, start_partner);
    if (!pair_started) { atomic_store(&pair.taken, 0); return -1; }
    pair.holder = pthread_self();
    return 1;
}

void mk_pair_release(void) { atomic_store(&pair.taken, 0); }

void mk_split_step_run(const mk_split_step *step) {
    /* Two callers at once would post over each other and wait for ever: a bug in the caller, stopped here. */
    if (!atomic_load(&pair.taken) || !pthread_equal(pair.holder, pthread_self())) {
        fputs("mk_split_step_run: the calling thread does not hold the pair (mk_pair_acquire)\n", stderr);
        abort();
    }
    pair.step = step;
    long job = atomic_load(&pair.posted) + 1;
    atomic_store(&pair.posted, job);
    /* A parked partner checks `posted` under the lock after saying so, so either it sees this step or
     * this load sees it parked (both sequentially consistent) and the signal, under the lock, reaches it. */
    if (atomic_load(&pair.parked)) {
        pthread_mutex_lock(&pair.lock);
        pthread_cond_signal(&pair.wake);
        pthread_mutex_unlock(&pair.lock);
    }
    half_step(step, 0);
    wait_for(&pair.finished, job);
}

/* Thread t's half. The order of the one-thread step is kept for every number:
 * 1. its hidden units' sums and activations (its block of the first layer), copied side by side into h0;
 * 2. (after meeting) the output layer, softmax and delta for its half of the records;
 * 3. (after meeting) its hidden units' rows of the output layer's weight gradient, their deltas, their
 *    bias gradients, and the Adam steps of its rows of the output layer, its biases and its block of the
 *    first layer (the owner also takes the output biases). The weights the deltas need are read before
 *    this thread's own Adam step changes them, and the other thread's rows are never read here. */
static void half_step(const mk_split_step *s, int t) {
    int c0 = t ? s->split : 0, width = t ? s->hidden - s->split : s->split;
    int half = s->rows / 2, r0 = t ? half : 0, n = t ? s->rows - half : half;
    int H = s->hidden, C = s->classes;
    float *z = s->z0[t], *d = s->d0[t];

    mk_sparse_forward(s->rows, s->offsets, s->indices, s->values, s->W0[t], width, s->b0 + c0, z);
    if (s->relu) mk_relu(z, (long)s->rows * width); else mk_tanh(z, (long)s->rows * width);
    for (int r = 0; r < s->rows; r++) memcpy(s->h0 + (long)r * H + c0, z + (long)r * width, sizeof(float) * (size_t)width);
    meet(t);

    float *Z = s->Z1 + (long)r0 * C;
    mk_fill_rows(Z, n, C, s->b1);
    mk_gemm(0, 0, n, C, H, s->h0 + (long)r0 * H, H, s->W1, C, 1, Z, C);
    mk_softmax_rows(Z, n, C);
    mk_cross_entropy_rows(Z, n, C, s->labels, s->records + r0, s->scale, s->dZ1 + (long)r0 * C, s->logs + r0, s->hits + r0);
    meet(t);

    float *w1 = s->W1 + (long)c0 * C, *g1 = s->gW1 + (long)c0 * C;
    mk_gemm(1, 0, width, C, s->rows, s->h0 + c0, H, s->dZ1, C, 0, g1, C);
    mk_gemm(0, 1, s->rows, width, C, s->dZ1, C, w1, C, 0, d, width);
    if (s->relu) mk_relu_backward(d, z, (long)s->rows * width); else mk_tanh_backward(d, z, (long)s->rows * width);
    mk_column_sums(d, s->rows, width, s->gb0 + c0);
    if (t == 0) mk_column_sums(s->dZ1, s->rows, C, s->gb1);
    mk_adam(w1, g1, s->mW1 + (long)c0 * C, s->vW1 + (long)c0 * C, (long)width * C, s->l2, s->lambda,
            s->beta1, s->beta2, s->step, s->epsHat);
    mk_adam(s->b0 + c0, s->gb0 + c0, s->mb0 + c0, s->vb0 + c0, width, s->l2, s->lambda, s->beta1, s->beta2, s->step, s->epsHat);
    if (t == 0) mk_adam(s->b1, s->gb1, s->mb1, s->vb1, C, s->l2, s->lambda, s->beta1, s->beta2, s->step, s->epsHat);
    mk_sparse_adam(s->rows, s->offsets, s->indices, s->values, d, width, s->features, s->W0[t], s->m0[t], s->v0[t],
                   s->l2, s->lambda, s->beta1, s->beta2, s->step, s->epsHat);
}
