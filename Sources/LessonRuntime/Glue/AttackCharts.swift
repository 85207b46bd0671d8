import Charts
import MembershipInference

extension ROCChart {
    /// ROC curves of attack evaluations, named.
    public init(title: String, evaluations: [(name: String, evaluation: AttackEvaluation)], logScale: Bool = false) {
        self.init(title: title, curves: evaluations.map { entry in
            (entry.name, entry.evaluation.roc.points, entry.evaluation.roc.auc)
        }, logScale: logScale)
    }
}
