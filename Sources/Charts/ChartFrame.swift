import Foundation

/// A legend row: what swatch it shows and in which series style.
struct LegendEntry: Equatable {
    enum Kind { case line, lineWithMarker, marker, box, reference }
    var name: String
    var kind: Kind
    var index: Int
}

/// The parts every chart shares: background, title, axis titles, ticks and grid, legend,
/// annotations, markers. Charts lay their own data out inside the plot rectangle it returns.
struct ChartFrame {
    let title: String
    let width: Double, height: Double
    let measurer: TextMeasurer
    var marks: [Mark] = []

    static let titleSize = 18.0, labelSize = 14.0, tickSize = 12.0, pad = 12.0

    init(title: String, width: Double, height: Double, measurer: TextMeasurer) {
        self.title = title
        self.width = width
        self.height = height
        self.measurer = measurer
        marks.append(.rect(x: 0, y: 0, width: width, height: height, stroke: nil, lineWidth: 0, fill: .white))
        if !title.isEmpty {
            marks.append(.text(title, at: Point(width / 2, Self.pad), size: Self.titleSize, bold: true, color: .ink,
                               horizontal: .middle, vertical: .top, rotation: 0))
        }
    }

    var scene: Scene { Scene(width: width, height: height, marks: marks) }

    /// The plot rectangle left once the title, axis titles and tick labels have their room.
    /// `rightReserve` keeps space on the right (for a colour bar).
    mutating func layoutAxes(xTitle: String, yTitle: String, xLabels: [String], yLabels: [String],
                             rightReserve: Double = 0, topReserve: Double = 0) -> (x: Double, y: Double, width: Double, height: Double) {
        let titleHeight = (title.isEmpty ? 0 : measurer.measure(title, size: Self.titleSize, bold: true).height + 12) + topReserve
        let yTickWidth = yLabels.map { measurer.measure($0, size: Self.tickSize, bold: false).width }.max() ?? 0
        let labelHeight = measurer.measure("Ag", size: Self.labelSize, bold: false).height
        let tickHeight = measurer.measure("0", size: Self.tickSize, bold: false).height
        let left = Self.pad + (yTitle.isEmpty ? 0 : labelHeight + 8) + yTickWidth + 8
        let top = Self.pad + titleHeight
        let bottom = Self.pad + (xTitle.isEmpty ? 0 : labelHeight + 6) + tickHeight + 8
        let right = Self.pad + 8 + rightReserve
        let plot = (x: left, y: top, width: width - left - right, height: height - top - bottom)
        if !xTitle.isEmpty {
            marks.append(.text(xTitle, at: Point(plot.x + plot.width / 2, height - Self.pad), size: Self.labelSize, bold: false,
                               color: .ink, horizontal: .middle, vertical: .bottom, rotation: 0))
        }
        if !yTitle.isEmpty {
            marks.append(.text(yTitle, at: Point(Self.pad, plot.y + plot.height / 2), size: Self.labelSize, bold: false,
                               color: .ink, horizontal: .middle, vertical: .top, rotation: 90))
        }
        return plot
    }

    /// Grid lines, tick marks and tick labels at the given screen positions, then the axis lines.
    /// X labels that would overlap are thinned to every k-th one.
    mutating func drawGrid(plot: (x: Double, y: Double, width: Double, height: Double),
                           xTicks: [Double], xLabels: [String], yTicks: [Double], yLabels: [String], grid: Bool = true) {
        for (y, label) in zip(yTicks, yLabels) {
            if grid {
                marks.append(.path(points: [Point(plot.x, y), Point(plot.x + plot.width, y)], closed: false,
                                   stroke: .grid, lineWidth: 1, dash: [], fill: nil))
            }
            marks.append(.path(points: [Point(plot.x - 5, y), Point(plot.x, y)], closed: false, stroke: .axis, lineWidth: 1, dash: [], fill: nil))
            marks.append(.text(label, at: Point(plot.x - 8, y), size: Self.tickSize, bold: false, color: .ink,
                               horizontal: .end, vertical: .middle, rotation: 0))
        }
        let widths = xLabels.map { measurer.measure($0, size: Self.tickSize, bold: false).width }
        var every = 1
        while every < max(1, xTicks.count) {
            var fits = true
            var i = 0
            while i + every < xTicks.count {
                if xTicks[i + every] - xTicks[i] < (widths[i] + widths[i + every]) / 2 + 8 { fits = false; break }
                i += every
            }
            if fits { break }
            every += 1
        }
        for (i, (x, label)) in zip(xTicks, xLabels).enumerated() {
            if grid {
                marks.append(.path(points: [Point(x, plot.y), Point(x, plot.y + plot.height)], closed: false,
                                   stroke: .grid, lineWidth: 1, dash: [], fill: nil))
            }
            marks.append(.path(points: [Point(x, plot.y + plot.height), Point(x, plot.y + plot.height + 5)], closed: false,
                               stroke: .axis, lineWidth: 1, dash: [], fill: nil))
            if i % every == 0 {
                marks.append(.text(label, at: Point(x, plot.y + plot.height + 8), size: Self.tickSize, bold: false,
                                   color: .ink, horizontal: .middle, vertical: .top, rotation: 0))
            }
        }
        marks.append(.path(points: [Point(plot.x, plot.y), Point(plot.x, plot.y + plot.height),
                                    Point(plot.x + plot.width, plot.y + plot.height)],
                           closed: false, stroke: .axis, lineWidth: 1.2, dash: [], fill: nil))
    }

    static let dashes = XYPlot.dashes

    /// The marker of series `index`: circle, square, triangle, diamond, then again.
    static func marker(_ index: Int, at p: Point, radius r: Double = 4, color: Color? = nil) -> Mark {
        let color = color ?? Palette.color(index)
        switch index % 4 {
        case 0: return .circle(center: p, radius: r, stroke: .white, lineWidth: 1, fill: color)
        case 1: return .rect(x: p.x - r, y: p.y - r, width: 2 * r, height: 2 * r, stroke: .white, lineWidth: 1, fill: color)
        case 2: return .path(points: [Point(p.x, p.y - r * 1.25), Point(p.x + r * 1.15, p.y + r * 0.85), Point(p.x - r * 1.15, p.y + r * 0.85)],
                             closed: true, stroke: .white, lineWidth: 1, dash: [], fill: color)
        default: return .path(points: [Point(p.x, p.y - r * 1.3), Point(p.x + r * 1.1, p.y), Point(p.x, p.y + r * 1.3), Point(p.x - r * 1.1, p.y)],
                              closed: true, stroke: .white, lineWidth: 1, dash: [], fill: color)
        }
    }

    /// The legend as one row of entries centred under the title (for charts whose data fills every
    /// corner, such as bars). Call before `layoutAxes` with `legendRowHeight` reserved.
    mutating func drawLegendRow(_ entries: [LegendEntry], y: Double) {
        let widths = entries.map { 34 + 8 + measurer.measure($0.name, size: Self.labelSize, bold: false).width + 20 }
        var x = (width - widths.reduce(0, +)) / 2
        for (entry, w) in zip(entries, widths) {
            let color = Palette.color(entry.index)
            switch entry.kind {
            case .reference:
                marks.append(.path(points: [Point(x, y), Point(x + 34, y)], closed: false, stroke: Color(hex: 0x777777), lineWidth: 1.5, dash: [6, 4], fill: nil))
            default:
                marks.append(.rect(x: x + 5, y: y - 7, width: 24, height: 14, stroke: color, lineWidth: 1, fill: color))
            }
            marks.append(.text(entry.name, at: Point(x + 42, y), size: Self.labelSize, bold: false, color: .ink,
                               horizontal: .start, vertical: .middle, rotation: 0))
            x += w
        }
    }

    /// The legend in the plot corner whose box covers the fewest of `avoiding`.
    mutating func drawLegend(_ entries: [LegendEntry], plot: (x: Double, y: Double, width: Double, height: Double), avoiding points: [Point]) {
        guard !entries.isEmpty else { return }
        let rowHeight = measurer.measure("Ag", size: Self.labelSize, bold: false).height + 6
        let textWidth = entries.map { measurer.measure($0.name, size: Self.labelSize, bold: false).width }.max() ?? 0
        let boxWidth = 12 + 34 + 8 + textWidth + 12
        let boxHeight = 8 + rowHeight * Double(entries.count) + 4
        let inset = 10.0
        let corners = [
            (plot.x + plot.width - boxWidth - inset, plot.y + plot.height - boxHeight - inset),
            (plot.x + plot.width - boxWidth - inset, plot.y + inset),
            (plot.x + inset, plot.y + plot.height - boxHeight - inset),
            (plot.x + inset, plot.y + inset),
        ]
        func covered(_ c: (Double, Double)) -> Int {
            points.filter { $0.x >= c.0 - 4 && $0.x <= c.0 + boxWidth + 4 && $0.y >= c.1 - 4 && $0.y <= c.1 + boxHeight + 4 }.count
        }
        let best = corners.min { covered($0) < covered($1) }!
        marks.append(.rect(x: best.0, y: best.1, width: boxWidth, height: boxHeight,
                           stroke: Color(hex: 0xBBBBBB), lineWidth: 1, fill: Color.white.withAlpha(0.92)))
        for (row, entry) in entries.enumerated() {
            let y = best.1 + 8 + rowHeight * (Double(row) + 0.5)
            let x0 = best.0 + 12
            let color = Palette.color(entry.index)
            switch entry.kind {
            case .line, .lineWithMarker:
                marks.append(.path(points: [Point(x0, y), Point(x0 + 34, y)], closed: false, stroke: color, lineWidth: 2.2,
                                   dash: Self.dashes[entry.index % Self.dashes.count], fill: nil))
                if entry.kind == .lineWithMarker { marks.append(Self.marker(entry.index, at: Point(x0 + 17, y))) }
            case .marker:
                marks.append(Self.marker(entry.index, at: Point(x0 + 17, y), radius: 4.5))
            case .box:
                marks.append(.rect(x: x0 + 5, y: y - 7, width: 24, height: 14, stroke: color, lineWidth: 1, fill: color.withAlpha(0.35)))
            case .reference:
                marks.append(.path(points: [Point(x0, y), Point(x0 + 34, y)], closed: false, stroke: Color(hex: 0x777777),
                                   lineWidth: 1.5, dash: [6, 4], fill: nil))
            }
            marks.append(.text(entry.name, at: Point(x0 + 42, y), size: Self.labelSize, bold: false, color: .ink,
                               horizontal: .start, vertical: .middle, rotation: 0))
        }
    }

    /// Text `dx`, `dy` away from `target` with an arrow pointing at it, kept inside the plot area.
    mutating func annotate(_ text: String, at target: Point, dx: Double, dy: Double,
                           plot: (x: Double, y: Double, width: Double, height: Double)) {
        let size = measurer.measure(text, size: 12, bold: false)
        let label = Point(min(max(target.x + dx, plot.x + 4 + size.width / 2), plot.x + plot.width - 4 - size.width / 2),
                          min(max(target.y + dy, plot.y + 4 + size.height / 2), plot.y + plot.height - 4 - size.height / 2))
        let start = Point(label.x, label.y + (dy < 0 ? size.height / 2 + 2 : -size.height / 2 - 2))
        let vx = target.x - start.x, vy = target.y - start.y
        let length = max(1, (vx * vx + vy * vy).squareRoot())
        let ux = vx / length, uy = vy / length
        let tip = Point(target.x - ux * 5, target.y - uy * 5)
        marks.append(.path(points: [start, tip], closed: false, stroke: .ink, lineWidth: 1.2, dash: [], fill: nil))
        let head = 8.0
        marks.append(.path(points: [tip, Point(tip.x - ux * head - uy * head * 0.45, tip.y - uy * head + ux * head * 0.45),
                                    Point(tip.x - ux * head + uy * head * 0.45, tip.y - uy * head - ux * head * 0.45)],
                           closed: true, stroke: nil, lineWidth: 0, dash: [], fill: .ink))
        marks.append(.rect(x: label.x - size.width / 2 - 3, y: label.y - size.height / 2 - 1, width: size.width + 6,
                           height: size.height + 2, stroke: nil, lineWidth: 0, fill: Color.white.withAlpha(0.85)))
        marks.append(.text(text, at: label, size: 12, bold: false, color: .ink, horizontal: .middle, vertical: .middle, rotation: 0))
    }
}

extension Ticks {
    /// Labels for log-axis ticks: plain decimals from 0.0001 to 100,000, powers of ten beyond.
    static func logLabel(_ v: Double) -> String {
        if v >= 1e-4 && v < 1e5 {
            let decimals = v >= 1 ? 0 : Int(ceil(-log10(v) - 1e-9))
            return String(format: "%.\(decimals)f", v)
        }
        return "10^\(Int(log10(v).rounded()))"
    }
}
