import Foundation

/// An error in a model's configuration or training, naming the model and the parameter.
public struct TrainingError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One epoch of training: mean loss and accuracies.
public struct EpochRecord: Equatable, Sendable, Codable, Hashable {
    public var epoch: Int
    public var loss: Double
    public var trainAccuracy: Double
    /// Accuracy on the held-out set given to `fit`, if any.
    public var validationAccuracy: Double?
}

/// Multinomial logistic (softmax) regression trained by mini-batch gradient descent.
///
/// Model: p(y = c | x) = softmax(W x + b)_c. Loss: mean cross-entropy + (λ/2)‖W‖². Configuration
/// in, fitted model out: `fit` validates, learns and returns a `FittedSoftmaxRegression`.
public struct SoftmaxRegression: Sendable {
    public var learningRate: Double
    public var epochs: Int
    public var batchSize: Int
    /// L2 penalty λ on the weights (not the biases).
    public var l2: Double
    public var seed: UInt64

    public init(learningRate: Double = 0.1, epochs: Int = 50, batchSize: Int = 32, l2: Double = 0, seed: UInt64 = 0) {
        self.learningRate = learningRate
        self.epochs = epochs
        self.batchSize = batchSize
        self.l2 = l2
        self.seed = seed
    }

    func validate() throws {
        guard learningRate > 0, learningRate.isFinite else {
            throw TrainingError("SoftmaxRegression: learningRate must be > 0, got \(learningRate)")
        }
        guard epochs >= 1 else { throw TrainingError("SoftmaxRegression: epochs must be >= 1, got \(epochs)") }
        guard batchSize >= 1 else { throw TrainingError("SoftmaxRegression: batchSize must be >= 1, got \(batchSize)") }
        guard l2 >= 0 else { throw TrainingError("SoftmaxRegression: l2 must be >= 0, got \(l2)") }
    }

    /// Trains on `data`; `validation`, if given, is scored after every epoch (never trained on).
    public func fit(_ data: Dataset, validation: Dataset? = nil) throws -> FittedSoftmaxRegression {
        try validate()
        guard data.count > 0 else { throw TrainingError("SoftmaxRegression: the training set is empty") }
        let d = data.featureCount, k = data.classCount
        var model = FittedSoftmaxRegression(weights: Matrix(rows: k, columns: d), biases: [Float](repeating: 0, count: k), history: [])
        var generator = SplitMix64(seed: seed)
        var order = Array(0..<data.count)
        let lr = Float(learningRate), lambda = Float(l2)
        var gradW = [Float](repeating: 0, count: k * d)
        var gradB = [Float](repeating: 0, count: k)

        for epoch in 1...epochs {
            order.shuffle(using: &generator)
            var totalLoss = 0.0
            var start = 0
            while start < order.count {
                let batch = Array(order[start..<min(start + batchSize, order.count)])
                start += batch.count
                let x = data.features.rows(batch)
                let p = model.probabilities(x)
                for i in 0..<gradW.count { gradW[i] = 0 }
                for i in 0..<k { gradB[i] = 0 }
                for (r, index) in batch.enumerated() {
                    let label = data.labels[index]
                    totalLoss -= Double(logf(max(p[r, label], 1e-12)))
                    for c in 0..<k {
                        let g = p[r, c] - (c == label ? 1 : 0)
                        gradB[c] += g
                        let xr = x.values[(r * d)..<((r + 1) * d)]
                        var o = c * d
                        for v in xr { gradW[o] += g * v; o += 1 }
                    }
                }
                let scale = lr / Float(batch.count)
                for i in 0..<gradW.count {
                    model.weights.values[i] -= scale * gradW[i] + lr * lambda * model.weights.values[i]
                }
                for c in 0..<k { model.biases[c] -= scale * gradB[c] }
            }
            guard totalLoss.isFinite else {
                throw TrainingError("SoftmaxRegression: the loss became \(totalLoss) in epoch \(epoch); lower learningRate (now \(learningRate))")
            }
            let penalty = 0.5 * l2 * model.weights.values.reduce(0) { $0 + Double($1 * $1) }
            model.history.append(EpochRecord(epoch: epoch, loss: totalLoss / Double(data.count) + penalty,
                                             trainAccuracy: model.accuracy(on: data),
                                             validationAccuracy: validation.map { model.accuracy(on: $0) }))
        }
        return model
    }
}

/// A trained softmax regression: weights (classes × features), biases and the training history.
public struct FittedSoftmaxRegression: Sendable, Codable, Equatable {
    public var weights: Matrix
    public var biases: [Float]
    public var history: [EpochRecord]

    public var classCount: Int { weights.rows }

    /// Class probabilities, one row per record of `x`.
    public func probabilities(_ x: Matrix) -> Matrix {
        precondition(x.columns == weights.columns, "probabilities: the model takes \(weights.columns) features, got \(x.columns)")
        let k = weights.rows, d = weights.columns
        var out = Matrix(rows: x.rows, columns: k)
        x.values.withUnsafeBufferPointer { xv in
            weights.values.withUnsafeBufferPointer { w in
                out.values.withUnsafeMutableBufferPointer { o in
                    for r in 0..<x.rows {
                        for c in 0..<k {
                            var sum = biases[c]
                            for j in 0..<d { sum += xv[r * d + j] * w[c * d + j] }
                            o[r * k + c] = sum
                        }
                    }
                }
            }
        }
        softmaxRows(&out)
        return out
    }

    /// The most probable class for each record.
    public func predict(_ x: Matrix) -> [Int] {
        let p = probabilities(x)
        return (0..<p.rows).map { r in
            var best = 0
            for c in 1..<p.columns where p[r, c] > p[r, best] { best = c }
            return best
        }
    }

    /// The fraction of `data` classified correctly.
    public func accuracy(on data: Dataset) -> Double {
        guard data.count > 0 else { return 0 }
        let predicted = predict(data.features)
        return Double(zip(predicted, data.labels).filter { $0 == $1 }.count) / Double(data.count)
    }
}
