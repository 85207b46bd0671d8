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
