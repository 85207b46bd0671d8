import Foundation
import MachineLearning

/// How well an attack told the target's members from its non-members.
public struct AttackEvaluation: Sendable {
    /// At the 0.5 decision threshold.
    public var confusion: ConfusionMatrix
    public var perClass: [Int: ConfusionMatrix]
    public var roc: ROCCurve
    /// The attack's score per test record (higher: more likely a member) and the truth.
    public var scores: [Double]
    public var membership: [Bool]
    public var classes: [Int]

    public init(scores: [Double], membership: [Bool], classes: [Int], threshold: Double = 0.5) {
        self.scores = scores
        self.membership = membership
        self.classes = classes
        let predicted = scores.map { $0 >= threshold }
        confusion = ConfusionMatrix(predicted: predicted, actual: membership)
        var perClass: [Int: ConfusionMatrix] = [:]
        for (i, c) in classes.enumerated() {
            perClass[c, default: ConfusionMatrix()].count(predicted: predicted[i], actual: membership[i])
        }
        self.perClass = perClass
        roc = ROCCurve(scores: scores, actual: membership)
    }

    public var precision: Double { confusion.precision }
    public var recall: Double { confusion.recall }
    public var accuracy: Double { confusion.accuracy }

    /// The result in sentences, e.g. "The attack identified 87% of members at 92% precision; …".
    public var summary: String {
        func pct(_ v: Double) -> String { v.isNaN ? "undefined" : "\(Int((v * 100).rounded()))%" }
        let base = Double(membership.filter { $0 }.count) / Double(max(1, membership.count))
        return "The attack identified \(pct(recall)) of members at \(pct(precision)) precision (chance: \(pct(base))); "
            + "accuracy \(pct(accuracy)), AUC \(String(format: "%.3f", roc.auc)), "
            + "\(pct(roc.truePositiveRate(atFalsePositiveRate: 0.01))) of members found at a 1% false-positive rate, "
            + "advantage \(String(format: "%.3f", roc.advantage))."
    }
}

/// The test of the paper: an equal number of the target's members and non-members, queried through the
/// target's API and judged by the attack.
public enum AttackTest {
    public static func evaluate(_ attack: FittedAttack, target: BlackBox, members: Dataset, nonMembers: Dataset) throws -> AttackEvaluation {
        let timing = WorkClock.start(.attack)
        defer { timing.stop() }
        guard members.count == nonMembers.count, members.count > 0 else {
            throw TrainingError("AttackTest: the test needs equal, non-zero numbers of members and non-members, got \(members.count) and \(nonMembers.count)")
        }
        let answers = target.query(Matrix(rows: members.count * 2, columns: members.featureCount,
                                          values: members.features.values + nonMembers.features.values))
        let classes = members.labels + nonMembers.labels
        let scores = attack.memberScores(predictions: answers, classes: classes)
        return AttackEvaluation(scores: scores, membership: Array(repeating: true, count: members.count) + Array(repeating: false, count: nonMembers.count),
                                classes: classes, threshold: 0)
    }
}

/// The loss-threshold attack of Yeom et al. (2018), for comparison on the same target: guess "member"
/// when the target's loss on the record, −log p_y, is below the target's average training loss (which
/// this attacker is assumed to know). Needs no shadow models.
public enum LossThresholdAttack {
    public static func evaluate(target: BlackBox, averageTrainingLoss: Double, members: Dataset, nonMembers: Dataset) -> AttackEvaluation {
        let timing = WorkClock.start(.attack)
        defer { timing.stop() }
        let answers = target.query(Matrix(rows: members.count + nonMembers.count, columns: members.featureCount,
                                          values: members.features.values + nonMembers.features.values))
        let classes = members.labels + nonMembers.labels
        let losses = classes.enumerated().map { -log(max(Double(answers[$0.offset, $0.element]), 1e-12)) }
        // Higher scores are more member-like; 0 is the threshold.
        let scores = losses.map { averageTrainingLoss - $0 }
        return AttackEvaluation(scores: scores,
                                membership: Array(repeating: true, count: members.count) + Array(repeating: false, count: nonMembers.count),
                                classes: classes, threshold: 0)
    }
}

/// Why the attack works: how uncertain the model is about members versus non-members.
public enum PredictionUncertainty {
    /// Normalized entropy −(1 / log K) Σ p_i log p_i of each row: 0 for a one-hot answer, 1 for uniform.
    public static func normalizedEntropy(_ p: Matrix) -> [Double] {
        let norm = log(Double(p.columns))
        return (0..<p.rows).map { r in
            var h = 0.0
            for c in 0..<p.columns {
                let v = Double(p[r, c])
                if v > 0 { h -= v * log(v) }
            }
            return norm > 0 ? h / norm : 0
        }
    }

    /// How many training records each class has.
    public static func classCounts(_ data: Dataset) -> [Int] {
        var counts = [Int](repeating: 0, count: data.classCount)
        for label in data.labels { counts[label] += 1 }
        return counts
    }

    /// Training accuracy minus test accuracy: the overfitting the attack feeds on.
    public static func generalizationGap(_ model: any ProbabilisticClassifier, train: Dataset, test: Dataset) -> Double {
        model.accuracy(on: train) - model.accuracy(on: test)
    }
}
