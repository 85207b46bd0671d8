import Foundation
import MachineLearning

/// A shadow model with the records it was trained on ("in") and an equal number it never saw ("out").
///
/// It keeps the attacker's data (shared between all shadows, never copied) and two index lists, and
/// makes its in and out sets on demand: twenty shadows of 10,000 Texas-sized records would otherwise
/// hold 10 GB of copies.
public struct ShadowModel: Sendable {
    public var model: any ProbabilisticClassifier
    /// The attacker's records this shadow drew from.
    public let source: Dataset
    public let inIndices: [Int]
    public let outIndices: [Int]

    public init(model: any ProbabilisticClassifier, source: Dataset, inIndices: [Int], outIndices: [Int]) {
        self.model = model
        self.source = source
        self.inIndices = inIndices
        self.outIndices = outIndices
    }

    /// The records the shadow trained on.
    public var membersIn: Dataset { source.subset(inIndices) }
    /// As many records of the same data that it never saw.
    public var membersOut: Dataset { source.subset(outIndices) }
}

/// Trains k shadow models that imitate the target: same recipe, same training-set size, on the
/// attacker's data (disjoint from the target's). Each shadow's "in" and "out" sets are disjoint;
/// different shadows may share records, as in the paper.
///
/// Shadows must train on as many records as the target: measured here, shadows trained on a quarter
/// of the target's size overfit far more than the target, and the attack learned from them fails.
public struct ShadowTraining: Sendable {
    public var shadowCount: Int
    /// Records in each shadow's "in" set (and "out" set); use the target's training-set size.
    public var trainingSize: Int
    public var seed: UInt64

    public init(shadowCount: Int, trainingSize: Int, seed: UInt64 = 0) {
        self.shadowCount = shadowCount
        self.trainingSize = trainingSize
        self.seed = seed
    }

    /// Trains the shadows concurrently. `recipe(data, seed)` must be the target's training recipe.
    public func train(attackerData: Dataset, pool: TrainingPool = TrainingPool(),
                      recipe: @escaping @Sendable (Dataset, UInt64) throws -> any ProbabilisticClassifier) throws -> [ShadowModel] {
        let timing = WorkClock.start(.training)
        defer { timing.stop() }
        try check(attackerData)
        return try pool.map(shadowCount) { try shadow($0, attackerData: attackerData, recipe: recipe) }
    }

    /// Trains the shadows and, first in the same pool, `first()` (the target): one model more in the
    /// queue, rather than a core idle while the target trains alone. The shadows are those `train`
    /// gives; `first`'s error, if it throws, is the one reported.
    public func train<First: Sendable>(attackerData: Dataset, pool: TrainingPool = TrainingPool(),
                                       recipe: @escaping @Sendable (Dataset, UInt64) throws -> any ProbabilisticClassifier,
                                       alongside first: @Sendable () throws -> First) throws -> (first: First, shadows: [ShadowModel]) {
        try withoutActuallyEscaping(first) { first in
            try Self.train([Fleet(self, attackerData: attackerData, recipe: recipe, alongside: first)], pool: pool)[0]
        }
    }

    /// One fleet of `ShadowTraining.train(_:pool:)`: shadows, their attacker's data and recipe, and a model
    /// (the target) that trains beside them.
    public struct Fleet<First: Sendable>: Sendable {
        public var training: ShadowTraining
        public var attackerData: Dataset
        public var recipe: @Sendable (Dataset, UInt64) throws -> any ProbabilisticClassifier
        public var first: @Sendable () throws -> First

        public init(_ training: ShadowTraining, attackerData: Dataset,
                    recipe: @escaping @Sendable (Dataset, UInt64) throws -> any ProbabilisticClassifier,
                    alongside first: @escaping @Sendable () throws -> First) {
            self.training = training
            self.attackerData = attackerData
            self.recipe = recipe
            self.first = first
        }
    }

    /// Trains several fleets in one pool, so that a core is not left idle at the end of each fleet while
    /// its last model trains alone (21 models on two cores). Fleets with the most records per model go
    /// first, leaving the quickest models for the end. Every model is the one the fleet alone gives
    /// (`train(attackerData:recipe:alongside:)`): each depends on its own seed and records only. The
    /// first fleet's error, in the order given, is the one reported (see `trainEach`).
    public static func train<First: Sendable>(_ fleets: [Fleet<First>], pool: TrainingPool = TrainingPool()) throws
        -> [(first: First, shadows: [ShadowModel])] {
        try trainEach(fleets, pool: pool).map { try $0.get() }
    }

    /// `train(_:pool:)` with each fleet's outcome apart, in the order given: a fleet whose attacker's
    /// records are too few does not train (the others do), and a fleet that failed reports its `first`
    /// error, else its first shadow's, as the fleet alone would.
    public static func trainEach<First: Sendable>(_ fleets: [Fleet<First>], pool: TrainingPool = TrainingPool())
        -> [Result<(first: First, shadows: [ShadowModel]), any Error>] {
        let timing = WorkClock.start(.training)
        defer { timing.stop() }
        let checked = fleets.map { fleet in Result { try fleet.training.check(fleet.attackerData) } }
        // Slots, biggest fleets first (equal fleets in the order given); in a fleet, `first` then the shadows.
        let order = fleets.indices.filter { (try? checked[$0].get()) != nil }.sorted {
            (-fleets[$0].training.trainingSize, $0) < (-fleets[$1].training.trainingSize, $1)
        }
        let slots = order.flatMap { f in (0...fleets[f].training.shadowCount).map { (fleet: f, model: $0) } }
        // The body throws nothing (each slot's error is kept in its result): `try!` only satisfies `map`'s signature.
        let trained = try! pool.map(slots.count) { i -> Result<Trained<First>, any Error> in
            let (f, m) = slots[i], fleet = fleets[f]
            return Result {
                m == 0 ? .first(try fleet.first())
                    : .shadow(try fleet.training.shadow(m - 1, attackerData: fleet.attackerData, recipe: fleet.recipe))
            }
        }
        var byFleet = fleets.map { [Result<Trained<First>, any Error>?](repeating: nil, count: $0.training.shadowCount + 1) }
        for (slot, result) in zip(slots, trained) { byFleet[slot.fleet][slot.model] = result }
        return fleets.indices.map { f in
            Result {
                try checked[f].get()
                let models = try byFleet[f].map { try $0!.get() }
                guard case let .first(first) = models[0] else { preconditionFailure("slot 0 of a fleet is its first model") }
                return (first, models.dropFirst().map {
                    guard case let .shadow(shadow) = $0 else { preconditionFailure("slots after the first are shadows") }
                    return shadow
                })
            }
        }
    }

    /// Throws unless `attackerData` holds every shadow's "in" and "out" records and there is a shadow.
    private func check(_ attackerData: Dataset) throws {
        guard shadowCount >= 1 else { throw TrainingError("ShadowTraining: shadowCount must be >= 1, got \(shadowCount)") }
        guard 2 * trainingSize <= attackerData.count else {
            throw TrainingError("ShadowTraining: each shadow needs \(trainingSize) in + \(trainingSize) out records, but the attacker has \(attackerData.count)")
        }
    }

    /// Shadow `s` (from 0) alone: its records drawn from its own seed and its model trained, the same
    /// whichever thread, order or company it trains in.
    private func shadow(_ s: Int, attackerData: Dataset,
                       recipe: @Sendable (Dataset, UInt64) throws -> any ProbabilisticClassifier) throws -> ShadowModel {
        var g = SplitMix64(seed: seed).derived(UInt64(s))
        let order = Array(0..<attackerData.count).shuffled(using: &g)
        let inIndices = Array(order[0..<trainingSize]), outIndices = Array(order[trainingSize..<(2 * trainingSize)])
        let model: any ProbabilisticClassifier
        do {
            model = try recipe(attackerData.subset(inIndices), g.next())
        } catch {
            throw TrainingError("shadow model \(s + 1) of \(shadowCount): \(error)")
        }
        return ShadowModel(model: model, source: attackerData, inIndices: inIndices, outIndices: outIndices)
    }

    /// The recipe for an MLP target: the same configuration with the shadow's own seed.
    public static func mlpRecipe(_ configuration: MLPClassifier) -> @Sendable (Dataset, UInt64) throws -> any ProbabilisticClassifier {
        { data, seed in
            var c = configuration
            c.seed = seed
            c.evaluateEachEpoch = false
            return try c.fit(data)
        }
    }
}

/// What one slot of `ShadowTraining.train(_:pool:)` trained.
private enum Trained<First: Sendable>: Sendable {
    case first(First)
    case shadow(ShadowModel)
}
