import Foundation

/// A named series of (x, y) points for a line chart.
public struct LineSeries: Equatable, Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]

    public init(name: String, points: [(x: Double, y: Double)]) {
        self.name = name
        self.points = points
    }

    /// A series with x = 1, 2, 3, ... (epochs, say).
    public init(name: String, values: [Double]) {
        self.init(name: name, points: values.enumerated().map { (Double($0.offset + 1), $0.element) })
    }

    public static func == (a: LineSeries, b: LineSeries) -> Bool {
        a.name == b.name && a.points.count == b.points.count
            && zip(a.points, b.points).allSatisfy { $0.x == $1.x && $0.y == $1.y }
    }
}

/// Marker shapes, cycled with the palette so series stay distinct in greyscale.
public enum MarkerShape: CaseIterable, Sendable { case circle, square, triangle, diamond }

/// A line chart: several series, axes with nice ticks, axis titles, a title and a legend.
///
/// Lays out into a `Scene` (pure: same chart, same scene) that any canvas can draw.
public struct LineChart: Equatable, Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [LineSeries]
    /// Fixed y range (e.g. 0...1 for accuracies); nil fits the data.
    public var yRange: ClosedRange<Double>?
    /// One sentence for alt text beyond what the data says; optional.
    public var summary: String
    /// Size in CSS pixels; PNGs are drawn at twice this.
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

    /// Alt text: the chart's kind, axes, series and their ranges, in sentences.
    public var altText: String {
        var text = "Line chart \"\(title)\": \(yLabel) against \(xLabel)."
        for s in series where !s.points.isEmpty {
            let first = s.points.first!, last = s.points.last!
            text += " \(s.name) goes from \(Self.short(first.y)) at \(Self.short(first.x)) to \(Self.short(last.y)) at \(Self.short(last.x))."
        }
        if !summary.isEmpty { text += " " + summary }
        return text
    }

    static func short(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e6 ? String(Int(v)) : String(format: "%.3g", v)
    }

    /// Lays the chart out with `measurer`'s text sizes.
    public func scene(measurer: TextMeasurer) -> Scene {
        var marks: [Mark] = [.rect(x: 0, y: 0, width: width, height: height, stroke: nil, lineWidth: 0, fill: .white)]
        let titleSize = 18.0, labelSize = 14.0, tickSize = 12.0, pad = 12.0

        let allPoints = series.flatMap { $0.points }.filter { $0.x.isFinite && $0.y.isFinite }
        let xs = allPoints.map { $0.x }, ys = allPoints.map { $0.y }
        let xTicks = Ticks.nice(lower: xs.min() ?? 0, upper: xs.max() ?? 1, count: 8)
        let yTicks = yRange.map { Ticks.nice(lower: $0.lowerBound, upper: $0.upperBound, count: 5) }
            ?? Ticks.nice(lower: ys.min() ?? 0, upper: ys.max() ?? 1, count: 5)
        let xLabels = Ticks.labels(xTicks.ticks), yLabels = Ticks.labels(yTicks.ticks)

        // Margins from the text they must hold.
        let titleHeight = title.isEmpty ? 0 : measurer.measure(title, size: titleSize, bold: true).height
        let yTickWidth = yLabels.map { measurer.measure($0, size: tickSize, bold: false).width }.max() ?? 0
        let labelHeight = measurer.measure("Ag", size: labelSize, bold: false).height
        let tickHeight = measurer.measure("0", size: tickSize, bold: false).height
        let left = pad + labelHeight + 8 + yTickWidth + 8
        let top = pad + titleHeight + (title.isEmpty ? 0 : 12)
        let bottom = pad + labelHeight + 6 + tickHeight + 8
        let right = pad + 8
        let plot = (x: left, y: top, width: width - left - right, height: height - top - bottom)

        func px(_ x: Double) -> Double { plot.x + (x - xTicks.lower) / (xTicks.upper - xTicks.lower) * plot.width }
        func py(_ y: Double) -> Double { plot.y + plot.height - (y - yTicks.lower) / (yTicks.upper - yTicks.lower) * plot.height }

        if !title.isEmpty {
            marks.append(.text(title, at: Point(width / 2, pad), size: titleSize, bold: true, color: .ink,
                               horizontal: .middle, vertical: .top, rotation: 0))
        }
        // Grid and ticks. X labels that would collide are thinned to every k-th tick.
        for (tick, label) in zip(yTicks.ticks, yLabels) {
            let y = py(tick)
            marks.append(.path(points: [Point(plot.x, y), Point(plot.x + plot.width, y)], closed: false,
                               stroke: .grid, lineWidth: 1, dash: [], fill: nil))
            marks.append(.path(points: [Point(plot.x - 5, y), Point(plot.x, y)], closed: false,
                               stroke: .axis, lineWidth: 1, dash: [], fill: nil))
            marks.append(.text(label, at: Point(plot.x - 8, y), size: tickSize, bold: false, color: .ink,
                               horizontal: .end, vertical: .middle, rotation: 0))
        }
        let widest = xLabels.map { measurer.measure($0, size: tickSize, bold: false).width }.max() ?? 0
        let spacing = xTicks.ticks.count > 1 ? plot.width / Double(xTicks.ticks.count - 1) : plot.width
        let every = max(1, Int(ceil((widest + 8) / max(spacing, 1))))
        for (i, (tick, label)) in zip(xTicks.ticks, xLabels).enumerated() {
            let x = px(tick)
            marks.append(.path(points: [Point(x, plot.y), Point(x, plot.y + plot.height)], closed: false,
                               stroke: .grid, lineWidth: 1, dash: [], fill: nil))
            marks.append(.path(points: [Point(x, plot.y + plot.height), Point(x, plot.y + plot.height + 5)],
                               closed: false, stroke: .axis, lineWidth: 1, dash: [], fill: nil))
            if i % every == 0 {
                marks.append(.text(label, at: Point(x, plot.y + plot.height + 8), size: tickSize, bold: false,
                                   color: .ink, horizontal: .middle, vertical: .top, rotation: 0))
            }
        }
        // Axes.
        marks.append(.path(points: [Point(plot.x, plot.y), Point(plot.x, plot.y + plot.height),
                                    Point(plot.x + plot.width, plot.y + plot.height)],
                           closed: false, stroke: .axis, lineWidth: 1.2, dash: [], fill: nil))
        marks.append(.text(xLabel, at: Point(plot.x + plot.width / 2, height - pad), size: labelSize, bold: false,
                           color: .ink, horizontal: .middle, vertical: .bottom, rotation: 0))
        marks.append(.text(yLabel, at: Point(pad, plot.y + plot.height / 2), size: labelSize, bold: false,
                           color: .ink, horizontal: .middle, vertical: .top, rotation: 90))

        // Series: colour, dash and marker all differ, so lines survive greyscale printing.
        let dashes: [[Double]] = [[], [7, 4], [2, 3], [9, 3, 2, 3]]
        let markerEvery = { (count: Int) in max(1, count / 12) }
        for (index, s) in series.enumerated() {
            let color = Palette.color(index)
            let points = s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { Point(px($0.x), py($0.y)) }
            if points.count > 1 {
                marks.append(.path(points: points, closed: false, stroke: color, lineWidth: 2.2,
                                   dash: dashes[index % dashes.count], fill: nil))
            }
            let step = markerEvery(points.count)
            for (i, point) in points.enumerated() where i % step == 0 || i == points.count - 1 {
                marks.append(Self.marker(MarkerShape.allCases[index % MarkerShape.allCases.count], at: point, color: color))
            }
        }

        // Legend in the corner of the plot that covers the fewest data points.
        if series.count > 0 {
            let rowHeight = measurer.measure("Ag", size: labelSize, bold: false).height + 6
            let textWidth = series.map { measurer.measure($0.name, size: labelSize, bold: false).width }.max() ?? 0
            let boxWidth = 12 + 34 + 8 + textWidth + 12
            let boxHeight = 8 + rowHeight * Double(series.count) + 4
            let inset = 10.0
            let corners = [
                (plot.x + plot.width - boxWidth - inset, plot.y + plot.height - boxHeight - inset), // bottom right
                (plot.x + plot.width - boxWidth - inset, plot.y + inset),                            // top right
                (plot.x + inset, plot.y + plot.height - boxHeight - inset),                          // bottom left
                (plot.x + inset, plot.y + inset),                                                    // top left
            ]
            let screenPoints = allPoints.map { Point(px($0.x), py($0.y)) }
            func covered(_ corner: (Double, Double)) -> Int {
                screenPoints.filter { $0.x >= corner.0 - 4 && $0.x <= corner.0 + boxWidth + 4
                    && $0.y >= corner.1 - 4 && $0.y <= corner.1 + boxHeight + 4 }.count
            }
            let best = corners.min { covered($0) < covered($1) }!
            marks.append(.rect(x: best.0, y: best.1, width: boxWidth, height: boxHeight,
                               stroke: Color(hex: 0xBBBBBB), lineWidth: 1, fill: Color.white.withAlpha(0.92)))
            for (index, s) in series.enumerated() {
                let color = Palette.color(index)
                let y = best.1 + 8 + rowHeight * (Double(index) + 0.5)
                let x0 = best.0 + 12
                marks.append(.path(points: [Point(x0, y), Point(x0 + 34, y)], closed: false, stroke: color,
                                   lineWidth: 2.2, dash: dashes[index % dashes.count], fill: nil))
                marks.append(Self.marker(MarkerShape.allCases[index % MarkerShape.allCases.count],
                                         at: Point(x0 + 17, y), color: color))
                marks.append(.text(s.name, at: Point(x0 + 42, y), size: labelSize, bold: false, color: .ink,
                                   horizontal: .start, vertical: .middle, rotation: 0))
            }
        }
        return Scene(width: width, height: height, marks: marks)
    }

    static func marker(_ shape: MarkerShape, at p: Point, color: Color) -> Mark {
        let r = 4.0
        switch shape {
        case .circle:
            return .circle(center: p, radius: r, stroke: .white, lineWidth: 1, fill: color)
        case .square:
            return .rect(x: p.x - r, y: p.y - r, width: 2 * r, height: 2 * r, stroke: .white, lineWidth: 1, fill: color)
        case .triangle:
            return .path(points: [Point(p.x, p.y - r * 1.2), Point(p.x + r * 1.1, p.y + r * 0.8), Point(p.x - r * 1.1, p.y + r * 0.8)],
                         closed: true, stroke: .white, lineWidth: 1, dash: [], fill: color)
        case .diamond:
            return .path(points: [Point(p.x, p.y - r * 1.3), Point(p.x + r * 1.1, p.y), Point(p.x, p.y + r * 1.3), Point(p.x - r * 1.1, p.y)],
                         closed: true, stroke: .white, lineWidth: 1, dash: [], fill: color)
        }
    }

    /// The chart's data as a table (for accessibility): columns x, then one per series.
    public var dataTable: (columns: [String], rows: [[String]]) {
        let xs = Array(Set(series.flatMap { $0.points.map { $0.x } })).sorted()
        let rows = xs.map { x in
            [Self.short(x)] + series.map { s in s.points.first { $0.x == x }.map { String(format: "%.4g", $0.y) } ?? "" }
        }
        return ([xLabel] + series.map { $0.name }, rows)
    }
}
