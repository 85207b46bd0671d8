import Foundation

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
