import Foundation

/// An error in a model's configuration or training, naming the model and the parameter.
public struct TrainingError: Error, Equatable, CustomStringConvertible {
    public let message: String
    /// For a bad setting: the model's type name and the parameter, as the caller wrote them.
    public var model: String?
    public var parameter: String?

    public init(_ message: String) { self.message = message }

    /// "SoftmaxRegression: epochs must be >= 1, got 0".
    public init(model: String, parameter: String, requirement: String, value: Any) {
        self.model = model
        self.parameter = parameter
        message = "\(model): \(parameter) must be \(requirement), got \(value)"
    }

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

/// Multinomial logistic (softmax) regression trained by mini-batch gradient descent; binary logistic
/// regression is the 2-class case.
///
/// Model: p(y = c | x) = softmax(xW + b)_c. Loss: mean cross-entropy; the L2 penalty λ adds λw to the
/// gradient. It is an MLP without hidden layers, trained by plain SGD (or Adam), so it shares the
/// MLP's kernels (and its sparse path for binary inputs). The course uses it as attack model and as
/// the "Amazon ML"-like target with (epochs, L2) = (10, 1e-6) and (100, 1e-4).
public struct SoftmaxRegression: Sendable {
    public var learningRate: Double
    public var epochs: Int
    public var batchSize: Int
    /// L2 penalty λ.
    public var l2: Double
    public var seed: UInt64
    /// Plain SGD by default; Adam converges faster on raw probability features.
    public var useAdam: Bool
    /// Score the whole training set after every epoch for `history` (on by default). The weights are the
    /// same either way; a model whose history nobody reads (a per-class attack model) trains a third faster without.
    public var evaluateEachEpoch = true

    public init(learningRate: Double = 0.1, epochs: Int = 50, batchSize: Int = 32, l2: Double = 0, seed: UInt64 = 0,
                useAdam: Bool = false) {
        self.learningRate = learningRate
        self.epochs = epochs
        self.batchSize = batchSize
        self.l2 = l2
        self.seed = seed
        self.useAdam = useAdam
    }

    /// The same, saying whether to score the training set after every epoch (`history`); a target whose
    /// history nobody reads trains a third faster without, with the same weights.
    public init(learningRate: Double = 0.1, epochs: Int = 50, batchSize: Int = 32, l2: Double = 0, seed: UInt64 = 0,
                useAdam: Bool = false, evaluateEachEpoch: Bool) {
        self.init(learningRate: learningRate, epochs: epochs, batchSize: batchSize, l2: l2, seed: seed, useAdam: useAdam)
        self.evaluateEachEpoch = evaluateEachEpoch
    }

    var network: MLPClassifier {
        MLPClassifier(hiddenLayers: [], activation: .tanh,
                      optimizer: useAdam ? .adam(learningRate: learningRate) : .sgd(learningRate: learningRate),
                      epochs: epochs, batchSize: batchSize, l2: l2, seed: seed, evaluateEachEpoch: evaluateEachEpoch)
    }

    /// Trains on `data`; `validation`, if given, is scored after every epoch (after the last one only
    /// without `evaluateEachEpoch`), never trained on.
    /// Errors name this type and its own settings (`learningRate`), not the network underneath.
    public func fit(_ data: Dataset, validation: Dataset? = nil) throws -> FittedSoftmaxRegression {
        FittedSoftmaxRegression(network: try network.fit(data, validation: validation, progress: nil,
                                                         names: .init(model: "SoftmaxRegression", learningRate: "learningRate")))
    }
}

/// A trained softmax regression.
public struct FittedSoftmaxRegression: Sendable, Codable, Equatable {
    public var network: FittedMLP

    /// Features × classes.
    public var weights: Matrix { network.layers[0].weights }
    public var biases: [Float] { network.layers[0].biases }
    public var history: [EpochRecord] { network.history }
    public var classCount: Int { network.classCount }

    public func probabilities(_ x: Matrix) -> Matrix { network.probabilities(x) }
}
