import CKernels
import Foundation

/// The nonlinearity of an MLP's hidden layers.
public enum Activation: String, Codable, Sendable {
    case tanh, relu
}

/// How parameters are updated from gradients.
public enum Optimizer: Equatable, Codable, Sendable {
    /// Stochastic gradient descent with (heavy-ball) momentum μ: u ← μu − η g; w ← w + u.
    case sgd(learningRate: Double, momentum: Double = 0)
    /// Adam (Kingma & Ba 2015) with bias correction; ε is added to the bias-corrected √v̂, as PyTorch does.
    case adam(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8)

    var learningRate: Double {
        switch self {
        case .sgd(let lr, _), .adam(let lr, _, _, _): return lr
        }
    }
}

/// A fully connected network: hidden layers with tanh or ReLU, a softmax output, cross-entropy loss.
///
/// Configuration in, fitted model out. The loss is the mean cross-entropy over a mini-batch; the L2
/// penalty λ adds λw to every parameter's gradient (coupled weight decay, as PyTorch's
/// `weight_decay`). The learning rate decays as η_t = η / (1 + decay · t) with t the number of updates
/// so far (Keras's `decay`). Weights start uniform in ±1/√fan_in, as PyTorch's `nn.Linear`.
///
/// Inputs with few nonzeros (density below 30%, e.g. Purchase's binary features) take a sparse first
/// layer: the forward pass adds the weight rows of the set features, and the weight gradient touches
/// only those rows. The arithmetic is the same sum in the same order for a given input, so results are
/// deterministic; they are not bitwise equal to a dense product.
public struct MLPClassifier: Sendable {
    public var hiddenLayers: [Int]
    public var activation: Activation
    public var optimizer: Optimizer
    public var epochs: Int
    public var batchSize: Int
    /// L2 penalty λ.
    public var l2: Double
    public var learningRateDecay: Double
    public var seed: UInt64
    /// When true (the default) each epoch's history holds the exact loss and accuracy on the whole
    /// training set and on the held-out set after that epoch; when false, the running means over the
    /// epoch's mini-batches (cheaper: no extra pass) and no held-out score until the end.
    public var evaluateEachEpoch: Bool

    public init(hiddenLayers: [Int] = [128], activation: Activation = .tanh,
                optimizer: Optimizer = .adam(learningRate: 0.001), epochs: Int = 100, batchSize: Int = 100,
                l2: Double = 0, learningRateDecay: Double = 0, seed: UInt64 = 0, evaluateEachEpoch: Bool = true) {
        self.hiddenLayers = hiddenLayers
        self.activation = activation
        self.optimizer = optimizer
        self.epochs = epochs
        self.batchSize = batchSize
        self.l2 = l2
        self.learningRateDecay = learningRateDecay
        self.seed = seed
        self.evaluateEachEpoch = evaluateEachEpoch
    }

    func validate(_ data: Dataset) throws {
        func fail(_ message: String) -> TrainingError { TrainingError("MLPClassifier: \(message)") }
        guard hiddenLayers.allSatisfy({ $0 >= 1 }) else { throw fail("hiddenLayers must all be >= 1, got \(hiddenLayers)") }
        guard epochs >= 1 else { throw fail("epochs must be >= 1, got \(epochs)") }
        guard batchSize >= 1 else { throw fail("batchSize must be >= 1, got \(batchSize)") }
        guard l2 >= 0, l2.isFinite else { throw fail("l2 must be >= 0, got \(l2)") }
        guard learningRateDecay >= 0 else { throw fail("learningRateDecay must be >= 0, got \(learningRateDecay)") }
        guard optimizer.learningRate > 0, optimizer.learningRate.isFinite else {
            throw fail("the learning rate must be > 0, got \(optimizer.learningRate)")
        }
        if case let .sgd(_, momentum) = optimizer, !(0..<1).contains(momentum) {
            throw fail("momentum must be in 0..<1, got \(momentum)")
        }
        if case let .adam(_, b1, b2, eps) = optimizer, !((0..<1).contains(b1) && (0..<1).contains(b2) && eps > 0) {
            throw fail("Adam needs 0 <= beta1, beta2 < 1 and epsilon > 0, got \(b1), \(b2), \(eps)")
        }
        guard data.count > 0 else { throw fail("the training set is empty") }
        guard data.classCount >= 2 else { throw fail("a classifier needs at least 2 classes, got \(data.classCount)") }
    }

    /// Trains on `data`. `validation`, if given, is scored after each epoch (never trained on).
    /// `progress` is called after each epoch with its record.
    public func fit(_ data: Dataset, validation: Dataset? = nil,
                    progress: ((EpochRecord) -> Void)? = nil) throws -> FittedMLP {
        try validate(data)
        let trainer = MLPTrainer(config: self, data: data)
        var history: [EpochRecord] = []
        for epoch in 1...epochs {
            var record = trainer.epoch(epoch)
            guard record.loss.isFinite else {
                throw TrainingError("MLPClassifier: the loss became \(record.loss) in epoch \(epoch); lower the learning rate (now \(optimizer.learningRate)) or check the inputs for NaN")
            }
            if evaluateEachEpoch {
                let model = trainer.snapshot(history: [])
                let (loss, accuracy) = model.lossAndAccuracy(on: data)
                record.loss = loss
                record.trainAccuracy = accuracy
                record.validationAccuracy = validation.map { model.accuracy(on: $0) }
            } else if epoch == epochs, let validation {
                record.validationAccuracy = trainer.snapshot(history: []).accuracy(on: validation)
            }
            history.append(record)
            progress?(record)
        }
        return trainer.snapshot(history: history)
    }
}

/// One fully connected layer: `weights` is inputs × outputs, so a batch multiplies on the left.
public struct DenseLayer: Equatable, Sendable, Codable {
    public var weights: Matrix
    public var biases: [Float]
}

/// A trained MLP: its layers, activation and training history.
public struct FittedMLP: Sendable, Codable, Equatable {
    public var layers: [DenseLayer]
    public var activation: Activation
    public var history: [EpochRecord]

    public var inputCount: Int { layers[0].weights.rows }
    public var classCount: Int { layers.last!.weights.columns }
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.weights.values.count + $1.biases.count } }

    /// Class probabilities, one row per record of `x`, computed in chunks of 256 records.
    public func probabilities(_ x: Matrix) -> Matrix {
        precondition(x.columns == inputCount, "FittedMLP: the model takes \(inputCount) features, got \(x.columns)")
        mk_flush_subnormals()
        var out = Matrix(rows: x.rows, columns: classCount)
        let sparse = SparseRows.density(x) < 0.3 ? SparseRows(x) : nil
        let chunk = 256
        let weights = layers.map { FloatBuffer($0.weights.values) }
        let biases = layers.map { FloatBuffer($0.biases) }
        let hidden = layers.map { FloatBuffer(count: chunk * $0.weights.columns) }
        let input = FloatBuffer(count: sparse == nil ? chunk * inputCount : 1)
        var offsets: [Int32] = [], indices: [Int32] = [], values: [Float] = []
        var start = 0
        while start < x.rows {
            let rows = min(chunk, x.rows - start)
            if let sparse {
                sparse.gather(Array(start..<(start + rows))[...], offsets: &offsets, indices: &indices, values: &values)
            } else {
                x.values.withUnsafeBufferPointer {
                    input.pointer.update(from: $0.baseAddress! + start * inputCount, count: rows * inputCount)
                }
            }
            MLPTrainer.forward(rows: rows, layers: layers.map { ($0.weights.rows, $0.weights.columns) },
                               weights: weights, biases: biases, hidden: hidden, activation: activation,
                               sparse: sparse == nil ? nil : (offsets, indices, sparse!.values == nil ? nil : values),
                               dense: input)
            out.values.withUnsafeMutableBufferPointer {
                ($0.baseAddress! + start * classCount).update(from: hidden.last!.pointer, count: rows * classCount)
            }
            start += rows
        }
        return out
    }

    /// Mean cross-entropy and accuracy on `data`.
    public func lossAndAccuracy(on data: Dataset) -> (loss: Double, accuracy: Double) {
        guard data.count > 0 else { return (0, 0) }
        let p = probabilities(data.features)
        var loss = 0.0, correct = 0
        let predicted = argmaxRows(p)
        for r in 0..<data.count {
            loss -= log(max(Double(p[r, data.labels[r]]), 1e-12))
            if predicted[r] == data.labels[r] { correct += 1 }
        }
        return (loss / Double(data.count), Double(correct) / Double(data.count))
    }
}

/// Training state of one MLP: parameters, gradients, optimizer moments and workspaces.
final class MLPTrainer {
    let config: MLPClassifier
    let data: Dataset
    let shapes: [(inputs: Int, outputs: Int)]
    let weights: [FloatBuffer], biases: [FloatBuffer]
    let gradW: [FloatBuffer], gradB: [FloatBuffer]
    let m: [FloatBuffer], v: [FloatBuffer]
    let hidden: [FloatBuffer], delta: [FloatBuffer]
    let input: FloatBuffer
    let sparse: SparseRows?
    var generator: SplitMix64
    var order: [Int]
    var step = 0
    var offsets: [Int32] = [], indices: [Int32] = [], values: [Float] = []

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
        m = (shapes.map { FloatBuffer(count: $0.inputs * $0.outputs) } + shapes.map { FloatBuffer(count: $0.outputs) })
        v = (shapes.map { FloatBuffer(count: $0.inputs * $0.outputs) } + shapes.map { FloatBuffer(count: $0.outputs) })
        let batch = min(config.batchSize, data.count)
        hidden = shapes.map { FloatBuffer(count: batch * $0.outputs) }
        delta = shapes.map { FloatBuffer(count: batch * max($0.outputs, $0.inputs)) }
        sparse = SparseRows.density(data.features) < 0.3 ? SparseRows(data.features) : nil
        input = FloatBuffer(count: sparse == nil ? batch * data.featureCount : 1)
        order = Array(0..<data.count)
    }

    /// The forward pass for `rows` records: `hidden[l]` ends up holding layer l's activations, the
    /// last one the softmax probabilities.
    static func forward(rows: Int, layers: [(Int, Int)], weights: [FloatBuffer], biases: [FloatBuffer],
                        hidden: [FloatBuffer], activation: Activation,
                        sparse: (offsets: [Int32], indices: [Int32], values: [Float]?)?, dense: FloatBuffer) {
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
                for r in 0..<rows { (z + r * fanOut).update(from: biases[l].pointer, count: fanOut) }
                let a = l == 0 ? dense.pointer : hidden[l - 1].pointer
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
        let batchSize = min(config.batchSize, data.count)
        var loss = 0.0, correct = 0
        var start = 0
        while start < order.count {
            let rows = min(batchSize, order.count - start)
            let result = computeGradients(order[start..<(start + rows)])
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
    func computeGradients(_ batch: ArraySlice<Int>) -> (loss: Double, correct: Int) {
        let rows = batch.count
        let classes = data.classCount
        let last = shapes.count - 1
        if let sparse {
            sparse.gather(batch, offsets: &offsets, indices: &indices, values: &values)
        } else {
            let d = data.featureCount
            data.features.values.withUnsafeBufferPointer { x in
                for (r, i) in batch.enumerated() {
                    (input.pointer + r * d).update(from: x.baseAddress! + i * d, count: d)
                }
            }
        }
        Self.forward(rows: rows, layers: shapes.map { ($0.inputs, $0.outputs) }, weights: weights, biases: biases,
                     hidden: hidden, activation: config.activation,
                     sparse: sparse == nil ? nil : (offsets, indices, sparse!.values == nil ? nil : values),
                     dense: input)

        // Output delta: (p − onehot(y)) / B; loss and accuracy from the same probabilities.
        var loss = 0.0, correct = 0
        let p = hidden[last].pointer, dz = delta[last].pointer
        let scale = 1 / Float(rows)
        for (r, i) in batch.enumerated() {
            let label = data.labels[i]
            let row = p + r * classes
            loss -= log(max(Double(row[label]), 1e-12))
            var best = 0
            for c in 1..<classes where row[c] > row[best] { best = c }
            if best == label { correct += 1 }
            for c in 0..<classes { dz[r * classes + c] = (row[c] - (c == label ? 1 : 0)) * scale }
        }
        backward(rows: rows)
        return (loss, correct)
    }

    func backward(rows: Int) {
        for l in stride(from: shapes.count - 1, through: 0, by: -1) {
            let (fanIn, fanOut) = shapes[l]
            let dz = delta[l].pointer
            if l == 0, let sparse {
                gradW[0].zero()
                offsets.withUnsafeBufferPointer { o in
                    indices.withUnsafeBufferPointer { i in
                        if sparse.values != nil {
                            values.withUnsafeBufferPointer { v in
                                mk_sparse_weight_grad(Int32(rows), o.baseAddress, i.baseAddress, v.baseAddress, dz, Int32(fanOut), gradW[0].pointer)
                            }
                        } else {
                            mk_sparse_weight_grad(Int32(rows), o.baseAddress, i.baseAddress, nil, dz, Int32(fanOut), gradW[0].pointer)
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

    func update() {
        step += 1
        let lr = config.optimizer.learningRate / (1 + config.learningRateDecay * Double(step - 1))
        let parameters = weights + biases, gradients = gradW + gradB
        for (k, (w, g)) in zip(parameters, gradients).enumerated() {
            if config.l2 > 0 { mk_add_scaled(g.pointer, w.pointer, w.count, Float(config.l2)) }
            switch config.optimizer {
            case let .sgd(_, momentum):
                mk_momentum(w.pointer, g.pointer, m[k].pointer, w.count, Float(lr), Float(momentum))
            case let .adam(_, b1, b2, eps):
                let c1 = 1 - pow(b1, Double(step)), c2 = 1 - pow(b2, Double(step))
                mk_adam(w.pointer, g.pointer, m[k].pointer, v[k].pointer, w.count, Float(b1), Float(b2),
                        Float(lr * c2.squareRoot() / c1), Float(eps * c2.squareRoot()))
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
