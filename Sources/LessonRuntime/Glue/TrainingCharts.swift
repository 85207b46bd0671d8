import Charts
import MachineLearning

extension LineChart {
    /// Training and held-out accuracy per epoch, from a model's history, on a 0–1 axis.
    public static func accuracyHistory(_ history: [EpochRecord], title: String,
                                       validationName: String = "test (non-members)") -> LineChart {
        var series = [LineSeries(name: "training (members)", points: history.map { (Double($0.epoch), $0.trainAccuracy) })]
        let validation = history.compactMap { record in record.validationAccuracy.map { (Double(record.epoch), $0) } }
        if !validation.isEmpty { series.append(LineSeries(name: validationName, points: validation)) }
        return LineChart(title: title, xLabel: "epoch", yLabel: "accuracy", series: series, yRange: 0...1)
    }
}
