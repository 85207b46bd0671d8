import Foundation

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
