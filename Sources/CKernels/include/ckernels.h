#ifndef CKERNELS_H
#define CKERNELS_H
#include <stdint.h>

/* Single-threaded float32 kernels for training small dense networks. Row-major throughout.
 * Each is compiled twice, for AVX2+FMA and for baseline x86-64, and dispatched once at start-up.
 * Deterministic: the same inputs give the same bits, whatever thread calls them. */

/// C = op(A) * op(B) + beta * C, with op(A) M x K and op(B) K x N.
/// transA: A is stored K x M (its transpose is used). transB: B is stored N x K.
void mk_gemm(int transA, int transB, int M, int N, int K,
             const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);

/// Z[r,:] = bias + sum over the row's nonzeros (index i, value v) of v * W[i,:].
/// The sparse rows are CSR: row r holds entries offsets[r] ..< offsets[r+1]; values may be NULL (all 1).
void mk_sparse_forward(int rows, const int32_t *offsets, const int32_t *indices, const float *values,
                       const float *W, int N, const float *bias, float *Z);

/// dW[i,:] = sum of v * dZ[r,:] over the rows r with a nonzero (i, v), in row order: the weight gradient
/// of a sparse input layer. Writes all `features` rows of dW (rows no record touches become zero).
void mk_sparse_weight_grad(int rows, const int32_t *offsets, const int32_t *indices, const float *values,
                           const float *dZ, int N, int features, float *dW);

/// The Adam step of a sparse input layer's weights (features x N) straight from the batch: each row's
/// gradient as mk_sparse_weight_grad computes it, then mk_adam (which adds lambda * w when l2 is nonzero):
/// the same numbers, without the whole gradient ever written to memory.
void mk_sparse_adam(int rows, const int32_t *offsets, const int32_t *indices, const float *values,
                    const float *dZ, int N, int features, float *w, float *m, float *v, int l2, float lambda,
                    float b1, float b2, float step, float epsHat);

/// CSR rows `records` (in that order) of a sparse matrix whose row r is start[r] ..< start[r] + count[r]
/// in indices/values (values may be NULL), copied into outOffsets (rows + 1), outIndices and outValues
/// (NULL with values), which have room for the rows' nonzeros.
void mk_gather_rows(int rows, const long *records, const int32_t *start, const int32_t *count,
                    const int32_t *indices, const float *values,
                    int32_t *outOffsets, int32_t *outIndices, float *outValues);
/// The rows `records` (in that order) of the row-major matrix X, `cols` wide, copied into out: a dense batch. out must not overlap X.
void mk_copy_rows(int rows, const long *records, const float *X, int cols, float *out);
/// Every one of the `rows` rows of Z (`cols` wide) set to `row`: the bias a layer's product adds to. Z must not overlap row.
void mk_fill_rows(float *Z, int rows, int cols, const float *row);
/// The nonzeros of each of the `rows` rows of the row-major matrix X (`cols` wide) counted into
/// counts (unless it is NULL: the total only); returns their total, and sets *binary to 0 if any
/// nonzero is not exactly 1 (else leaves it).
long mk_count_nonzeros(const float *X, long rows, long cols, int32_t *counts, int *binary);
/// The nonzeros of X in CSR order (rows in order, columns ascending): their column indices, and their
/// values unless values is NULL. indices (and values) have room for `capacity` entries, at least
/// mk_count_nonzeros's total; nothing is written past `capacity`.
void mk_nonzeros(const float *X, long rows, long cols, int32_t *indices, float *values, long capacity);
/// x = tanh(x), elementwise; absolute error below 2e-7.
void mk_tanh(float *x, long n);
/// x = max(x, 0).
void mk_relu(float *x, long n);
/// dZ = dH * (1 - H^2) (tanh) written over dH.
void mk_tanh_backward(float *dH, const float *H, long n);
/// dZ = dH * (H > 0) (ReLU) written over dH, which must not overlap H.
void mk_relu_backward(float *dH, const float *H, long n);
/// Row-wise softmax in place (each row's maximum subtracted first).
void mk_softmax_rows(float *Z, int rows, int cols);
/// For softmax outputs P of the records `records` (indices into `labels`): dZ = (P - onehot(label)) * scale,
/// *loss = sum of -log(max(p[label], 1e-12)) in row order (double), *correct = rows whose first largest
/// probability is the label's.
void mk_cross_entropy_delta(const float *P, int rows, int classes, const long *labels, const long *records,
                            float scale, float *dZ, double *loss, long *correct);
/// mk_cross_entropy_delta's work row by row: logs[r] = log(max(p[label], 1e-12)) and hits[r] = 1 or 0, so
/// that rows computed on different threads can be summed in row order afterwards (the same double sums).
void mk_cross_entropy_rows(const float *P, int rows, int classes, const long *labels, const long *records,
                           float scale, float *dZ, double *logs, long *hits);
/// out[j] = sum over rows of M[r, j], from zero in row order; out must not overlap M.
void mk_column_sums(const float *M, int rows, int cols, float *out);
/// Adam step: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= step * m / (sqrt(v) + epsHat), where g is
/// the gradient plus (if l2) lambda * w as mk_add_scaled adds it; g itself is left as it is.
void mk_adam(float *w, const float *g, float *m, float *v, long n, int l2, float lambda,
             float b1, float b2, float step, float epsHat);
/// SGD with momentum: u = mu u - lr g; w += u.
void mk_momentum(float *w, const float *g, float *u, long n, float lr, float mu);
/// g += lambda * w (the L2 penalty's gradient).
void mk_add_scaled(float *g, const float *w, long n, float lambda);

/// Sets flush-to-zero and denormals-are-zero for the calling thread. Saturated softmax outputs make
/// gradients of 1e-40 and smaller, and arithmetic on such subnormal numbers is ~100x slower on x86.
/// Training and inference call this first; results stay deterministic.
void mk_flush_subnormals(void);

/* ---- One model's training step on two threads ---- */

/// A second thread, lent to one model's training step at a time (one per process, made on first use and
/// then parked between uses). mk_pair_acquire returns 1 if the caller may use it, 0 if another caller has
/// it, -1 if the thread could not be made; the caller hands it back with mk_pair_release.
int mk_pair_acquire(void);
void mk_pair_release(void);

/// A training step of an MLP with one hidden layer, a sparse input and Adam, shared by two threads.
/// The hidden units are split at `split`: thread t owns its columns of the first layer, stored as a
/// block of its own (features x width: W0[t], m0[t], v0[t]), so the two cores never write the same rows.
/// Every number is computed by the same kernel, in the same order, as the one-thread step
/// (MLPTrainer.computeGradients then update), so the bits are the same.
typedef struct {
    int rows, features, hidden, classes, split, relu;
    const int32_t *offsets, *indices;
    const float *values;
    float *W0[2], *m0[2], *v0[2];
    float *b0, *gb0, *mb0, *vb0;
    float *z0[2], *d0[2];
    float *h0;
    float *W1, *gW1, *mW1, *vW1;
    float *b1, *gb1, *mb1, *vb1;
    float *Z1, *dZ1;
    const long *labels, *records;
    float scale;
    double *logs;
    long *hits;
    int l2;
    float lambda, beta1, beta2, step, epsHat;
} mk_split_step;

/// Runs the step on the calling thread and the lent one; returns when both halves are done. The caller
/// must hold the pair (mk_pair_acquire); the process stops with a message if it does not. Afterwards logs[r] is log(max(p[label], 1e-12)) of row r and
/// hits[r] whether its first largest probability is the label's (the one-thread step sums them in row order).
void mk_split_step_run(const mk_split_step *step);

/// Which kernel set runs: "avx2+fma" or "baseline". Runs with the same set give the same bits.
const char *mk_kernel_name(void);

/// Which matrix product runs: "avx512" (32 columns to a tile, on processors with AVX-512; the same bits
/// as "avx2"), "avx2" or "baseline". MIL_KERNELS=avx2 rules out the first.
const char *mk_product_kernel(void);

#endif
