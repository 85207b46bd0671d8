import Charts
import Diagrams
import Foundation
import MachineLearning
import MembershipInference
import PNGCodec

/// Every chart kind and diagram of the course, drawn from realistic data, in one folder: for looking at
/// all of them at once (`lessons gallery --output DIR`).
public enum Gallery {
    /// Writes the gallery; returns the files written.
    @discardableResult
    public static func write(to folder: URL, log: (String) -> Void = { _ in }) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written: [URL] = []
        func save(_ image: PNGImage, _ name: String) throws {
            let url = folder.appendingPathComponent(name)
            try image.write(to: url)
            written.append(url)
            log("wrote \(url.path)")
        }

        // A small Purchase-10 target that overfits, and what an attacker sees of it.
        log("training a Purchase-10 target (3 seeds) for the charts…")
        let generator = PurchaseLike(classCount: 10, seed: 0)
        let train = generator.records(count: 1_000), test = generator.records(count: 1_000, first: 1_000)
        let recipes = (0..<3).map { MLPClassifier(hiddenLayers: [64], epochs: 40, batchSize: 50, seed: UInt64($0)) }
        let models = try TrainingPool().map(3) { try recipes[$0].fit(train, validation: test) }
        let model = models[0]

        // Line chart with a band over seeds and an annotation.
        let epochs = model.history.indices
        func band(_ value: (EpochRecord) -> Double) -> [(lower: Double, upper: Double)] {
            epochs.map { e in let v = models.map { value($0.history[e]) }; return (v.min()!, v.max()!) }
        }
        var accuracy = LineChart(title: "Training and test accuracy per epoch (Purchase-10, 3 seeds)", xLabel: "epoch", yLabel: "accuracy",
                                 series: [LineSeries(name: "training (members)", points: model.history.map { (Double($0.epoch), $0.trainAccuracy) },
                                                     band: band { $0.trainAccuracy }),
                                          LineSeries(name: "test (non-members)", points: model.history.map { (Double($0.epoch), $0.validationAccuracy!) },
                                                     band: band { $0.validationAccuracy! })],
                                 yRange: 0...1)
        let last = model.history.last!
        accuracy.annotations = [Annotation("gap \(String(format: "%.2f", last.trainAccuracy - last.validationAccuracy!)) = overfitting",
                                           at: DataPoint(Double(last.epoch), last.validationAccuracy!), dx: -160, dy: 90)]
        accuracy.reference = (0.1, "chance (10 classes)")
        try save(accuracy.render(), "line-chart.png")

        // Histogram and CDF: confidence and uncertainty of members and non-members.
        let pIn = model.probabilities(train.features), pOut = model.probabilities(test.features)
        let confidenceIn = (0..<train.count).map { Double(pIn[$0, train.labels[$0]]) }
        let confidenceOut = (0..<test.count).map { Double(pOut[$0, test.labels[$0]]) }
        try save(Histogram(title: "Confidence in the true class", xLabel: "probability of the true class",
                           distributions: [("members", confidenceIn), ("non-members", confidenceOut)], bins: 25, density: true,
                           range: 0...1).render(), "histogram.png")
        try save(CDFChart(title: "Prediction uncertainty (normalized entropy)", xLabel: "normalized entropy",
                          distributions: [("members", PredictionUncertainty.normalizedEntropy(pIn)),
                                          ("non-members", PredictionUncertainty.normalizedEntropy(pOut))]).render(), "cdf.png")

        // ROC curves of the loss-threshold attack and of raw confidence, linear and log–log.
        let api = BlackBox(model)
        let threshold = LossThresholdAttack.evaluate(target: api, averageTrainingLoss: model.lossAndAccuracy(on: train).loss,
                                                     members: train, nonMembers: test)
        // A second, different score: low prediction uncertainty (−entropy) says "member".
        let entropyScores = (PredictionUncertainty.normalizedEntropy(pIn) + PredictionUncertainty.normalizedEntropy(pOut)).map { -$0 }
        let byConfidence = AttackEvaluation(scores: entropyScores,
                                            membership: Array(repeating: true, count: train.count) + Array(repeating: false, count: test.count),
                                            classes: train.labels + test.labels)
        let evaluations = [(name: "loss threshold", evaluation: threshold), (name: "low prediction entropy", evaluation: byConfidence)]
        try save(ROCChart(title: "Membership inference ROC (Purchase-10 target)", evaluations: evaluations).render(), "roc.png")
        try save(ROCChart(title: "The same ROC on log–log axes: the low false-positive region", evaluations: evaluations, logScale: true).render(), "roc-log.png")

        // Heatmap: the target's confusion matrix on non-members.
        let predicted = argmaxRows(pOut)
        var confusion = [[Double]](repeating: [Double](repeating: 0, count: 10), count: 10)
        for (p, y) in zip(predicted, test.labels) { confusion[y][p] += 1 }
        let rates = confusion.map { row in row.map { $0 / max(1, row.reduce(0, +)) } }
        try save(Heatmap(title: "Confusion matrix on non-members (row-normalised)", xLabel: "predicted class", yLabel: "true class",
                         rowLabels: (0..<10).map(String.init), columnLabels: (0..<10).map(String.init), values: rates,
                         valueLabel: "fraction of the row", range: 0...1).render(), "heatmap.png")

        // Grouped bars and a labelled scatter from the paper's six-datasets table (reference numbers).
        let datasets = ["Adult", "MNIST", "Location", "Purchase-2", "Purchase-10", "Purchase-20", "Purchase-50", "Purchase-100", "Texas"]
        let train6 = [0.848, 0.984, 1.000, 0.999, 0.999, 1.000, 1.000, 0.999, 0.668]
        let test6 = [0.842, 0.928, 0.673, 0.984, 0.866, 0.781, 0.693, 0.659, 0.517]
        let precision6 = [0.503, 0.517, 0.678, 0.505, 0.550, 0.590, 0.860, 0.935, 0.657]
        var bars = BarChart(title: "Attack precision by dataset (the paper's numbers)", yLabel: "precision",
                            categories: ["Adult", "MNIST", "Location", "P-2", "P-10", "P-20", "P-50", "P-100", "Texas"],
                            series: [("attack precision", precision6), ("test accuracy", test6)], yRange: 0...1.1, reference: (0.5, "chance"))
        bars.width = 900
        try save(bars.render(), "bar-chart.png")
        var scatter = ScatterChart(title: "Overfitting against attack precision (the paper's numbers)", xLabel: "train − test accuracy",
                                   yLabel: "attack precision",
                                   series: [("datasets", zip(train6, test6).enumerated().map { ($0.element.0 - $0.element.1, precision6[$0.offset]) }, datasets)],
                                   xRange: 0...0.4, yRange: 0.4...1)
        scatter.annotations = [Annotation("more overfitting, more leakage", at: DataPoint(0.34, 0.935), dx: -150, dy: 10)]
        try save(scatter.render(), "scatter.png")

        // Diagrams.
        for (name, diagram) in [("diagram-pipeline", Diagram.shadowTrainingPipeline(shadowCount: 4)),
                                ("diagram-mlp", Diagram.architecture(of: model, title: "Purchase-10 target")),
                                ("diagram-algorithm-1", Diagram.algorithmOneFlowchart())] {
            try save(diagram.renderPNG(), "\(name).png")
            let svg = folder.appendingPathComponent("\(name).svg")
            try diagram.renderSVG().write(to: svg, atomically: true, encoding: .utf8)
            written.append(svg)
        }
        return written
    }
}
