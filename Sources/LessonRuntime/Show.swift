import Foundation
import LessonCore
import PNGCodec

/// Something a table cell can hold: text, or a number formatted for reading.
public protocol TableValue {
    var tableText: String { get }
    var isNumber: Bool { get }
}

extension String: TableValue {
    public var tableText: String { self }
    public var isNumber: Bool { false }
}
extension Int: TableValue {
    public var tableText: String { String(self) }
    public var isNumber: Bool { true }
}
extension Double: TableValue {
    /// Three decimals: enough for accuracies and precisions, which the paper quotes to three.
    public var tableText: String {
        guard isFinite else { return String(describing: self) }
        let text = String(format: "%.3f", self)
        return text == "-0.000" ? "0.000" : text
    }
    public var isNumber: Bool { true }
}
extension Float: TableValue {
    public var tableText: String { Double(self).tableText }
    public var isNumber: Bool { true }
}

/// A table for a lesson page: a caption, column names and rows.
public struct Table {
    public var caption: String
    public var columns: [String]
    public var rows: [[TableValue]]

    public init(caption: String, columns: [String], rows: [[TableValue]] = []) {
        self.caption = caption
        self.columns = columns
        self.rows = rows
    }

    public mutating func append(_ row: [TableValue]) { rows.append(row) }

    var output: CellOutput.Table {
        let numeric = columns.indices.filter { c in
            !rows.isEmpty && rows.allSatisfy { c < $0.count && $0[c].isNumber }
        }
        return CellOutput.Table(caption: caption, columns: columns,
                                rows: rows.map { $0.map(\.tableText) }, numericColumns: numeric)
    }
}

private func session(_ function: String) -> LessonSession {
    guard let session = LessonSession.current else {
        fatalError("\(function) can only be called while `lessons` runs a lesson")
    }
    return session
}

/// Writes the PNG and, through `writeVector`, the same figure as SVG and PDF with the same name
/// beside it (and, through `writeSlide`, a version drawn for slides), then places the figure on the page.
private func showImage(_ image: PNGImage, title: String, altText: String, caption: String, kind: FigureKind,
                       data: CellOutput.Table? = nil, axes: CellOutput.Figure.Axes? = nil, writeVector: (VectorFormat, URL) throws -> Void,
                       writeSlide: ((URL) throws -> Void)? = nil) throws {
    let session = session("show")
    let name = session.nextFigureName(extension: "png")
    let png = session.figureFolder.appendingPathComponent(name)
    try image.write(to: png)
    var vectorFiles: [String] = []
    for format in VectorFormat.allCases {
        let file = png.deletingPathExtension().appendingPathExtension(format.rawValue)
        try writeVector(format, file)
        vectorFiles.append("\(session.figurePrefix)/\(file.lastPathComponent)")
    }
    var slideFile: String?
    if let writeSlide {
        let file = png.deletingPathExtension().appendingPathExtension("slide.svg")
        try writeSlide(file)
        slideFile = "\(session.figurePrefix)/\(file.lastPathComponent)"
    }
    session.addOutput(.figure(.init(file: "\(session.figurePrefix)/\(name)", title: title, altText: altText,
                                    caption: caption, width: image.width / 2, height: image.height / 2,
                                    kind: kind, data: data, vectorFiles: vectorFiles, slideFile: slideFile, axes: axes)))
}

/// Shows a chart under the running cell: drawn at 2× density, written as PNG with its title and alt
/// text in tEXt chunks (and as SVG and PDF beside it), and placed on the page with its caption and its
/// data as a folded table.
public func show(_ chart: some Figure, caption: String = "") throws {
    let timing = WorkClock.start(.drawing)
    defer { timing.stop() }
    let table = chart.dataTable
    let data = CellOutput.Table(caption: "Data of the figure", columns: table.columns, rows: table.rows)
    // A line chart can be drawn again over the seeds of a sweep; that needs its scales.
    let axes = (chart as? LineChart).map { line in
        CellOutput.Figure.Axes(x: line.xLabel, y: line.yLabel, logX: line.xScale == .log, logY: line.yScale == .log,
                               yRange: line.yRange.map { [$0.lowerBound, $0.upperBound] })
    }
    try showImage(chart.render(), title: chart.title, altText: chart.altText, caption: caption,
                  kind: FigureKind(of: chart), data: data, axes: axes,
                  writeVector: { format, file in try chart.render(format, to: file) },
                  writeSlide: { file in try chart.forSlides.render(.svg, to: file) })
}

/// Shows a Graphviz diagram under the running cell (PNG, with SVG and PDF beside it).
public func show(_ diagram: Diagram, caption: String = "") throws {
    let timing = WorkClock.start(.drawing)
    defer { timing.stop() }
    try showImage(diagram.renderPNG(), title: diagram.title, altText: diagram.altText, caption: caption, kind: .diagram, writeVector: { format, file in
        switch format {
        case .svg: try Data(diagram.renderSVG().utf8).write(to: file)
        case .pdf: try diagram.renderPDF().write(to: file)
        }
    })
}

/// Shows a table under the running cell.
public func show(_ table: Table) {
    session("show").addOutput(.table(table.output))
}
