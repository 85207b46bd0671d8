import Foundation
import MachineLearning

/// The ways an attacker obtains data to train shadow models on (section V-C of the paper). Real data
/// from the same distribution is just a `Dataset`; these build the others.
public enum ShadowData {
    /// Real records with a fraction `flipFraction` of their binary features flipped: each record gets
    /// round(f · features) distinct features chosen at random and flipped (0 ↔ 1). The paper uses
    /// f = 0.1 and 0.2 to model noisy data.
    public static func noisy(_ data: Dataset, flipFraction: Double, seed: UInt64) throws -> Dataset {
        guard (0...1).contains(flipFraction) else {
            throw TrainingError("ShadowData.noisy: flipFraction must be in 0...1, got \(flipFraction)")
        }
        let d = data.featureCount
        let flips = Int((flipFraction * Double(d)).rounded())
        var out = data
        let root = SplitMix64(seed: seed)
        for r in 0..<data.count {
            var g = root.derived(UInt64(r))
            var chosen = Set<Int>()
            while chosen.count < flips {
                let j = Int(g.next() % UInt64(d))
                if chosen.insert(j).inserted { out.features.values[r * d + j] = 1 - out.features.values[r * d + j] }
            }
        }
        return out
    }

    /// Marginal-based synthesis: each feature of a class-c record is drawn independently from that
    /// feature's marginal distribution among class c of `statistics` (the attacker's "statistical
    /// knowledge of the population"), which keeps per-class feature frequencies and loses every
    /// correlation between features. Classes appear in the proportions of `statistics`. For binary
    /// features this is a Bernoulli draw; other features draw a value of that column at random.
    public static func marginal(count: Int, statistics: Dataset, seed: UInt64) throws -> Dataset {
        let d = statistics.featureCount, k = statistics.classCount
        var byClass = [[Int]](repeating: [], count: k)
        for (i, label) in statistics.labels.enumerated() { byClass[label].append(i) }
        guard !statistics.labels.isEmpty else { throw TrainingError("ShadowData.marginal: the statistics set is empty") }
        var g = SplitMix64(seed: seed)
        var values = [Float](repeating: 0, count: count * d)
        var labels = [Int](repeating: 0, count: count)
        for r in 0..<count {
            let source = statistics.labels[Int(g.next() % UInt64(statistics.count))]
            labels[r] = source
            let members = byClass[source]
            for j in 0..<d {
                let donor = members[Int(g.next() % UInt64(members.count))]
                values[r * d + j] = statistics.features.values[donor * d + j]
            }
        }
        return Dataset(features: Matrix(rows: count, columns: d, values: values), labels: labels, classCount: k)
    }

    /// Marginal-based synthesis as the deck states the attacker's knowledge: "the prior of the marginal
    /// distribution of the features", one distribution per feature for the whole population. Each
    /// feature of a record is drawn independently from that feature's column in `statistics`, class
    /// ignored; the record is then labelled with the class `target` answers for it (the attacker queries
    /// the black box, as Algorithm 1 does — the paper does not say how it labelled these records, so
    /// this is the course's reading). Returns the records and the number of queries made.
    public static func populationMarginal(count: Int, statistics: Dataset, target: some ProbabilisticClassifier,
                                          seed: UInt64) throws -> (data: Dataset, queries: Int) {
        let d = statistics.featureCount
        guard statistics.count > 0 else { throw TrainingError("ShadowData.populationMarginal: the statistics set is empty") }
        guard target.classCount == statistics.classCount else {
            throw TrainingError("ShadowData.populationMarginal: the target answers \(target.classCount) classes, the statistics have \(statistics.classCount)")
        }
        var g = SplitMix64(seed: seed)
        var values = [Float](repeating: 0, count: count * d)
        for r in 0..<count {
            for j in 0..<d {
                let donor = Int(g.next() % UInt64(statistics.count))
                values[r * d + j] = statistics.features.values[donor * d + j]
            }
        }
        let features = Matrix(rows: count, columns: d, values: values)
        let labels = argmaxRows(target.probabilities(features))
        return (Dataset(features: features, labels: labels, classCount: statistics.classCount), count)
    }
}
