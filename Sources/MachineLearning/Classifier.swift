/// A fitted model that gives a probability for each class: what a prediction API exposes.
public protocol ProbabilisticClassifier: Sendable {
    var classCount: Int { get }
    /// One row per record of `x`, each a probability distribution over the classes.
    func probabilities(_ x: Matrix) -> Matrix
}

extension ProbabilisticClassifier {
    /// The most probable class of each record of `x` (the first one on ties).
    public func predict(_ x: Matrix) -> [Int] { argmaxRows(probabilities(x)) }

    /// The fraction of `data`'s records whose most probable class is their label (0 for no records).
    public func accuracy(on data: Dataset) -> Double {
        guard data.count > 0 else { return 0 }
        return hitRate(predict(data.features), data.labels)
    }
}

/// The fraction of `predicted` that equal `labels` (0 for none).
func hitRate(_ predicted: [Int], _ labels: [Int]) -> Double {
    predicted.isEmpty ? 0 : Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(predicted.count)
}

/// The index of each row's largest entry (the first one on ties).
public func argmaxRows(_ p: Matrix) -> [Int] {
    (0..<p.rows).map { r in
        var best = 0
        let base = r * p.columns
        for c in 1..<p.columns where p.values[base + c] > p.values[base + best] { best = c }
        return best
    }
}

extension FittedMLP: ProbabilisticClassifier {}
extension FittedSoftmaxRegression: ProbabilisticClassifier {}
extension FittedTree: ProbabilisticClassifier {}
extension FittedForest: ProbabilisticClassifier {}
