import Foundation

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
