/* Included twice by kernels.c: once per instruction set. FN(x) gives each copy its own names. */

#include "gemm_impl.h"

/* Columns j0 ..< j0 + 8 nv of one output row (or one weight-gradient row): the sum over entries
 * begin ..< end of v * src[row(entry)][j0...], kept in nv vector registers while the source rows stream
 * past, added in the order of the entries. nv is a constant where this is inlined (8, 4 or 1). */
static inline __attribute__((always_inline)) void FN(sum_rows)(int nv, int begin, int end, const int32_t *rowOf,
                                                               const int32_t *valueOf, const float *values,
                                                               const float *src, int N, int j0,
                                                               const float *start, float *out) {
    FN(v8) acc[8];
    for (int q = 0; q < nv; q++) acc[q] = start ? FN(load)(start + j0 + 8 * q) : FN(splat)(0);
    for (int e = begin; e < end; e++) {
        const float *w = src + (long)rowOf[e] * N + j0;
        float v = values ? values[valueOf ? valueOf[e] : e] : 1;
        if (v == 1) {
            for (int q = 0; q < nv; q++) acc[q] += FN(load)(w + 8 * q);
        } else {
            FN(v8) vv = FN(splat)(v);
            for (int q = 0; q < nv; q++) acc[q] += vv * FN(load)(w + 8 * q);
        }
    }
    for (int q = 0; q < nv; q++) FN(store)(out + j0 + 8 * q, acc[q]);
}

/* All columns of one output row: blocks of 64, then 32, then 8 columns in registers, the last few one
 * at a time. Whatever the block, each column gets the same additions in the same order. */
static inline __attribute__((always_inline)) void FN(sum_row)(int begin, int end, const int32_t *rowOf,
                                                              const int32_t *valueOf, const float *values,
                                                              const float *src, int N, const float *start, float *out) {
    int j0 = 0;
    for (; j0 + 64 <= N; j0 += 64) FN(sum_rows)(8, begin, end, rowOf, valueOf, values, src, N, j0, start, out);
    if (j0 + 32 <= N) { FN(sum_rows)(4, begin, end, rowOf, valueOf, values, src, N, j0, start, out); j0 += 32; }
    for (; j0 + 8 <= N; j0 += 8) FN(sum_rows)(1, begin, end, rowOf, valueOf, values, src, N, j0, start, out);
    for (int j = j0; j < N; j++) {
        float s = start ? start[j] : 0;
        for (int e = begin; e < end; e++) {
            float v = values ? values[valueOf ? valueOf[e] : e] : 1;
            /* Always the multiply-add: with v = 1 it rounds like the plain sum, and written as one
             * expression it fuses exactly as the vector loops that computed these columns before. */
            s += v * src[(long)rowOf[e] * N + j];
        }
        out[j] = s;
    }
}

/* Each output row is the bias plus the weight rows of the record's nonzeros, added in the order of the
 * nonzeros, with the partial sums in registers (one load per vector instead of a load and a store). */
static void FN(sparse_forward)(int rows, const int32_t *offsets, const int32_t *indices, const float *values,
                               const float *W, int N, const float *bias, float *Z) {
    for (int r = 0; r < rows; r++)
        FN(sum_row)(offsets[r], offsets[r + 1], indices, NULL, values, W, N, bias, Z + (long)r * N);
}

/* The batch turned around: for each feature, the entries that hold it (a counting sort that keeps the
 * rows in order). Feature i's entries are owner/entry[(i == 0 ? 0 : start[i - 1]) ..< start[i]]; `entry`
 * (where each entry's value is) is written only when the batch has values: 0/1 inputs never read it.
 * `byFeature` has room for features + 1 + 2 * nonzeros. */
static void FN(turn_batch)(int rows, const int32_t *offsets, const int32_t *indices, const float *values, int features,
                           int32_t *byFeature, int32_t **start, int32_t **owner, int32_t **entry) {
    int nonzeros = offsets[rows] - offsets[0];
    *start = byFeature; *owner = byFeature + features + 1; *entry = *owner + nonzeros;
    int32_t *st = *start, *ow = *owner, *en = *entry;
    for (int i = 0; i <= features; i++) st[i] = 0;
    for (int e = offsets[0]; e < offsets[rows]; e++) st[indices[e] + 1]++;
    for (int i = 0; i < features; i++) st[i + 1] += st[i];
    if (values) {
        for (int r = 0; r < rows; r++)
            for (int e = offsets[r]; e < offsets[r + 1]; e++) {
                int32_t slot = st[indices[e]]++;
                ow[slot] = r;
                en[slot] = e;
            }
    } else {
        for (int r = 0; r < rows; r++)
            for (int e = offsets[r]; e < offsets[r + 1]; e++) ow[st[indices[e]]++] = r;
    }
}

/* dW[i,:] = sum over the rows r holding feature i of v * dZ[r,:], in the order of the rows. The batch
 * is first turned around, so that each weight row is summed in registers and written once, and rows no
 * record touches are written as zeros: the same additions in the same order as scattering row by row
 * into a zeroed dW, at a third of the memory traffic. */
static void FN(sparse_weight_grad)(int rows, const int32_t *offsets, const int32_t *indices, const float *values,
                                   const float *dZ, int N, int features, float *dW, int32_t *byFeature) {
    int32_t *start, *owner, *entry;
    FN(turn_batch)(rows, offsets, indices, values, features, byFeature, &start, &owner, &entry);
    for (int i = 0; i < features; i++)
        FN(sum_row)(i == 0 ? 0 : start[i - 1], start[i], owner, entry, values, dZ, N, NULL, dW + (long)i * N);
}

static void FN(adam)(float *w, const float *g, float *m, float *v, long n, int l2, float lambda, float b1, float b2, float step, float epsHat);

/* The first layer's Adam step straight from the sparse batch: each weight row's gradient is summed as
 * sparse_weight_grad sums it, into a row-sized buffer `g` that stays in the first-level cache, and goes
 * through Adam (with the L2 term, if l2) at once. The same numbers as the gradient written out and
 * mk_adam (with the same l2 and lambda) over the whole matrix, without writing and reading the whole gradient
 * (a third of a megabyte for Purchase's 600 x 128) twice more every step. */
static void FN(sparse_adam)(int rows, const int32_t *offsets, const int32_t *indices, const float *values,
                            const float *dZ, int N, int features, int32_t *byFeature, float *g,
                            float *w, float *m, float *v, int l2, float lambda, float b1, float b2, float step, float epsHat) {
    int32_t *start, *owner, *entry;
    FN(turn_batch)(rows, offsets, indices, values, features, byFeature, &start, &owner, &entry);
    for (int i = 0; i < features; i++) {
        long at = (long)i * N;
        FN(sum_row)(i == 0 ? 0 : start[i - 1], start[i], owner, entry, values, dZ, N, NULL, g);
        FN(adam)(w + at, g, m + at, v + at, N, l2, lambda, b1, b2, step, epsHat);
    }
}

/* exp(x) for x <= 0 (softmax after the max is subtracted) and for tanh: 2^n * e^r with
 * n = round(x / ln 2), |r| <= ln2 / 2, e^r by its Taylor series to degree 7 (relative error < 1e-7). */
static inline float FN(expf)(float x) {
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    float n = __builtin_roundevenf(x * 1.44269504088896341f);
    float r = x - n * 0.693145751953125f - n * 1.428606765330187045e-06f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    __builtin_memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static void FN(tanh)(float *x, long n) {
    for (long i = 0; i < n; i++) {
        float v = x[i];
        float a = v < 0 ? -v : v;
        a = a > 9.0f ? 9.0f : a;
        /* tanh(a) = 1 - 2 / (e^{2a} + 1); for tiny a use the odd series to keep relative accuracy. */
        float e = FN(expf)(2.0f * a);
        float t = 1.0f - 2.0f / (e + 1.0f);
        float a2 = a * a;
        float s = a * (1.0f - a2 * (1.0f / 3.0f - a2 * (2.0f / 15.0f)));
        t = a < 0.0625f ? s : t;
        x[i] = v < 0 ? -t : t;
    }
}

/* The maximum is order-free, so it is taken eight lanes at a time; the exponentials run as a vector loop
 * of their own; each row's sum stays a left-to-right sum. Eight rows at a time, each 8 x 8 block is
 * turned around so that one vector holds one column of the eight rows: lane q adds row q's entries in
 * column order, the same additions as the row alone, and the rows are then scaled a vector at a time.
 * Four rows and then one at a time for the rest, as scalar loops. */
static void FN(softmax_rows)(float *Z, int rows, int cols) {
    int C8 = cols - cols % 8;
    for (int r = 0; r < rows; r++) {
        float *z = Z + (long)r * cols;
        float top = z[0];
        if (C8 > 0) {
            FN(v8) m = FN(load)(z);
            for (int j = 8; j < C8; j += 8) { m = __builtin_elementwise_max(m, FN(load)(z + j)); }
            for (int q = 0; q < 8; q++) top = m[q] > top ? m[q] : top;
        }
        for (int j = C8; j < cols; j++) top = z[j] > top ? z[j] : top;
        for (int j = 0; j < cols; j++) z[j] = FN(expf)(z[j] - top);
    }
    int r = 0;
    for (; r + 8 <= rows; r += 8) {
        float *z0 = Z + (long)r * cols, turned[64];
        FN(v8) sums = FN(splat)(0);
        for (int j = 0; j < C8; j += 8) {
            FN(transpose8)(z0 + j, cols, turned, 8);
            for (int q = 0; q < 8; q++) sums += FN(load)(turned + 8 * q);
        }
        for (int j = C8; j < cols; j++) {
            FN(v8) column;
            for (int q = 0; q < 8; q++) column[q] = z0[(long)q * cols + j];
            sums += column;
        }
        FN(v8) inverses = FN(splat)(1.0f) / sums;
        for (int q = 0; q < 8; q++) {
            float *z = z0 + (long)q * cols, inverse = inverses[q];
            FN(v8) scale = FN(splat)(inverse);
            for (int j = 0; j < C8; j += 8) FN(store)(z + j, FN(load)(z + j) * scale);
            for (int j = C8; j < cols; j++) z[j] *= inverse;
        }
    }
    for (; r + 4 <= rows; r += 4) {
        float *z0 = Z + (long)r * cols, *z1 = z0 + cols, *z2 = z1 + cols, *z3 = z2 + cols;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int j = 0; j < cols; j++) { s0 += z0[j]; s1 += z1[j]; s2 += z2[j]; s3 += z3[j]; }
        float i0 = 1.0f / s0, i1 = 1.0f / s1, i2 = 1.0f / s2, i3 = 1.0f / s3;
        for (int j = 0; j < cols; j++) { z0[j] *= i0; z1[j] *= i1; z2[j] *= i2; z3[j] *= i3; }
    }
    for (; r < rows; r++) {
        float *z = Z + (long)r * cols;
        float sum = 0;
        for (int j = 0; j < cols; j++) sum += z[j];
        float inv = 1.0f / sum;
        for (int j = 0; j < cols; j++) z[j] *= inv;
    }
}

/* g + lambda w, the L2 penalty's gradient added as mk_add_scaled adds it: the product rounded before the
 * sum. The pragma keeps this one expression from becoming a multiply-add (the package compiles with
 * -ffp-contract=fast-honor-pragmas); every other expression here may still fuse. */
static inline __attribute__((always_inline)) float FN(plus_l2)(float g, float w, float lambda) {
#pragma clang fp contract(off)
    return g + lambda * w;
}

/* a * b + c: one rounding where the kernels are compiled for FMA (MK_FMA), two on the baseline. */
#undef MK_MULADD
#if MK_FMA
#define MK_MULADD(a, b, c) __builtin_fmaf((a), (b), (c))
#else
#define MK_MULADD(a, b, c) ((a) * (b) + (c))
#endif

static inline __attribute__((always_inline)) void FN(adam_loop)(int l2, float *w, const float *g, float *m, float *v, long n,
                                                                 float lambda, float b1, float b2, float step, float epsHat) {
    for (long i = 0; i < n; i++) {
        float gi = l2 ? FN(plus_l2)(g[i], w[i], lambda) : g[i];
        /* Which product of each sum the multiply-add takes is written out, not left to the compiler: its
         * choice changed with the code around it (once g + lambda w joined the loop), and with it the
         * bits of every trained model. These are the ones the models were trained with. */
        float mi = MK_MULADD(1 - b1, gi, b1 * m[i]);
        float vi = MK_MULADD((1 - b2) * gi, gi, b2 * v[i]);
        m[i] = mi; v[i] = vi;
        w[i] -= step * mi / (__builtin_sqrtf(vi) + epsHat);
    }
}

/* With l2 the penalty's gradient joins in the same pass, instead of a pass of its own over g before
 * (which cost a fifth of Adam's time: a baseline loop called row by row). */
static void FN(adam)(float *w, const float *g, float *m, float *v, long n, int l2, float lambda, float b1, float b2, float step, float epsHat) {
    if (l2) FN(adam_loop)(1, w, g, m, v, n, lambda, b1, b2, step, epsHat);
    else FN(adam_loop)(0, w, g, m, v, n, 0, b1, b2, step, epsHat);
}

/* The small steps around an attack model's products (a batch of 32 x 64 and 32 x 2): no multiplications
 * in them, so nothing can fuse, and the vector versions give the bits of the plain loops they were. In
 * the baseline set they were a memcpy call per row and four-lane loops (a quarter of an attack model's
 * step besides its products). */

/* Copies stay loops: left alone the compiler turns them into memcpy calls (and the zeroing into memset),
 * whose start-up cost was most of the work for rows of 2 to 100 floats. */
#define MK_NO_LIBRARY_CALLS __attribute__((no_builtin("memcpy", "memmove", "memset")))

/* The rows come shuffled from a data set larger than the second-level cache (an attack model's 4,000 x
 * 100), so the rows a few places ahead are asked for while this one is copied. */
static MK_NO_LIBRARY_CALLS void FN(copy_rows)(int rows, const long *records, const float *X, int cols, float *restrict out) {
    enum { ahead = 4 };
    for (int k = 0; k < rows; k++) {
        if (k + ahead < rows) {
            const float *next = X + records[k + ahead] * (long)cols;
            for (int c = 0; c < cols; c += 16) __builtin_prefetch(next + c);
        }
        const float *restrict x = X + records[k] * (long)cols;
        float *restrict o = out + (long)k * cols;
        for (int c = 0; c < cols; c++) o[c] = x[c];
    }
}

static MK_NO_LIBRARY_CALLS void FN(fill_rows)(float *restrict Z, int rows, int cols, const float *restrict row) {
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) Z[(long)r * cols + c] = row[c];
}

static void FN(relu)(float *x, long n) { for (long i = 0; i < n; i++) x[i] = x[i] > 0 ? x[i] : 0; }

/* Both values are loaded before the choice so that the loop is a vector blend, not a branch taken at
   random (half the units are active): the branchy form was a tenth of the attack's training time. */
static void FN(relu_backward)(float *restrict dH, const float *restrict H, long n) {
    for (long i = 0; i < n; i++) { float d = dH[i]; dH[i] = H[i] > 0 ? d : 0.0f; }
}

/* Each column summed down its rows in order, from zero, in registers: eight columns to a vector, the
 * last few one at a time. */
static MK_NO_LIBRARY_CALLS void FN(column_sums)(const float *restrict M, int rows, int cols, float *restrict out) {
    int j = 0;
    for (; j + 8 <= cols; j += 8) {
        FN(v8) acc = FN(splat)(0);
        for (int r = 0; r < rows; r++) acc += FN(load)(M + (long)r * cols + j);
        FN(store)(out + j, acc);
    }
    for (; j < cols; j++) {
        float s = 0;
        for (int r = 0; r < rows; r++) s += M[(long)r * cols + j];
        out[j] = s;
    }
}
