import Foundation

/// ROC curves: true-positive rate against false-positive rate, with the chance diagonal and each
/// curve's AUC in the legend; on log–log axes the low false-positive region shows.
public struct ROCChart: Figure, Equatable {
    public var title: String
    public var curves: [(name: String, points: [(falsePositiveRate: Double, truePositiveRate: Double)], auc: Double)]
    public var logScale: Bool
    /// Each curve's true-positive rate at a few low false-positive rates, measured by the caller (the
    /// ROC curve owns that rule; the chart only draws): one entry per rate, one value per curve, in
    /// `curves`' order. Shown in the data table; a curve without a value shows an empty cell.
    public var lowFalsePositiveRates: [(falsePositiveRate: Double, truePositiveRates: [Double])] = []
    public var width: Double = 800
    public var height: Double = 600

    public init(title: String, curves: [(name: String, points: [(falsePositiveRate: Double, truePositiveRate: Double)], auc: Double)],
                logScale: Bool = false) {
        self.title = title
        self.curves = curves
        self.logScale = logScale
    }

    public static func == (a: ROCChart, b: ROCChart) -> Bool { a.plot == b.plot }

    public var plot: XYPlot {
        let lowest = logScale ? 1e-4 : 0
        var layers: [PlotLayer] = [.reference(name: "chance (AUC 0.5)", from: DataPoint(lowest == 0 ? 0 : lowest, lowest == 0 ? 0 : lowest), to: DataPoint(1, 1))]
        for c in curves {
            // Thin the curve to at most ~500 points (keeping the extremes): same picture, faster drawing.
            let stride = max(1, c.points.count / 500)
            var pts = Swift.stride(from: 0, to: c.points.count, by: stride).map { c.points[$0] }
            if let last = c.points.last, pts.last.map({ $0 != last }) ?? true { pts.append(last) }
            let points = pts.map { DataPoint($0.falsePositiveRate, $0.truePositiveRate) }
                .filter { !logScale || ($0.x > 0 && $0.y > 0) }
            layers.append(.line(name: "\(c.name) (AUC \(String(format: "%.3f", c.auc)))", points: points, markers: false, step: false))
        }
        var p = XYPlot(kind: "ROC curve", title: title,
                       x: Axis("false-positive rate", scale: logScale ? .log : .linear, range: logScale ? 1e-4...1 : 0...1),
                       y: Axis("true-positive rate", scale: logScale ? .log : .linear, range: logScale ? 1e-4...1 : 0...1),
                       layers: layers)
        p.width = width
        p.height = height
        return p
    }

    public var altText: String {
        "ROC curve \"\(title)\"\(logScale ? " on log–log axes" : ""): true-positive rate against false-positive rate, with the chance diagonal. "
            + curves.map { "\($0.name): AUC \(String(format: "%.3f", $0.auc))." }.joined(separator: " ")
    }
    public var dataTable: DataTable {
        let rates = lowFalsePositiveRates
        return DataTable(columns: ["curve", "AUC"] + rates.map { "TPR at \(short($0.falsePositiveRate * 100))% FPR" },
                         rows: curves.indices.map { i in
            [curves[i].name, String(format: "%.3f", curves[i].auc)] + rates.map { i < $0.truePositiveRates.count ? short($0.truePositiveRates[i]) : "" }
        })
    }

    public func scene(measurer: TextMeasurer) -> Scene { plot.scene(measurer: measurer) }
}
