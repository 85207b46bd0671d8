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

    /// The names a training error uses: a model built on this one (softmax regression) passes its own,
    /// so the message speaks of the settings its author wrote. Not part of the configuration (nor of
    /// the model cache's keys).
    struct ErrorNames: Sendable {
        var model = "MLPClassifier"
        var learningRate = "the learning rate"
    }

    func validate(_ data: Dataset, names: ErrorNames = ErrorNames()) throws {
        let model = names.model
        func fail(_ message: String) -> TrainingError { TrainingError("\(model): \(message)") }
        func bad(_ parameter: String, _ requirement: String, _ value: Any) -> TrainingError {
            TrainingError(model: model, parameter: parameter, requirement: requirement, value: value)
        }
        guard hiddenLayers.allSatisfy({ $0 >= 1 }) else {
            var error = fail("hiddenLayers must all be >= 1, got \(hiddenLayers)")
            (error.model, error.parameter) = (model, "hiddenLayers")
            throw error
        }
        guard epochs >= 1 else { throw bad("epochs", ">= 1", epochs) }
        guard batchSize >= 1 else { throw bad("batchSize", ">= 1", batchSize) }
        guard l2 >= 0, l2.isFinite else { throw bad("l2", ">= 0", l2) }
        guard learningRateDecay >= 0 else { throw bad("learningRateDecay", ">= 0", learningRateDecay) }
        guard optimizer.learningRate > 0, optimizer.learningRate.isFinite else {
            throw bad(names.learningRate, "> 0", optimizer.learningRate)
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
        try fit(data, validation: validation, progress: progress, names: ErrorNames())
    }

    /// `fit`, with errors in the words of the model built on this one.
    func fit(_ data: Dataset, validation: Dataset?, progress: ((EpochRecord) -> Void)?, names: ErrorNames) throws -> FittedMLP {
        let timing = WorkClock.start(.training)
        defer { timing.stop() }
        try validate(data, names: names)
        let trainer = MLPTrainer(config: self, data: data)
        var history: [EpochRecord] = []
        // The nonzeros of the sets scored after every epoch, found once.
        let validationRows = evaluateEachEpoch ? validation.flatMap { SparseRows.ifSparse($0.features) } : nil
        for epoch in 1...epochs {
            var record = trainer.epoch(epoch)
            guard record.loss.isFinite else {
                throw TrainingError("\(names.model): the loss became \(record.loss) in epoch \(epoch); lower the learning rate (now \(optimizer.learningRate)) or check the inputs for NaN")
            }
            if evaluateEachEpoch {
                let model = trainer.snapshot(history: [])
                let (loss, trainAccuracy) = model.lossAndAccuracy(on: data, sparse: trainer.sparse)
                record.loss = loss
                record.trainAccuracy = trainAccuracy
                record.validationAccuracy = validation.map { hitRate(argmaxRows(model.probabilities($0.features, sparse: validationRows)), $0.labels) }
            } else if epoch == epochs, let validation {
                record.validationAccuracy = trainer.snapshot(history: []).accuracy(on: validation)
            }
            history.append(record)
            progress?(record)
        }
        return trainer.snapshot(history: history)
    }
}
