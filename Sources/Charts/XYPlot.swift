import Foundation

/// How an axis maps data to position.
public enum AxisScale: String, Equatable, Sendable {
    case linear
    /// Base-10 logarithmic; values ≤ 0 are left out.
    case log
}

/// One axis: its title (with units), scale and an optional fixed range.
public struct Axis: Equatable, Sendable {
    public var label: String
    public var scale: AxisScale
    public var range: ClosedRange<Double>?

    public init(_ label: String, scale: AxisScale = .linear, range: ClosedRange<Double>? = nil) {
        self.label = label
        self.scale = scale
        self.range = range
    }
}

public struct DataPoint: Equatable, Sendable {
    public var x: Double, y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// Text with an arrow pointing at a data point; the text sits `dx`, `dy` CSS pixels away.
public struct Annotation: Equatable, Sendable {
    public var text: String
    public var at: DataPoint
    public var dx: Double, dy: Double
    public init(_ text: String, at: DataPoint, dx: Double = 40, dy: Double = -40) {
        self.text = text
        self.at = at
        self.dx = dx
        self.dy = dy
    }
}

/// What can be drawn on x–y axes. Named layers get a colour, marker and dash of their own, in order,
/// and an entry in the legend.
public enum PlotLayer: Equatable, Sendable {
    /// A polyline with markers; `step` draws a staircase (for cumulative distributions).
    case line(name: String, points: [DataPoint], markers: Bool = true, step: Bool = false)
    /// A shaded band between `lower` and `upper` at each x; a band named like a line takes its colour
    /// and no legend entry of its own.
    case band(name: String, x: [Double], lower: [Double], upper: [Double])
    /// Points, optionally labelled.
    case scatter(name: String, points: [DataPoint], labels: [String] = [])
    /// Translucent columns between consecutive `edges` (a histogram's bins).
    case columns(name: String, edges: [Double], heights: [Double])
    /// A grey dashed reference line (the chance diagonal, a 0.5 baseline).
    case reference(name: String, from: DataPoint, to: DataPoint)

    var name: String {
        switch self {
        case .line(let n, _, _, _), .band(let n, _, _, _), .scatter(let n, _, _), .columns(let n, _, _), .reference(let n, _, _): n
        }
    }

    var points: [DataPoint] {
        switch self {
        case .line(_, let p, _, _), .scatter(_, let p, _): return p
        case let .band(_, x, lower, upper): return zip(x, lower).map(DataPoint.init) + zip(x, upper).map(DataPoint.init)
        case let .columns(_, edges, heights):
            return edges.map { DataPoint($0, 0) } + zip(edges, heights).map(DataPoint.init)
        case let .reference(_, a, b): return [a, b]
        }
    }
}

/// A chart on x–y axes: the engine behind line charts, histograms, CDFs, scatter plots and ROC curves.
///
/// Layout is a pure function of the plot and the text measurer: nice ticks (1, 2, 5 × 10^k, or
/// decades on log axes), tick labels thinned so they never collide, the legend in the plot corner
/// that hides the fewest data, colours from the Okabe–Ito palette with distinct markers and dashes so
/// the figure survives greyscale printing.
public struct XYPlot: Figure, Equatable {
    public var title: String
    public var x: Axis
    public var y: Axis
    public var layers: [PlotLayer]
    public var annotations: [Annotation]
    public var summary: String
    public var width: Double = 800
    public var height: Double = 500
    /// A description of the kind of chart for alt text ("Line chart", "Histogram", ...).
    public var kind: String

    public init(kind: String = "Chart", title: String, x: Axis, y: Axis, layers: [PlotLayer],
                annotations: [Annotation] = [], summary: String = "") {
        self.kind = kind
        self.title = title
        self.x = x
        self.y = y
        self.layers = layers
        self.annotations = annotations
        self.summary = summary
    }

    public var altText: String {
        var text = "\(kind) \"\(title)\": \(y.label) against \(x.label)\(x.scale == .log || y.scale == .log ? " (logarithmic axes)" : "")."
        for layer in layers {
            switch layer {
            case let .line(name, points, _, _) where !points.isEmpty:
                text += " \(name): from \(short(points.first!.y)) at \(short(points.first!.x)) to \(short(points.last!.y)) at \(short(points.last!.x))."
            case let .scatter(name, points, _) where !points.isEmpty:
                text += " \(name): \(points.count) points."
            case let .columns(name, edges, heights) where !heights.isEmpty:
                let peak = heights.indices.max { heights[$0] < heights[$1] }!
                text += " \(name): \(heights.count) bins from \(short(edges.first!)) to \(short(edges.last!)), highest at \(short(edges[peak]))–\(short(edges[peak + 1]))."
            case let .reference(name, _, _):
                text += " Reference: \(name)."
            default: break
            }
        }
        return summary.isEmpty ? text : text + " " + summary
    }

    public var dataTable: DataTable {
        var rows: [[String]] = []
        for layer in layers {
            switch layer {
            case let .line(name, points, _, _), let .scatter(name, points, _):
                rows += points.map { [name, short($0.x), short($0.y)] }
            case let .columns(name, edges, heights):
                rows += heights.indices.map { [name, "\(short(edges[$0]))–\(short(edges[$0 + 1]))", short(heights[$0])] }
            case let .band(name, xs, lower, upper):
                rows += xs.indices.map { [name + " (band)", short(xs[$0]), "\(short(lower[$0]))–\(short(upper[$0]))"] }
            case .reference: break
            }
        }
        return DataTable(columns: ["series", x.label, y.label], rows: rows)
    }

    /// Positions along one axis.
    struct Scale {
        let axis: Axis
        let lower: Double, upper: Double
        let ticks: [Double]
        let labels: [String]

        init(axis: Axis, values: [Double]) {
            self.axis = axis
            let usable = values.filter { $0.isFinite && (axis.scale == .linear || $0 > 0) }
            switch axis.scale {
            case .linear:
                let lo = axis.range?.lowerBound ?? usable.min() ?? 0
                let hi = axis.range?.upperBound ?? usable.max() ?? 1
                let nice = Ticks.nice(lower: lo, upper: hi, count: 6)
                let a = axis.range?.lowerBound ?? nice.lower, b = axis.range?.upperBound ?? nice.upper
                lower = a
                upper = b
                let kept = nice.ticks.filter { $0 >= a - 1e-9 && $0 <= b + 1e-9 }
                ticks = kept
                labels = Ticks.labels(kept)
            case .log:
                let lo = axis.range?.lowerBound ?? usable.min() ?? 1
                let hi = axis.range?.upperBound ?? usable.max() ?? 10
                let decadeLow = floor(log10(max(lo, 1e-300))), decadeHigh = max(decadeLow + 1, ceil(log10(max(hi, 1e-300))))
                let a = axis.range?.lowerBound ?? pow(10, decadeLow), b = axis.range?.upperBound ?? pow(10, decadeHigh)
                lower = a
                upper = b
                var t: [Double] = []
                let multiples: [Double] = decadeHigh - decadeLow <= 2 ? [1, 2, 5] : [1]
                var d = decadeLow
                while d <= decadeHigh {
                    for m in multiples {
                        let v = m * pow(10, d)
                        if v >= a * (1 - 1e-9) && v <= b * (1 + 1e-9) { t.append(v) }
                    }
                    d += 1
                }
                ticks = t
                labels = t.map { Ticks.logLabel($0) }
            }
        }

        /// 0 at `lower`, 1 at `upper`; nil for values a log axis cannot show.
        func fraction(_ v: Double) -> Double? {
            switch axis.scale {
            case .linear: return upper == lower ? 0.5 : (v - lower) / (upper - lower)
            case .log:
                guard v > 0 else { return nil }
                return (log10(v) - log10(lower)) / (log10(upper) - log10(lower))
            }
        }
    }

    static let dashes: [[Double]] = [[], [7, 4], [2, 3], [9, 3, 2, 3], [4, 2], [1, 2]]

    public func scene(measurer: TextMeasurer) -> Scene {
        var frame = ChartFrame(title: title, width: width, height: height, measurer: measurer)
        let allPoints = layers.flatMap(\.points) + annotations.map(\.at)
        // Points (scatter) get a 5% margin so none sits on an axis line.
        var padded = allPoints.map { ($0.x, $0.y) }
        let scatterPoints = layers.flatMap { layer -> [DataPoint] in if case .scatter(_, let p, _) = layer { return p } else { return [] } }
        if !scatterPoints.isEmpty, let minX = allPoints.map(\.x).min(), let maxX = allPoints.map(\.x).max(),
           let minY = allPoints.map(\.y).min(), let maxY = allPoints.map(\.y).max() {
            let dx = max((maxX - minX) * 0.05, 1e-9), dy = max((maxY - minY) * 0.05, 1e-9)
            padded += [(minX - dx, minY - dy), (maxX + dx, maxY + dy)]
        }
        let xs = Scale(axis: x, values: padded.map(\.0)), ys = Scale(axis: y, values: padded.map(\.1))
        let plot = frame.layoutAxes(xTitle: x.label, yTitle: y.label, xLabels: xs.labels, yLabels: ys.labels)
        func px(_ v: Double) -> Double? { xs.fraction(v).map { plot.x + $0 * plot.width } }
        func py(_ v: Double) -> Double? { ys.fraction(v).map { plot.y + plot.height - $0 * plot.height } }
        func point(_ p: DataPoint) -> Point? {
            guard let a = px(p.x), let b = py(p.y) else { return nil }
            return Point(a, b)
        }
        frame.drawGrid(plot: plot, xTicks: xs.ticks.compactMap(px), xLabels: xs.labels,
                       yTicks: ys.ticks.compactMap(py), yLabels: ys.labels)

        // Styles: every named layer but a band matched to a line gets the next palette slot.
        var styleIndex: [String: Int] = [:]
        var next = 0
        let lineNames = Set(layers.compactMap { if case .line(let n, _, _, _) = $0 { return n } else { return nil } })
        for layer in layers {
            if case .reference = layer { continue }
            if case .band(let name, _, _, _) = layer, lineNames.contains(name) { continue }
            if styleIndex[layer.name] == nil { styleIndex[layer.name] = next; next += 1 }
        }
        for layer in layers { if case .band(let name, _, _, _) = layer, lineNames.contains(name) { _ = styleIndex[name] } }

        frame.marks.append(.clip(x: plot.x, y: plot.y, width: plot.width, height: plot.height))
        var legend: [LegendEntry] = []
        for layer in layers {
            switch layer {
            case let .band(name, bx, lower, upper):
                let index = styleIndex[name] ?? 0
                let top = zip(bx, upper).compactMap { point(DataPoint($0, $1)) }
                let bottom = zip(bx, lower).compactMap { point(DataPoint($0, $1)) }.reversed()
                frame.marks.append(.path(points: top + bottom, closed: true, stroke: nil, lineWidth: 0, dash: [],
                                         fill: Palette.color(index).withAlpha(0.18)))
                if !lineNames.contains(name) { legend.append(.init(name: name, kind: .box, index: index)) }
            case let .columns(name, edges, heights):
                let index = styleIndex[name] ?? 0
                for (i, h) in heights.enumerated() where h > 0 {
                    guard let x0 = px(edges[i]), let x1 = px(edges[i + 1]), let y0 = py(ys.axis.scale == .log ? ys.lower : 0), let y1 = py(h) else { continue }
                    frame.marks.append(.rect(x: x0, y: y1, width: x1 - x0, height: y0 - y1, stroke: Palette.color(index),
                                             lineWidth: 1, fill: Palette.color(index).withAlpha(0.35)))
                }
                legend.append(.init(name: name, kind: .box, index: index))
            case let .reference(name, from, to):
                if let a = point(from), let b = point(to) {
                    frame.marks.append(.path(points: [a, b], closed: false, stroke: Color(hex: 0x777777), lineWidth: 1.5, dash: [6, 4], fill: nil))
                }
                if !name.isEmpty { legend.append(.init(name: name, kind: .reference, index: 0)) }
            case let .line(name, points, markers, step):
                let index = styleIndex[name] ?? 0
                var screen = points.compactMap(point)
                if step && screen.count > 1 {
                    var stairs: [Point] = [screen[0]]
                    for p in screen.dropFirst() { stairs.append(Point(p.x, stairs.last!.y)); stairs.append(p) }
                    screen = stairs
                }
                if screen.count > 1 {
                    frame.marks.append(.path(points: screen, closed: false, stroke: Palette.color(index), lineWidth: 2.2,
                                             dash: Self.dashes[index % Self.dashes.count], fill: nil))
                }
                if markers {
                    let raw = points.compactMap(point)
                    let every = max(1, raw.count / 12)
                    for (i, p) in raw.enumerated() where i % every == 0 || i == raw.count - 1 {
                        frame.marks.append(ChartFrame.marker(index, at: p))
                    }
                }
                legend.append(.init(name: name, kind: markers ? .lineWithMarker : .line, index: index))
            case let .scatter(name, points, labels):
                let index = styleIndex[name] ?? 0
                let screen = points.compactMap(point)
                for s in screen { frame.marks.append(ChartFrame.marker(index, at: s, radius: 4.5)) }
                // Labels: the first of four places around the point that overlaps no label or point so far.
                var taken: [(x: Double, y: Double, w: Double, h: Double)] = screen.map { ($0.x - 5, $0.y - 5, 10, 10) }
                for (i, s) in screen.enumerated() where i < labels.count && !labels[i].isEmpty {
                    let size = measurer.measure(labels[i], size: 11, bold: false)
                    let options: [(Double, Double, HorizontalAnchor, VerticalAnchor)] = [
                        (7, -5, .start, .bottom), (7, 5, .start, .top), (-7, -5, .end, .bottom), (-7, 5, .end, .top)]
                    func box(_ o: (Double, Double, HorizontalAnchor, VerticalAnchor)) -> (x: Double, y: Double, w: Double, h: Double) {
                        (o.2 == .start ? s.x + o.0 : s.x + o.0 - size.width, o.3 == .bottom ? s.y + o.1 - size.height : s.y + o.1, size.width, size.height)
                    }
                    func overlaps(_ a: (x: Double, y: Double, w: Double, h: Double)) -> Bool {
                        taken.contains { b in a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h }
                            || a.x < plot.x || a.x + a.w > plot.x + plot.width
                    }
                    // No free place: leave the label out rather than print over another (the data table has it).
                    guard let choice = options.first(where: { !overlaps(box($0)) }) else { continue }
                    taken.append(box(choice))
                    frame.marks.append(.text(labels[i], at: Point(s.x + choice.0, s.y + choice.1), size: 11, bold: false, color: .ink,
                                             horizontal: choice.2, vertical: choice.3, rotation: 0))
                }
                legend.append(.init(name: name, kind: .marker, index: index))
            }
        }
        frame.marks.append(.unclip)
        for note in annotations {
            guard let target = point(note.at) else { continue }
            frame.annotate(note.text, at: target, dx: note.dx, dy: note.dy, plot: plot)
        }
        let screenPoints = allPoints.compactMap(point)
        frame.drawLegend(legend.filter { !$0.name.isEmpty }, plot: plot, avoiding: screenPoints)
        return frame.scene
    }
}
