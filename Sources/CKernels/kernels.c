#include "ckernels.h"
#include <stdlib.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif
#include <string.h>
#include <pthread.h>
#include <math.h>

/* Which rows of a product go through the vector tiles: rows [0, *m6) in tiles of six, then rows
 * [*m6, *tiled) in tiles of four; the rest (at most one row, or three when M < 9) row by row. Two fours
 * replace a six where that leaves fewer rows over: a batch of 32 is 6 x 4 + 4 x 2, not 6 x 5 + 2 rows.
 * gemm and the packing of A follow the same plan. */
static inline void gemm_plan(int M, int *m6, int *tiled) {
    int sixes = M / 6, fours = 0;
    switch (M % 6) {
    case 2: case 3: if (sixes > 0) { sixes -= 1; fours = 2; } break;
    case 4: case 5: fours = 1; break;
    }
    *m6 = 6 * sixes;
    *tiled = *m6 + 4 * fours;
}

#define FN(name) name##_avx2
#define MK_FMA 1
#pragma clang attribute push (__attribute__((target("avx2,fma"))), apply_to = function)
#include "kernels_impl.h"
#pragma clang attribute pop
#undef MK_FMA
#undef FN

#define FN(name) name##_base
#include "kernels_impl.h"
#undef FN

#if defined(__x86_64__)
#define FN(name) name##_avx512
#define MK_FMA 1
#define MK_WIDE 1
#pragma clang attribute push (__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#include "gemm_impl.h"
#pragma clang attribute pop
#undef MK_WIDE
#undef MK_FMA
#undef FN
#endif

static int use_avx2 = -1, use_avx512 = 0;

/* AVX2 with FMA where the processor has it, and then the AVX-512 product where it has that too (and
 * the system saves its registers, which __builtin_cpu_supports checks). MIL_KERNELS=baseline or avx2
 * holds a run to the set named: the tests compare the sets' bits, and a user can rule one out. */
static int avx2(void) {
    if (use_avx2 < 0) {
        __builtin_cpu_init();
        use_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
#if defined(__x86_64__)
        use_avx512 = use_avx2 && __builtin_cpu_supports("avx512f") ? 1 : 0;
#endif
        const char *force = getenv("MIL_KERNELS");
        if (force && strcmp(force, "baseline") == 0) use_avx2 = 0;
        if (force && (strcmp(force, "baseline") == 0 || strcmp(force, "avx2") == 0)) use_avx512 = 0;
    }
    return use_avx2;
}

__attribute__((constructor)) static void choose_kernels(void) { (void)avx2(); }

const char *mk_kernel_name(void) { return avx2() ? "avx2+fma" : "baseline"; }

const char *mk_product_kernel(void) { return !avx2() ? "baseline" : use_avx512 ? "avx512" : "avx2"; }

/* Scratch memory kept per thread between calls: a training step asks for the same few sizes thousands of
 * times, and malloc hands back fresh pages (zeroed by the kernel) often enough to show in profiles.
 * A thread's buffers are freed when it ends. */
enum { scratch_slots = 5 };
typedef struct { float *buffer[scratch_slots]; size_t size[scratch_slots]; } Scratch;
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p) {
    Scratch *s = p;
    for (int i = 0; i < scratch_slots; i++) free(s->buffer[i]);
    free(s);
}

static void scratch_make_key(void) { pthread_key_create(&scratch_key, scratch_free); }

static float *scratch(int slot, size_t count) {
    pthread_once(&scratch_once, scratch_make_key);
    Scratch *s = pthread_getspecific(scratch_key);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s) abort();
        pthread_setspecific(scratch_key, s);
    }
    if (s->size[slot] < count) {
        free(s->buffer[slot]);
        s->buffer[slot] = malloc(sizeof(float) * count);
        if (!s->buffer[slot]) abort();
        s->size[slot] = count;
    }
    return s->buffer[slot];
}

void mk_gemm(int transA, int transB, int M, int N, int K,
             const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc) {
    if (M <= 0 || N <= 0) return;
    const float *b = B;
    int ldp = ldb;
    if (transB) {
        /* B is stored N x K: lay it out K x N so the micro-kernel reads rows of 16, eight rows of B at a
         * time so that both the reads and the writes run along memory. */
        float *packed = scratch(0, (size_t)K * (size_t)N);
        int n = 0;
        for (; n + 8 <= N; n += 8)
            for (int k = 0; k < K; k++)
                for (int q = 0; q < 8; q++) packed[(long)k * N + n + q] = B[(long)(n + q) * ldb + k];
        for (; n < N; n++)
            for (int k = 0; k < K; k++) packed[(long)k * N + n] = B[(long)n * ldb + k];
        b = packed;
        ldp = N;
    }
    /* The last N % 16 columns: more than eight go through a zero-padded 16-wide panel of B; up to eight
     * run with rows in vectors, which needs A's first M - M % 8 rows turned around (unless A is already
     * transposed). */
    int rest = N % 16;
    float *panel = rest > 8 ? scratch(1, 16 * (size_t)(K > 0 ? K : 1)) : NULL;
    float *turned = rest > 0 && rest <= 8 && !transA && M >= 8 ? scratch(4, (size_t)(M - M % 8) * (size_t)(K > 0 ? K : 1)) : NULL;
    /* A transposed (a weight gradient, A^T dZ) is read down its columns: each k of a tile fetches a
     * new cache line, which costs once A no longer fits the first-level cache (Purchase's output layer,
     * 100 x 128; a dense first layer, 100 x 600; not an attack model's 32 x 100). Then the tiles' rows are
     * copied first into k-major blocks, one per tile (a(i + r, k) at [h k + r] of the block at i K, h its
     * height), so the tiles read along memory; the products and their order are the same. */
    float *packedA = NULL;
    int M6, tiled;
    gemm_plan(M, &M6, &tiled);
    if (transA && tiled > 0 && (long)K * lda > 8192) {
        packedA = scratch(3, (size_t)tiled * (size_t)K);
        for (int k = 0; k < K; k++) {
            const float *row = A + (long)k * lda;
            for (int i = 0; i < M6; i += 6) memcpy(packedA + (long)i * K + 6 * k, row + i, 6 * sizeof(float));
            for (int i = M6; i < tiled; i += 4) memcpy(packedA + (long)i * K + 4 * k, row + i, 4 * sizeof(float));
        }
    }
#if defined(__x86_64__)
    if (avx2() && use_avx512) gemm_avx512(transA, M, N, K, A, lda, b, ldp, beta, C, ldc, panel, packedA, turned);
    else
#endif
    if (avx2()) gemm_avx2(transA, M, N, K, A, lda, b, ldp, beta, C, ldc, panel, packedA, turned);
    else gemm_base(transA, M, N, K, A, lda, b, ldp, beta, C, ldc, panel, packedA, turned);
}

void mk_sparse_forward(int rows, const int32_t *offsets, const int32_t *indices, const float *values,
                       const float *W, int N, const float *bias, float *Z) {
    if (avx2()) sparse_forward_avx2(rows, offsets, indices, values, W, N, bias, Z);
    else sparse_forward_base(rows, offsets, indices, values, W, N, bias, Z);
}

void mk_sparse_weight_grad(int rows, const int32_t *offsets, const int32_t *indices, const float *values,
                           const float *dZ, int N, int features, float *dW) {
    int nonzeros = offsets[rows] - offsets[0];
    int32_t *byFeature = (int32_t *)scratch(2, (size_t)features + 1 + 2 * (size_t)nonzeros);
    if (avx2()) sparse_weight_grad_avx2(rows, offsets, indices, values, dZ, N, features, dW, byFeature);
    else sparse_weight_grad_base(rows, offsets, indices, values, dZ, N, features, dW, byFeature);
}

void mk_sparse_adam(int rows, const int32_t *offsets, const int32_t *indices, const float *values,
                    const float *dZ, int N, int features, float *w, float *m, float *v, int l2, float lambda,
                    float b1, float b2, float step, float epsHat) {
    int nonzeros = offsets[rows] - offsets[0];
    int32_t *byFeature = (int32_t *)scratch(2, (size_t)features + 1 + 2 * (size_t)nonzeros);
    float *g = scratch(4, (size_t)(N > 0 ? N : 1));
    if (avx2()) sparse_adam_avx2(rows, offsets, indices, values, dZ, N, features, byFeature, g, w, m, v, l2, lambda, b1, b2, step, epsHat);
    else sparse_adam_base(rows, offsets, indices, values, dZ, N, features, byFeature, g, w, m, v, l2, lambda, b1, b2, step, epsHat);
}

void mk_tanh(float *x, long n) { if (avx2()) tanh_avx2(x, n); else tanh_base(x, n); }

void mk_softmax_rows(float *Z, int rows, int cols) {
    if (avx2()) softmax_rows_avx2(Z, rows, cols); else softmax_rows_base(Z, rows, cols);
}

void mk_adam(float *w, const float *g, float *m, float *v, long n, int l2, float lambda,
             float b1, float b2, float step, float epsHat) {
    if (avx2()) adam_avx2(w, g, m, v, n, l2, lambda, b1, b2, step, epsHat);
    else adam_base(w, g, m, v, n, l2, lambda, b1, b2, step, epsHat);
}

/* The index of the first largest of p[0 ..< n] (n >= 1), as a left-to-right scan that takes a value only
 * when it is larger than the best so far finds it. The largest value is found eight lanes at a time (a
 * maximum does not depend on the order), then the first index holding it: two passes without a branch
 * that depends on the data, where the scan mispredicted whenever a new largest came along. A NaN is never
 * larger than anything, so it is skipped as the scan skips it. */
static int first_largest(const float *p, int n) {
    float top = p[0];
    enum { lanes = 8 };
    float lane[lanes];
    for (int q = 0; q < lanes; q++) lane[q] = top;
    int c = 1;
    for (; c + lanes <= n; c += lanes)
        for (int q = 0; q < lanes; q++) lane[q] = p[c + q] > lane[q] ? p[c + q] : lane[q];
    for (; c < n; c++) top = p[c] > top ? p[c] : top;
    for (int q = 0; q < lanes; q++) top = lane[q] > top ? lane[q] : top;
    for (c = 0; c < n; c++) if (p[c] == top) return c;
    return 0; /* p[0] is NaN: nothing was larger, and no value equals top; the scan's answer too */
}

/* One row of the output delta: d = (p - onehot(label)) * scale; returns log(max(p[label], 1e-12)) and
 * sets *hit to whether p's first largest entry is the label's. */
static double row_delta(const float *p, int classes, long label, float scale, float *d, long *hit) {
    double q = p[label];
    *hit = first_largest(p, classes) == label;
    for (int c = 0; c < classes; c++) d[c] = p[c] * scale;
    d[label] = (p[label] - 1) * scale;
    return log(q < 1e-12 ? 1e-12 : q);
}

void mk_cross_entropy_delta(const float *P, int rows, int classes, const long *labels, const long *records,
                            float scale, float *dZ, double *loss, long *correct) {
    double sum = 0;
    long hits = 0;
    for (int r = 0; r < rows; r++) {
        long hit;
        sum -= row_delta(P + (long)r * classes, classes, labels[records[r]], scale, dZ + (long)r * classes, &hit);
        hits += hit;
    }
    *loss = sum;
    *correct = hits;
}

void mk_cross_entropy_rows(const float *P, int rows, int classes, const long *labels, const long *records,
                           float scale, float *dZ, double *logs, long *hits) {
    for (int r = 0; r < rows; r++)
        logs[r] = row_delta(P + (long)r * classes, classes, labels[records[r]], scale, dZ + (long)r * classes, hits + r);
}

void mk_gather_rows(int rows, const long *records, const int32_t *start, const int32_t *count,
                    const int32_t *indices, const float *values,
                    int32_t *outOffsets, int32_t *outIndices, float *outValues) {
    /* The records come shuffled and the data set's nonzeros do not fit in the second-level cache, so
     * the rows a few places ahead are asked for while this one is copied. */
    enum { ahead = 8 };
#define MK_FETCH(k) do { int32_t s_ = start[records[k]], n_ = count[records[k]]; \
        for (int32_t b_ = 0; b_ < n_; b_ += 16) { __builtin_prefetch(indices + s_ + b_); \
            if (values) __builtin_prefetch(values + s_ + b_); } } while (0)
    for (int k = 0; k < rows && k < ahead; k++) MK_FETCH(k);
    int32_t filled = 0;
    outOffsets[0] = 0;
    for (int k = 0; k < rows; k++) {
        if (k + ahead < rows) MK_FETCH(k + ahead);
        int32_t s = start[records[k]], n = count[records[k]];
        for (int32_t e = 0; e < n; e++) outIndices[filled + e] = indices[s + e];
        if (values) for (int32_t e = 0; e < n; e++) outValues[filled + e] = values[s + e];
        filled += n;
        outOffsets[k + 1] = filled;
    }
#undef MK_FETCH
}

long mk_count_nonzeros(const float *X, long rows, long cols, int32_t *counts, int *binary) {
    long total = 0;
    int ones = 1;
    for (long r = 0; r < rows; r++) {
        const float *x = X + r * cols;
        /* Bitwise operators, not && and ||: the loop then runs as vector compares (a branch per entry
         * made this scan of Texas's 6,169 columns a twentieth of a model's training). */
        int32_t n = 0, exact = 1;
        for (long c = 0; c < cols; c++) { n += x[c] != 0; exact &= (x[c] == 0) | (x[c] == 1); }
        ones &= exact;
        if (counts) counts[r] = n;
        total += n;
    }
    if (!ones) *binary = 0;
    return total;
}

void mk_nonzeros(const float *X, long rows, long cols, int32_t *indices, float *values, long capacity) {
    long e = 0;
    for (long r = 0; r < rows; r++) {
        const float *x = X + r * cols;
        long c = 0;
        /* Sparse rows are mostly zeros: blocks of sixteen are tested at once (a vector compare) and
         * skipped when all are zero. The others write every entry and move on only past a nonzero, so
         * no branch depends on the data (a branch per entry mispredicted at Purchase's 9% density);
         * that writes up to sixteen places ahead, so the last blocks, near the end of the room, are
         * walked entry by entry. */
        for (; c + 16 <= cols; c += 16) {
            int any = 0;
            for (int q = 0; q < 16; q++) any |= x[c + q] != 0;
            if (!any) continue;
            if (e + 16 <= capacity) {
                for (int q = 0; q < 16; q++) {
                    indices[e] = (int32_t)(c + q);
                    if (values) values[e] = x[c + q];
                    e += x[c + q] != 0;
                }
                continue;
            }
            for (int q = 0; q < 16; q++) {
                if (x[c + q] != 0) {
                    indices[e] = (int32_t)(c + q);
                    if (values) values[e] = x[c + q];
                    e++;
                }
            }
        }
        for (; c < cols; c++) {
            if (x[c] != 0) {
                indices[e] = (int32_t)c;
                if (values) values[e] = x[c];
                e++;
            }
        }
    }
}

void mk_copy_rows(int rows, const long *records, const float *X, int cols, float *out) {
    if (avx2()) copy_rows_avx2(rows, records, X, cols, out); else copy_rows_base(rows, records, X, cols, out);
}

void mk_fill_rows(float *Z, int rows, int cols, const float *row) {
    if (avx2()) fill_rows_avx2(Z, rows, cols, row); else fill_rows_base(Z, rows, cols, row);
}

void mk_relu(float *x, long n) { if (avx2()) relu_avx2(x, n); else relu_base(x, n); }

void mk_tanh_backward(float *dH, const float *H, long n) {
    for (long i = 0; i < n; i++) dH[i] *= 1 - H[i] * H[i];
}

void mk_relu_backward(float *dH, const float *H, long n) {
    if (avx2()) relu_backward_avx2(dH, H, n); else relu_backward_base(dH, H, n);
}

void mk_column_sums(const float *M, int rows, int cols, float *out) {
    if (avx2()) column_sums_avx2(M, rows, cols, out); else column_sums_base(M, rows, cols, out);
}

void mk_momentum(float *w, const float *g, float *u, long n, float lr, float mu) {
    for (long i = 0; i < n; i++) { u[i] = mu * u[i] - lr * g[i]; w[i] += u[i]; }
}

/* g + lambda w rounds the product before the sum (no fused multiply-add), as Adam's own L2 term does
 * (plus_l2), so that SGD and Adam add the penalty alike and trained models keep the bits they had. */
void mk_add_scaled(float *g, const float *w, long n, float lambda) {
#pragma clang fp contract(off)
    for (long i = 0; i < n; i++) g[i] += lambda * w[i];
}

void mk_flush_subnormals(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(_mm_getcsr() | 0x8040); /* FTZ | DAZ */
#endif
}
