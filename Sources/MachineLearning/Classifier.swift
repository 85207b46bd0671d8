/// A fitted model that gives a probability for each class: what a prediction API exposes.
public protocol ProbabilisticClassifier: Sendable {
    var classCount: Int { get }
    /// One row per record of `x`, each a probability distribution over the classes.
    func probabilities(_ x: Matrix) -> Matrix
}

extension FittedMLP: ProbabilisticClassifier {}
extension FittedSoftmaxRegression: ProbabilisticClassifier {}
extension FittedTree: ProbabilisticClassifier {}
extension FittedForest: ProbabilisticClassifier {}
