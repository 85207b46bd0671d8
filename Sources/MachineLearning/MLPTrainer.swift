import CKernels
import Foundation

/// Training state of one MLP: parameters, gradients, optimizer moments and workspaces.
final class MLPTrainer {
    let config: MLPClassifier
    let data: Dataset
    let shapes: [(inputs: Int, outputs: Int)]
    let weights: [FloatBuffer], biases: [FloatBuffer]
    let gradW: [FloatBuffer], gradB: [FloatBuffer]
    let m: [FloatBuffer], v: [FloatBuffer]
    let hidden: [FloatBuffer], delta: [FloatBuffer]
    /// The layer shapes as `forward` takes them, and every parameter with its gradient in optimizer
    /// order (weights, then biases): made once, not at every step.
    let layers: [(Int, Int)]
    let parameters: [FloatBuffer], gradients: [FloatBuffer]
    let input: FloatBuffer
    let sparse: SparseRows?
    var generator: SplitMix64
    var order: [Int]
    var step = 0
    var offsets: [Int32] = [], indices: [Int32] = [], values: [Float] = []
    /// With a sparse first layer and Adam, a training step never writes that layer's weight gradient:
    /// `update` computes each row of it and takes its Adam step at once (`mk_sparse_adam`).
    let fusesFirstLayer: Bool
    /// Set by a backward pass that left the first layer's weight gradient to `update`: the batch's rows.
    var firstLayerPending: Int?
    /// Whether epochs may run their steps on two threads (`StepPartner`), and the first layer's layout
    /// for that, made when first needed (nil if this model's step cannot be split).
    var partnerUse = PartnerUse.whenFree
    lazy var splitLayout: SplitLayout? = SplitLayout.of(self)
    /// Steps run on two threads so far (for tests: the path they compare was taken).
    var stepsOnTwoThreads = 0

    init(config: MLPClassifier, data: Dataset) {
        mk_flush_subnormals()
        self.config = config
        self.data = data
        let sizes = [data.featureCount] + config.hiddenLayers + [data.classCount]
        shapes = (0..<(sizes.count - 1)).map { (sizes[$0], sizes[$0 + 1]) }
        generator = SplitMix64(seed: config.seed)
        var w: [FloatBuffer] = [], b: [FloatBuffer] = []
        for (fanIn, fanOut) in shapes {
            let bound = 1 / Double(fanIn).squareRoot()
            let wb = FloatBuffer(count: fanIn * fanOut)
            for i in 0..<wb.count { wb.pointer[i] = Float((generator.nextUnit() * 2 - 1) * bound) }
            let bb = FloatBuffer(count: fanOut)
            for i in 0..<fanOut { bb.pointer[i] = Float((generator.nextUnit() * 2 - 1) * bound) }
            w.append(wb); b.append(bb)
        }
        weights = w; biases = b
        gradW = shapes.map { FloatBuffer(count: $0.inputs * $0.outputs) }
        gradB = shapes.map { FloatBuffer(count: $0.outputs) }
        layers = shapes.map { ($0.inputs, $0.outputs) }
        parameters = w + b
        gradients = gradW + gradB
        m = (shapes.map { FloatBuffer(count: $0.inputs * $0.outputs) } + shapes.map { FloatBuffer(count: $0.outputs) })
        v = (shapes.map { FloatBuffer(count: $0.inputs * $0.outputs) } + shapes.map { FloatBuffer(count: $0.outputs) })
        let batch = min(config.batchSize, data.count)
        hidden = shapes.map { FloatBuffer(count: batch * $0.outputs) }
        delta = shapes.map { FloatBuffer(count: batch * max($0.outputs, $0.inputs)) }
        sparse = SparseRows.ifSparse(data.features)
        if case .adam = config.optimizer { fusesFirstLayer = sparse != nil } else { fusesFirstLayer = false }
        input = FloatBuffer(count: sparse == nil ? batch * data.featureCount : 1)
        order = Array(0..<data.count)
    }

    /// The forward pass for `rows` records: `hidden[l]` ends up holding layer l's activations, the
    /// last one the softmax probabilities.
    static func forward(rows: Int, layers: [(Int, Int)], weights: [FloatBuffer], biases: [FloatBuffer],
                        hidden: [FloatBuffer], activation: Activation,
                        sparse: (offsets: [Int32], indices: [Int32], values: [Float]?)?, dense: UnsafePointer<Float>) {
        for (l, (fanIn, fanOut)) in layers.enumerated() {
            let z = hidden[l].pointer
            if l == 0, let sparse {
                sparse.offsets.withUnsafeBufferPointer { o in
                    sparse.indices.withUnsafeBufferPointer { i in
                        if let values = sparse.values {
                            values.withUnsafeBufferPointer { v in
                                mk_sparse_forward(Int32(rows), o.baseAddress, i.baseAddress, v.baseAddress,
                                                  weights[0].pointer, Int32(fanOut), biases[0].pointer, z)
                            }
                        } else {
                            mk_sparse_forward(Int32(rows), o.baseAddress, i.baseAddress, nil,
                                              weights[0].pointer, Int32(fanOut), biases[0].pointer, z)
                        }
                    }
                }
            } else {
                mk_fill_rows(z, Int32(rows), Int32(fanOut), biases[l].pointer)
                let a = l == 0 ? dense : UnsafePointer(hidden[l - 1].pointer)
                mk_gemm(0, 0, Int32(rows), Int32(fanOut), Int32(fanIn), a, Int32(fanIn),
                        weights[l].pointer, Int32(fanOut), 1, z, Int32(fanOut))
            }
            if l == layers.count - 1 {
                mk_softmax_rows(z, Int32(rows), Int32(fanOut))
            } else {
                switch activation {
                case .tanh: mk_tanh(z, rows * fanOut)
                case .relu: mk_relu(z, rows * fanOut)
                }
            }
        }
    }

    /// One pass over the shuffled training set; returns the running loss and accuracy.
    func epoch(_ number: Int) -> EpochRecord {
        order.shuffle(using: &generator)
        if takesPartner(), let layout = splitLayout {
            defer { mk_pair_release() }
            return epochOnTwoThreads(number, layout)
        }
        let batchSize = min(config.batchSize, data.count)
        var loss = 0.0, correct = 0
        var start = 0
        while start < order.count {
            let rows = min(batchSize, order.count - start)
            let result = computeGradients(order[start..<(start + rows)], forUpdate: true)
            start += rows
            loss += result.loss
            correct += result.correct
            update()
        }
        return EpochRecord(epoch: number, loss: loss / Double(data.count),
                           trainAccuracy: Double(correct) / Double(data.count), validationAccuracy: nil)
    }

    /// Forward and backward passes over the records `batch`: fills `gradW`/`gradB` with the gradient of
    /// the batch's mean cross-entropy (without the L2 term) and returns the summed loss and hits.
    /// `forUpdate`: the next call is `update()`, which may then compute the first layer's weight gradient
    /// itself (see `fusesFirstLayer`), and `gradW[0]` is left as it was.
    func computeGradients(_ batch: ArraySlice<Int>, forUpdate: Bool = false) -> (loss: Double, correct: Int) {
        let rows = batch.count
        let classes = data.classCount
        let last = shapes.count - 1
        if let sparse {
            sparse.gather(batch, offsets: &offsets, indices: &indices, values: &values)
        } else {
            data.features.values.withUnsafeBufferPointer { x in
                batch.withUnsafeBufferPointer { records in
                    mk_copy_rows(Int32(rows), records.baseAddress, x.baseAddress, Int32(data.featureCount), input.pointer)
                }
            }
        }
        Self.forward(rows: rows, layers: layers, weights: weights, biases: biases,
                     hidden: hidden, activation: config.activation,
                     sparse: sparse == nil ? nil : (offsets, indices, sparse!.values == nil ? nil : values),
                     dense: input.pointer)

        // Output delta: (p − onehot(y)) / B; loss and accuracy from the same probabilities.
        var loss = 0.0, correct = 0
        data.labels.withUnsafeBufferPointer { labels in
            batch.withUnsafeBufferPointer { records in
                mk_cross_entropy_delta(hidden[last].pointer, Int32(rows), Int32(classes), labels.baseAddress,
                                       records.baseAddress, 1 / Float(rows), delta[last].pointer, &loss, &correct)
            }
        }
        backward(rows: rows, leavingFirstLayer: forUpdate && fusesFirstLayer)
        return (loss, correct)
    }

    func backward(rows: Int, leavingFirstLayer: Bool = false) {
        firstLayerPending = leavingFirstLayer ? rows : nil
        for l in stride(from: shapes.count - 1, through: 0, by: -1) {
            let (fanIn, fanOut) = shapes[l]
            let dz = delta[l].pointer
            if l == 0, leavingFirstLayer {
                // update() sums this layer's weight gradient row by row as it steps.
            } else if l == 0, let sparse {
                offsets.withUnsafeBufferPointer { o in
                    indices.withUnsafeBufferPointer { i in
                        if sparse.values != nil {
                            values.withUnsafeBufferPointer { v in
                                mk_sparse_weight_grad(Int32(rows), o.baseAddress, i.baseAddress, v.baseAddress, dz, Int32(fanOut), Int32(fanIn), gradW[0].pointer)
                            }
                        } else {
                            mk_sparse_weight_grad(Int32(rows), o.baseAddress, i.baseAddress, nil, dz, Int32(fanOut), Int32(fanIn), gradW[0].pointer)
                        }
                    }
                }
            } else {
                let a = l == 0 ? input.pointer : hidden[l - 1].pointer
                mk_gemm(1, 0, Int32(fanIn), Int32(fanOut), Int32(rows), a, Int32(fanIn), dz, Int32(fanOut),
                        0, gradW[l].pointer, Int32(fanOut))
            }
            mk_column_sums(dz, Int32(rows), Int32(fanOut), gradB[l].pointer)
            if l > 0 {
                let previous = delta[l - 1].pointer
                mk_gemm(0, 1, Int32(rows), Int32(fanIn), Int32(fanOut), dz, Int32(fanOut),
                        weights[l].pointer, Int32(fanOut), 0, previous, Int32(fanIn))
                switch config.activation {
                case .tanh: mk_tanh_backward(previous, hidden[l - 1].pointer, rows * fanIn)
                case .relu: mk_relu_backward(previous, hidden[l - 1].pointer, rows * fanIn)
                }
            }
        }
    }

    /// The learning rate of update number `step` (counted from 1), and Adam's bias corrections, which
    /// depend on the step only.
    func schedule(_ step: Int) -> (lr: Double, corrections: (c1: Double, c2: Double)) {
        let lr = config.optimizer.learningRate / (1 + config.learningRateDecay * Double(step - 1))
        var corrections = (c1: 1.0, c2: 1.0)
        if case let .adam(_, b1, b2, _) = config.optimizer {
            corrections = (1 - pow(b1, Double(step)), 1 - pow(b2, Double(step)))
        }
        return (lr, corrections)
    }

    /// The step size and epsilon the Adam kernels take for learning rate `lr` and bias corrections
    /// `corrections`: the corrections folded into both, so the kernels need not know the step.
    func adamConstants(_ lr: Double, _ corrections: (c1: Double, c2: Double), eps: Double) -> (step: Float, epsHat: Float) {
        (Float(lr * corrections.c2.squareRoot() / corrections.c1), Float(eps * corrections.c2.squareRoot()))
    }

    func update() {
        defer { firstLayerPending = nil }
        step += 1
        let (lr, corrections) = schedule(step)
        for k in parameters.indices {
            let w = parameters[k], g = gradients[k]
            if k == 0, let rows = firstLayerPending, case let .adam(_, b1, b2, eps) = config.optimizer, let sparse {
                let adam = adamConstants(lr, corrections, eps: eps)
                offsets.withUnsafeBufferPointer { o in
                    indices.withUnsafeBufferPointer { i in
                        values.withUnsafeBufferPointer { x in
                            mk_sparse_adam(Int32(rows), o.baseAddress, i.baseAddress, sparse.values == nil ? nil : x.baseAddress,
                                           delta[0].pointer, Int32(shapes[0].outputs), Int32(shapes[0].inputs),
                                           w.pointer, m[k].pointer, v[k].pointer, config.l2 > 0 ? 1 : 0, Float(config.l2),
                                           Float(b1), Float(b2), adam.step, adam.epsHat)
                        }
                    }
                }
                continue
            }
            // The L2 term: added to the stored gradient for SGD, inside Adam's own loop for Adam (which leaves
            // the stored gradient as backward wrote it).
            switch config.optimizer {
            case let .sgd(_, momentum):
                if config.l2 > 0 { mk_add_scaled(g.pointer, w.pointer, w.count, Float(config.l2)) }
                mk_momentum(w.pointer, g.pointer, m[k].pointer, w.count, Float(lr), Float(momentum))
            case let .adam(_, b1, b2, eps):
                let adam = adamConstants(lr, corrections, eps: eps)
                mk_adam(w.pointer, g.pointer, m[k].pointer, v[k].pointer, w.count, config.l2 > 0 ? 1 : 0, Float(config.l2),
                        Float(b1), Float(b2), adam.step, adam.epsHat)
            }
        }
    }

    func snapshot(history: [EpochRecord]) -> FittedMLP {
        FittedMLP(layers: shapes.indices.map { l in
            DenseLayer(weights: Matrix(rows: shapes[l].inputs, columns: shapes[l].outputs, values: weights[l].array),
                       biases: biases[l].array)
        }, activation: config.activation, history: history)
    }
}
