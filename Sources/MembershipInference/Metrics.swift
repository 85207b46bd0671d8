import Foundation

/// A binary decision's counts, "member" being the positive answer.
public struct ConfusionMatrix: Equatable, Sendable {
    public var truePositives = 0, falsePositives = 0, trueNegatives = 0, falseNegatives = 0

    public init(truePositives: Int = 0, falsePositives: Int = 0, trueNegatives: Int = 0, falseNegatives: Int = 0) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
        self.falseNegatives = falseNegatives
    }

    /// Counts of `predicted` against `actual` (true = member).
    public init(predicted: [Bool], actual: [Bool]) {
        for (p, a) in zip(predicted, actual) { count(predicted: p, actual: a) }
    }

    /// Adds one decision to the counts.
    public mutating func count(predicted: Bool, actual: Bool) {
        switch (predicted, actual) {
        case (true, true): truePositives += 1
        case (true, false): falsePositives += 1
        case (false, false): trueNegatives += 1
        case (false, true): falseNegatives += 1
        }
    }

    public var total: Int { truePositives + falsePositives + trueNegatives + falseNegatives }
    /// Of the records called members, the fraction that are. Undefined (nan) when none is called a member.
    public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
    /// Of the members, the fraction found.
    public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
    public var accuracy: Double { ratio(truePositives + trueNegatives, total) }
    public var falsePositiveRate: Double { ratio(falsePositives, falsePositives + trueNegatives) }

    private func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? .nan : Double(a) / Double(b) }
}

/// A receiver operating characteristic: TPR against FPR over every threshold of a score.
public struct ROCCurve: Equatable, Sendable {
    /// (FPR, TPR) points from (0, 0) to (1, 1), one per distinct score.
    public var points: [(falsePositiveRate: Double, truePositiveRate: Double)]

    public static func == (a: ROCCurve, b: ROCCurve) -> Bool {
        a.points.count == b.points.count && zip(a.points, b.points).allSatisfy { $0 == $1 }
    }

    /// The curve for `scores` (higher = more likely a member) against `actual`. Tied scores form one
    /// step, so the curve does not depend on record order.
    public init(scores: [Double], actual: [Bool]) {
        let positives = Double(actual.filter { $0 }.count), negatives = Double(actual.count) - positives
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var tp = 0.0, fp = 0.0
        var points: [(Double, Double)] = [(0, 0)]
        var i = 0
        while i < order.count {
            let score = scores[order[i]]
            while i < order.count && scores[order[i]] == score {
                if actual[order[i]] { tp += 1 } else { fp += 1 }
                i += 1
            }
            points.append((negatives > 0 ? fp / negatives : 0, positives > 0 ? tp / positives : 0))
        }
        self.points = points
    }

    /// Area under the curve by the trapezoid rule: the probability that a random member scores above
    /// a random non-member (ties count half).
    public var auc: Double {
        zip(points, points.dropFirst()).reduce(0) { area, pair in
            area + (pair.1.falsePositiveRate - pair.0.falsePositiveRate) * (pair.1.truePositiveRate + pair.0.truePositiveRate) / 2
        }
    }

    /// The highest TPR reached with FPR at most `fpr` (the attack's power at a low false-alarm rate).
    public func truePositiveRate(atFalsePositiveRate fpr: Double) -> Double {
        points.filter { $0.falsePositiveRate <= fpr + 1e-12 }.map(\.truePositiveRate).max() ?? 0
    }

    /// The attacker's advantage: max over thresholds of TPR − FPR (Yeom et al. 2018).
    public var advantage: Double { points.map { $0.truePositiveRate - $0.falsePositiveRate }.max() ?? 0 }
}
