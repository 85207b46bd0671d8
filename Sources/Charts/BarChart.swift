import Foundation

/// Grouped bars: one group per category, one bar per series, value labels on the bars and an
/// optional horizontal reference line (the 0.5 baseline of the membership game).
public struct BarChart: Figure, Equatable {
    public var title: String
    public var yLabel: String
    public var categories: [String]
    public var series: [(name: String, values: [Double])]
    public var yRange: ClosedRange<Double>?
    public var reference: (value: Double, name: String)?
    public var valueLabels = true
    /// Digits after the point in value labels.
    public var decimals = 2
    public var summary: String = ""
    public var width: Double = 800
    public var height: Double = 500

    public init(title: String, yLabel: String, categories: [String], series: [(name: String, values: [Double])],
                yRange: ClosedRange<Double>? = nil, reference: (value: Double, name: String)? = nil) {
        self.title = title
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
        self.yRange = yRange
        self.reference = reference
    }

    public static func == (a: BarChart, b: BarChart) -> Bool {
        a.title == b.title && a.categories == b.categories && a.series.count == b.series.count
            && zip(a.series, b.series).allSatisfy { $0.name == $1.name && $0.values == $1.values }
            && a.reference?.value == b.reference?.value && a.yRange == b.yRange
    }

    public var altText: String {
        var text = "Bar chart \"\(title)\": \(yLabel) for \(categories.count) categories."
        for s in series {
            text += " \(s.name): " + zip(categories, s.values).map { "\($0) \(String(format: "%.\(decimals)f", $1))" }.joined(separator: ", ") + "."
        }
        if let reference { text += " Reference line at \(short(reference.value)) (\(reference.name))." }
        return summary.isEmpty ? text : text + " " + summary
    }

    public var dataTable: DataTable {
        DataTable(columns: ["category"] + series.map(\.name), rows: categories.indices.map { i in
            [categories[i]] + series.map { i < $0.values.count ? String(format: "%.\(decimals)f", $0.values[i]) : "" }
        })
    }

    public func scene(measurer: TextMeasurer) -> Scene {
        var frame = ChartFrame(title: title, width: width, height: height, measurer: measurer)
        let values = series.flatMap(\.values) + [reference?.value].compactMap { $0 } + [0]
        let nice = yRange.map { Ticks.nice(lower: $0.lowerBound, upper: $0.upperBound, count: 5) }
            ?? Ticks.nice(lower: values.min()!, upper: values.max()! * (valueLabels ? 1.08 : 1), count: 5)
        let lower = yRange?.lowerBound ?? nice.lower, upper = yRange?.upperBound ?? nice.upper
        let ticks = nice.ticks.filter { $0 >= lower - 1e-9 && $0 <= upper + 1e-9 }
        let legendRow = measurer.measure("Ag", size: ChartFrame.labelSize, bold: false).height + 10
        var plot = frame.layoutAxes(xTitle: "", yTitle: yLabel, xLabels: categories, yLabels: Ticks.labels(ticks), topReserve: legendRow)
        // Every category keeps its name: labels too wide for their group go on two staggered rows.
        let labelWidths = categories.map { measurer.measure($0, size: ChartFrame.tickSize, bold: false).width }
        let staggered = zip(labelWidths, labelWidths.dropFirst()).contains { ($0 + $1) / 2 + 8 > plot.width / Double(max(1, categories.count)) }
        let rowHeight = measurer.measure("Ag", size: ChartFrame.tickSize, bold: false).height + 2
        if staggered { plot.height -= rowHeight }
        func py(_ v: Double) -> Double { plot.y + plot.height - (v - lower) / (upper - lower) * plot.height }
        let groupWidth = plot.width / Double(max(1, categories.count))
        let barWidth = groupWidth * 0.8 / Double(max(1, series.count))
        let centres = categories.indices.map { plot.x + groupWidth * (Double($0) + 0.5) }
        frame.drawGrid(plot: plot, xTicks: centres, xLabels: staggered ? categories.map { _ in "" } : categories,
                       yTicks: ticks.map(py), yLabels: Ticks.labels(ticks))
        if staggered {
            for (i, (x, label)) in zip(centres, categories).enumerated() {
                let y = plot.y + plot.height + 8 + (i % 2 == 1 ? rowHeight : 0)
                frame.marks.append(.text(label, at: Point(x, y), size: ChartFrame.tickSize, bold: false, color: .ink,
                                         horizontal: .middle, vertical: .top, rotation: 0))
            }
        }
        // drawGrid drew vertical grid lines at the categories; bars read better without them.
        frame.marks.removeAll { mark in
            if case let .path(points, _, stroke, _, _, _) = mark, stroke == .grid, points.count == 2, points[0].x == points[1].x { return true }
            return false
        }
        var tops: [Point] = []
        for (s, entry) in series.enumerated() {
            let color = Palette.color(s)
            for (i, value) in entry.values.enumerated() where i < categories.count {
                let x = centres[i] - groupWidth * 0.4 + barWidth * Double(s)
                let top = py(max(min(value, upper), lower)), base = py(max(lower, min(0, upper)))
                frame.marks.append(.rect(x: x + 1, y: min(top, base), width: barWidth - 2, height: abs(base - top),
                                         stroke: nil, lineWidth: 0, fill: color))
                // Hatching would be better in greyscale; a darker outline at least separates neighbours.
                frame.marks.append(.rect(x: x + 1, y: min(top, base), width: barWidth - 2, height: abs(base - top),
                                         stroke: Color(hex: 0x333333), lineWidth: 0.6, fill: nil))
                tops.append(Point(x + barWidth / 2, top))
                if valueLabels {
                    frame.marks.append(.text(String(format: "%.\(decimals)f", value), at: Point(x + barWidth / 2, top - 3),
                                             size: barWidth > 34 ? ChartFrame.labelSize : ChartFrame.tickSize - 1, bold: false, color: .ink, horizontal: .middle, vertical: .bottom, rotation: 0))
                }
            }
        }
        var legend = series.indices.map { LegendEntry(name: series[$0].name, kind: .box, index: $0) }
        if let reference {
            let y = py(reference.value)
            frame.marks.append(.path(points: [Point(plot.x, y), Point(plot.x + plot.width, y)], closed: false,
                                     stroke: Color(hex: 0x777777), lineWidth: 1.5, dash: [6, 4], fill: nil))
            legend.append(LegendEntry(name: reference.name, kind: .reference, index: 0))
        }
        // Bars fill every corner, so the legend is a row above the plot.
        frame.drawLegendRow(legend, y: plot.y - legendRow / 2 - 4)
        return frame.scene
    }
}

/// A matrix of values as coloured cells (a confusion matrix, per-class precision), with a colour bar.
/// The colour map runs from dark blue through teal to yellow (viridis-like): ordered in lightness and
/// readable with any common colour-vision deficiency.
public struct Heatmap: Figure, Equatable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var values: [[Double]]
    public var range: ClosedRange<Double>?
    public var showValues = true
    public var decimals = 2
    public var valueLabel: String
    public var width: Double = 700
    public var height: Double = 560

    public init(title: String, xLabel: String, yLabel: String, rowLabels: [String], columnLabels: [String],
                values: [[Double]], valueLabel: String, range: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.valueLabel = valueLabel
        self.range = range
    }

    static let anchors: [Color] = [Color(hex: 0x440154), Color(hex: 0x3B528B), Color(hex: 0x21918C), Color(hex: 0x5EC962), Color(hex: 0xFDE725)]

    /// The colour for `t` in 0...1.
    public static func color(_ t: Double) -> Color {
        let t = min(max(t.isFinite ? t : 0, 0), 1) * Double(anchors.count - 1)
        let i = min(Int(t), anchors.count - 2), f = t - Double(i)
        let a = anchors[i], b = anchors[i + 1]
        return Color(red: a.red + (b.red - a.red) * f, green: a.green + (b.green - a.green) * f, blue: a.blue + (b.blue - a.blue) * f)
    }

    var bounds: (Double, Double) {
        let all = values.flatMap { $0 }.filter(\.isFinite)
        return (range?.lowerBound ?? all.min() ?? 0, range?.upperBound ?? all.max() ?? 1)
    }

    public var altText: String {
        let (lo, hi) = bounds
        var text = "Heatmap \"\(title)\": \(valueLabel) for \(rowLabels.count) \(yLabel) by \(columnLabels.count) \(xLabel), from \(short(lo)) to \(short(hi))."
        if rowLabels.count * columnLabels.count <= 36 {
            for (r, row) in values.enumerated() where r < rowLabels.count {
                text += " \(rowLabels[r]): " + row.map { String(format: "%.\(decimals)f", $0) }.joined(separator: ", ") + "."
            }
        }
        return text
    }

    public var dataTable: DataTable {
        DataTable(columns: [yLabel] + columnLabels, rows: values.enumerated().map { r, row in
            [r < rowLabels.count ? rowLabels[r] : ""] + row.map { String(format: "%.\(decimals)f", $0) }
        })
    }

    public func scene(measurer: TextMeasurer) -> Scene {
        var frame = ChartFrame(title: title, width: width, height: height, measurer: measurer)
        let (lo, hi) = bounds
        let plot = frame.layoutAxes(xTitle: xLabel, yTitle: yLabel, xLabels: columnLabels, yLabels: rowLabels, rightReserve: 70)
        let cw = plot.width / Double(max(1, columnLabels.count)), ch = plot.height / Double(max(1, rowLabels.count))
        let xCentres = columnLabels.indices.map { plot.x + cw * (Double($0) + 0.5) }
        let yCentres = rowLabels.indices.map { plot.y + ch * (Double($0) + 0.5) }
        frame.drawGrid(plot: plot, xTicks: xCentres, xLabels: columnLabels, yTicks: yCentres, yLabels: rowLabels, grid: false)
        for (r, row) in values.enumerated() where r < rowLabels.count {
            for (c, v) in row.enumerated() where c < columnLabels.count {
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                let fill = Self.color(t)
                frame.marks.append(.rect(x: plot.x + cw * Double(c), y: plot.y + ch * Double(r), width: cw, height: ch,
                                         stroke: .white, lineWidth: 0.5, fill: fill))
                if showValues && cw > 26 && ch > 14 {
                    let light = 0.2126 * fill.red + 0.7152 * fill.green + 0.0722 * fill.blue > 0.5
                    frame.marks.append(.text(String(format: "%.\(decimals)f", v), at: Point(xCentres[c], yCentres[r]),
                                             size: min(12, ch * 0.6), bold: false, color: light ? .ink : .white,
                                             horizontal: .middle, vertical: .middle, rotation: 0))
                }
            }
        }
        // Colour bar with ticks.
        let barX = plot.x + plot.width + 20, barWidth = 16.0
        let steps = 64
        for i in 0..<steps {
            let y0 = plot.y + plot.height * (1 - Double(i + 1) / Double(steps))
            frame.marks.append(.rect(x: barX, y: y0, width: barWidth, height: plot.height / Double(steps) + 0.5,
                                     stroke: nil, lineWidth: 0, fill: Self.color((Double(i) + 0.5) / Double(steps))))
        }
        frame.marks.append(.rect(x: barX, y: plot.y, width: barWidth, height: plot.height, stroke: .axis, lineWidth: 1, fill: nil))
        let ticks = Ticks.nice(lower: lo, upper: hi, count: 5).ticks.filter { $0 >= lo - 1e-9 && $0 <= hi + 1e-9 }
        for (tick, label) in zip(ticks, Ticks.labels(ticks)) {
            let y = plot.y + plot.height * (1 - (hi > lo ? (tick - lo) / (hi - lo) : 0.5))
            frame.marks.append(.path(points: [Point(barX + barWidth, y), Point(barX + barWidth + 4, y)], closed: false,
                                     stroke: .axis, lineWidth: 1, dash: [], fill: nil))
            frame.marks.append(.text(label, at: Point(barX + barWidth + 6, y), size: ChartFrame.tickSize, bold: false, color: .ink,
                                     horizontal: .start, vertical: .middle, rotation: 0))
        }
        return frame.scene
    }
}
