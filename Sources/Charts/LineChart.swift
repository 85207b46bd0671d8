import Foundation

/// A named series of (x, y) points for a line chart.
public struct LineSeries: Equatable, Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]
    /// An optional shaded band around the line (a spread over seeds, say): (lower, upper) per point.
    public var band: [(lower: Double, upper: Double)]?

    public init(name: String, points: [(x: Double, y: Double)], band: [(lower: Double, upper: Double)]? = nil) {
        self.name = name
        self.points = points
        self.band = band
    }

    /// A series with x = 1, 2, 3, ... (epochs, say).
    public init(name: String, values: [Double]) {
        self.init(name: name, points: values.enumerated().map { (Double($0.offset + 1), $0.element) })
    }

    public static func == (a: LineSeries, b: LineSeries) -> Bool {
        a.name == b.name && a.points.count == b.points.count
            && zip(a.points, b.points).allSatisfy { $0.x == $1.x && $0.y == $1.y }
            && (a.band?.count ?? -1) == (b.band?.count ?? -1)
            && zip(a.band ?? [], b.band ?? []).allSatisfy { $0.lower == $1.lower && $0.upper == $1.upper }
    }
}

/// A line chart: several series with markers, optional shaded bands, linear or log axes, annotations.
public struct LineChart: Figure, Equatable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [LineSeries]
    /// Fixed y range (e.g. 0...1 for accuracies); nil fits the data.
    public var yRange: ClosedRange<Double>?
    public var xScale: AxisScale = .linear
    public var yScale: AxisScale = .linear
    /// A horizontal reference line (the 0.5 baseline) and its legend name.
    public var reference: (value: Double, name: String)?
    public var annotations: [Annotation] = []
    /// One sentence for alt text beyond what the data says; optional.
    public var summary: String
    public var width: Double = 800
    public var height: Double = 500

    public init(title: String, xLabel: String, yLabel: String, series: [LineSeries],
                yRange: ClosedRange<Double>? = nil, summary: String = "") {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yRange = yRange
        self.summary = summary
    }

    public static func == (a: LineChart, b: LineChart) -> Bool { a.plot == b.plot }

    /// The chart as an x–y plot.
    public var plot: XYPlot {
        var layers: [PlotLayer] = []
        for s in series {
            if let band = s.band {
                layers.append(.band(name: s.name, x: s.points.map(\.x), lower: band.map(\.lower), upper: band.map(\.upper)))
            }
        }
        if let reference {
            let xs = series.flatMap { $0.points.map(\.x) }
            layers.append(.reference(name: reference.name, from: DataPoint(xs.min() ?? 0, reference.value),
                                     to: DataPoint(xs.max() ?? 1, reference.value)))
        }
        layers += series.map { .line(name: $0.name, points: $0.points.map { DataPoint($0.x, $0.y) }) }
        var plot = XYPlot(kind: "Line chart", title: title, x: Axis(xLabel, scale: xScale), y: Axis(yLabel, scale: yScale, range: yRange),
                          layers: layers, annotations: annotations, summary: summary)
        plot.width = width
        plot.height = height
        return plot
    }

    public var altText: String { plot.altText }
    public var dataTable: DataTable {
        let xs = Array(Set(series.flatMap { $0.points.map(\.x) })).sorted()
        let rows = xs.map { x in
            [short(x)] + series.map { s in s.points.first { $0.x == x }.map { String(format: "%.4g", $0.y) } ?? "" }
        }
        return DataTable(columns: [xLabel] + series.map(\.name), rows: rows)
    }
    public func scene(measurer: TextMeasurer) -> Scene { plot.scene(measurer: measurer) }
}

/// Histograms of two or more distributions over shared bins, overlaid and translucent.
public struct Histogram: Figure, Equatable {
    public var title: String
    public var xLabel: String
    public var distributions: [(name: String, values: [Double])]
    public var bins: Int
    /// Density (each histogram integrates to 1) instead of counts, for groups of different sizes.
    public var density: Bool
    public var range: ClosedRange<Double>?
    public var summary: String = ""
    public var width: Double = 800
    public var height: Double = 500

    public init(title: String, xLabel: String, distributions: [(name: String, values: [Double])], bins: Int = 20,
                density: Bool = false, range: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.distributions = distributions
        self.bins = bins
        self.density = density
        self.range = range
    }

    public static func == (a: Histogram, b: Histogram) -> Bool { a.plot == b.plot }

    /// The shared bin edges.
    public var edges: [Double] {
        let all = distributions.flatMap(\.values).filter(\.isFinite)
        let lo = range?.lowerBound ?? all.min() ?? 0, hi = range?.upperBound ?? all.max() ?? 1
        let span = hi > lo ? hi - lo : 1
        return (0...bins).map { lo + span * Double($0) / Double(bins) }
    }

    /// Counts (or densities) per bin for each distribution; the last bin includes its right edge.
    public var heights: [[Double]] {
        let e = edges
        let lo = e.first!, width = (e.last! - e.first!) / Double(bins)
        return distributions.map { d in
            var counts = [Double](repeating: 0, count: bins)
            for v in d.values where v.isFinite && v >= lo && v <= e.last! {
                counts[min(bins - 1, Int((v - lo) / width))] += 1
            }
            let total = Double(max(1, d.values.count))
            return density ? counts.map { $0 / (total * width) } : counts
        }
    }

    public var plot: XYPlot {
        let e = edges
        var p = XYPlot(kind: "Histogram", title: title, x: Axis(xLabel), y: Axis(density ? "density" : "count"),
                       layers: zip(distributions, heights).map { .columns(name: $0.name, edges: e, heights: $1) }, summary: summary)
        p.width = width
        p.height = height
        return p
    }

    public var altText: String {
        var text = "Histogram \"\(title)\" of \(xLabel), \(bins) shared bins, \(density ? "as densities" : "as counts")."
        for d in distributions where !d.values.isEmpty {
            let sorted = d.values.sorted()
            text += " \(d.name): \(d.values.count) values, median \(short(sorted[sorted.count / 2])), range \(short(sorted.first!))–\(short(sorted.last!))."
        }
        return summary.isEmpty ? text : text + " " + summary
    }
    public var dataTable: DataTable { plot.dataTable }
    public func scene(measurer: TextMeasurer) -> Scene { plot.scene(measurer: measurer) }
}

/// Cumulative distribution functions: for each value v, the fraction of the group at or below v.
public struct CDFChart: Figure, Equatable {
    public var title: String
    public var xLabel: String
    public var distributions: [(name: String, values: [Double])]
    public var summary: String = ""
    public var width: Double = 800
    public var height: Double = 500

    public init(title: String, xLabel: String, distributions: [(name: String, values: [Double])]) {
        self.title = title
        self.xLabel = xLabel
        self.distributions = distributions
    }

    public static func == (a: CDFChart, b: CDFChart) -> Bool { a.plot == b.plot }

    public var plot: XYPlot {
        let layers: [PlotLayer] = distributions.map { d in
            let sorted = d.values.filter(\.isFinite).sorted()
            // At most ~400 steps: enough to look exact, small enough to draw fast.
            let stride = max(1, sorted.count / 400)
            var points = [DataPoint(sorted.first ?? 0, 0)]
            for i in Swift.stride(from: 0, to: sorted.count, by: stride) {
                points.append(DataPoint(sorted[i], Double(i + 1) / Double(sorted.count)))
            }
            if let last = sorted.last { points.append(DataPoint(last, 1)) }
            return .line(name: d.name, points: points, markers: false, step: true)
        }
        var p = XYPlot(kind: "Cumulative distribution plot", title: title, x: Axis(xLabel),
                       y: Axis("fraction at or below", range: 0...1), layers: layers, summary: summary)
        p.width = width
        p.height = height
        return p
    }

    public var altText: String {
        var text = "Cumulative distribution plot \"\(title)\" of \(xLabel)."
        for d in distributions where !d.values.isEmpty {
            let s = d.values.sorted()
            text += " \(d.name): 25% at or below \(short(s[s.count / 4])), median \(short(s[s.count / 2])), 75% at or below \(short(s[3 * s.count / 4]))."
        }
        return summary.isEmpty ? text : text + " " + summary
    }
    public var dataTable: DataTable {
        DataTable(columns: ["group", "25th percentile", "median", "75th percentile", "count"], rows: distributions.map { d in
            let s = d.values.sorted()
            return s.isEmpty ? [d.name, "", "", "", "0"] : [d.name, short(s[s.count / 4]), short(s[s.count / 2]), short(s[3 * s.count / 4]), String(s.count)]
        })
    }
    public func scene(measurer: TextMeasurer) -> Scene { plot.scene(measurer: measurer) }
}

/// Points in the plane, optionally labelled (a dataset's train–test gap against attack precision, say).
public struct ScatterChart: Figure, Equatable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [(name: String, points: [(x: Double, y: Double)], labels: [String])]
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var annotations: [Annotation] = []
    public var summary: String = ""
    public var width: Double = 800
    public var height: Double = 500

    public init(title: String, xLabel: String, yLabel: String,
                series: [(name: String, points: [(x: Double, y: Double)], labels: [String])],
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xRange = xRange
        self.yRange = yRange
    }

    public static func == (a: ScatterChart, b: ScatterChart) -> Bool { a.plot == b.plot }

    public var plot: XYPlot {
        var p = XYPlot(kind: "Scatter plot", title: title, x: Axis(xLabel, range: xRange), y: Axis(yLabel, range: yRange),
                       layers: series.map { .scatter(name: $0.name, points: $0.points.map { DataPoint($0.x, $0.y) }, labels: $0.labels) },
                       annotations: annotations, summary: summary)
        p.width = width
        p.height = height
        return p
    }

    public var altText: String {
        var text = "Scatter plot \"\(title)\": \(yLabel) against \(xLabel)."
        for s in series {
            let described = zip(s.points, s.labels + Array(repeating: "", count: max(0, s.points.count - s.labels.count)))
                .prefix(12).map { $1.isEmpty ? "(\(short($0.x)), \(short($0.y)))" : "\($1) (\(short($0.x)), \(short($0.y)))" }
            text += " \(s.name): " + described.joined(separator: ", ") + (s.points.count > 12 ? ", …" : "") + "."
        }
        return summary.isEmpty ? text : text + " " + summary
    }
    public var dataTable: DataTable {
        DataTable(columns: ["series", "label", xLabel, yLabel], rows: series.flatMap { s in
            s.points.enumerated().map { [s.name, $0.offset < s.labels.count ? s.labels[$0.offset] : "", short($0.element.x), short($0.element.y)] }
        })
    }
    public func scene(measurer: TextMeasurer) -> Scene { plot.scene(measurer: measurer) }
}

/// ROC curves: true-positive rate against false-positive rate, with the chance diagonal and each
/// curve's AUC in the legend; on log–log axes the low false-positive region shows.
public struct ROCChart: Figure, Equatable {
    public var title: String
    public var curves: [(name: String, points: [(falsePositiveRate: Double, truePositiveRate: Double)], auc: Double)]
    public var logScale: Bool
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
        DataTable(columns: ["curve", "AUC", "TPR at 1% FPR", "TPR at 0.1% FPR"], rows: curves.map { c in
            func tpr(_ f: Double) -> String { short(c.points.filter { $0.falsePositiveRate <= f + 1e-12 }.map(\.truePositiveRate).max() ?? 0) }
            return [c.name, String(format: "%.3f", c.auc), tpr(0.01), tpr(0.001)]
        })
    }
    public func scene(measurer: TextMeasurer) -> Scene { plot.scene(measurer: measurer) }
}
