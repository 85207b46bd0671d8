import Charts
import MembershipInference

extension ROCChart {
    /// ROC curves of attack evaluations, named; the data table adds each attack's TPR at 1% and 0.1% FPR.
    public init(title: String, evaluations: [(name: String, evaluation: AttackEvaluation)], logScale: Bool = false) {
        self.init(title: title, curves: evaluations.map { entry in
            (entry.name, entry.evaluation.roc.points, entry.evaluation.roc.auc)
        }, logScale: logScale)
        lowFalsePositiveRates = [0.01, 0.001].map { rate in
            (rate, evaluations.map { $0.evaluation.roc.truePositiveRate(atFalsePositiveRate: rate) })
        }
    }
}
