/* Included twice by kernels.c: once per instruction set. FN(x) gives each copy its own names. */

typedef float FN(v8) __attribute__((vector_size(32), aligned(4)));

static inline FN(v8) FN(load)(const float *p) { FN(v8) v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void FN(store)(float *p, FN(v8) v) { __builtin_memcpy(p, &v, sizeof v); }
static inline FN(v8) FN(splat)(float a) { return (FN(v8)){a, a, a, a, a, a, a, a}; }

/* The 4 x 16 micro-kernel: C[i..i+4, j..j+16] = sum_k a(i+r, k) * B[k, j..j+16] (+ beta C).
 * a(i, k) = A[i * sai + k * sak], so the same code serves A and its transpose. B is K x N, ldb. */
static void FN(tile4x16)(int K, const float *A, long sai, long sak, const float *B, int ldb,
                         float beta, float *C, int ldc) {
    FN(v8) c00 = FN(splat)(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    const float *a0 = A, *a1 = A + sai, *a2 = A + 2 * sai, *a3 = A + 3 * sai;
    for (int k = 0; k < K; k++) {
        const float *b = B + (long)k * ldb;
        FN(v8) b0 = FN(load)(b), b1 = FN(load)(b + 8);
        long o = (long)k * sak;
        FN(v8) x;
        x = FN(splat)(a0[o]); c00 += x * b0; c01 += x * b1;
        x = FN(splat)(a1[o]); c10 += x * b0; c11 += x * b1;
        x = FN(splat)(a2[o]); c20 += x * b0; c21 += x * b1;
        x = FN(splat)(a3[o]); c30 += x * b0; c31 += x * b1;
    }
    float *r0 = C, *r1 = C + ldc, *r2 = C + 2 * ldc, *r3 = C + 3 * ldc;
    if (beta != 0) {
        FN(v8) bb = FN(splat)(beta);
        c00 += bb * FN(load)(r0); c01 += bb * FN(load)(r0 + 8);
        c10 += bb * FN(load)(r1); c11 += bb * FN(load)(r1 + 8);
        c20 += bb * FN(load)(r2); c21 += bb * FN(load)(r2 + 8);
        c30 += bb * FN(load)(r3); c31 += bb * FN(load)(r3 + 8);
    }
    FN(store)(r0, c00); FN(store)(r0 + 8, c01);
    FN(store)(r1, c10); FN(store)(r1 + 8, c11);
    FN(store)(r2, c20); FN(store)(r2 + 8, c21);
    FN(store)(r3, c30); FN(store)(r3 + 8, c31);
}

/* Any leftover block: plain loops, same summation order (over k) as the tile. */
static void FN(edge)(int rows, int cols, int K, const float *A, long sai, long sak, const float *B, int ldb,
                     float beta, float *C, int ldc) {
    for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
            float s = 0;
            for (int k = 0; k < K; k++) s += A[i * sai + k * sak] * B[(long)k * ldb + j];
            C[(long)i * ldc + j] = s + (beta != 0 ? beta * C[(long)i * ldc + j] : 0);
        }
    }
}

static void FN(gemm)(int transA, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                     float beta, float *C, int ldc, float *panel) {
    long sai = transA ? 1 : lda, sak = transA ? lda : 1;
    int M4 = M - M % 4, N16 = N - N % 16;
    for (int j = 0; j < N16; j += 16) {
        for (int i = 0; i < M4; i += 4)
            FN(tile4x16)(K, A + i * sai, sai, sak, B + j, ldb, beta, C + (long)i * ldc + j, ldc);
        if (M4 < M) FN(edge)(M - M4, 16, K, A + M4 * sai, sai, sak, B + j, ldb, beta, C + (long)M4 * ldc + j, ldc);
    }
    if (N16 < N) {
        /* The last columns: copy them into a zero-padded K x 16 panel and run the same tile into a
         * 4 x 16 scratch block, keeping the vector code (and the same summation order). */
        int rest = N - N16;
        for (int k = 0; k < K; k++)
            for (int j = 0; j < 16; j++) panel[k * 16 + j] = j < rest ? B[(long)k * ldb + N16 + j] : 0;
        float block[64];
        for (int i = 0; i < M4; i += 4) {
            FN(tile4x16)(K, A + i * sai, sai, sak, panel, 16, 0, block, 16);
            for (int r = 0; r < 4; r++)
                for (int j = 0; j < rest; j++) {
                    float *c = C + (long)(i + r) * ldc + N16 + j;
                    *c = block[r * 16 + j] + (beta != 0 ? beta * *c : 0);
                }
        }
        if (M4 < M) FN(edge)(M - M4, rest, K, A + M4 * sai, sai, sak, B + N16, ldb, beta, C + (long)M4 * ldc + N16, ldc);
    }
}

static void FN(sparse_forward)(int rows, const int32_t *offsets, const int32_t *indices, const float *values,
                               const float *W, int N, const float *bias, float *Z) {
    for (int r = 0; r < rows; r++) {
        float *z = Z + (long)r * N;
        for (int j = 0; j < N; j++) z[j] = bias ? bias[j] : 0;
        for (int e = offsets[r]; e < offsets[r + 1]; e++) {
            const float *w = W + (long)indices[e] * N;
            float v = values ? values[e] : 1;
            if (v == 1) { for (int j = 0; j < N; j++) z[j] += w[j]; }
            else { for (int j = 0; j < N; j++) z[j] += v * w[j]; }
        }
    }
}

static void FN(sparse_weight_grad)(int rows, const int32_t *offsets, const int32_t *indices, const float *values,
                                   const float *dZ, int N, float *dW) {
    for (int r = 0; r < rows; r++) {
        const float *d = dZ + (long)r * N;
        for (int e = offsets[r]; e < offsets[r + 1]; e++) {
            float *w = dW + (long)indices[e] * N;
            float v = values ? values[e] : 1;
            if (v == 1) { for (int j = 0; j < N; j++) w[j] += d[j]; }
            else { for (int j = 0; j < N; j++) w[j] += v * d[j]; }
        }
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

static void FN(softmax_rows)(float *Z, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        float *z = Z + (long)r * cols;
        float top = z[0];
        for (int j = 1; j < cols; j++) top = z[j] > top ? z[j] : top;
        float sum = 0;
        for (int j = 0; j < cols; j++) { z[j] = FN(expf)(z[j] - top); sum += z[j]; }
        float inv = 1.0f / sum;
        for (int j = 0; j < cols; j++) z[j] *= inv;
    }
}

static void FN(adam)(float *w, const float *g, float *m, float *v, long n, float b1, float b2, float step, float epsHat) {
    for (long i = 0; i < n; i++) {
        float gi = g[i];
        float mi = b1 * m[i] + (1 - b1) * gi;
        float vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi; v[i] = vi;
        w[i] -= step * mi / (__builtin_sqrtf(vi) + epsHat);
    }
}
