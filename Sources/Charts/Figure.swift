import Foundation
import PNGCodec

/// A figure's data as a small table, for readers who cannot see the picture (and for the page).
public struct DataTable: Equatable, Sendable {
    public var columns: [String]
    public var rows: [[String]]
    public init(columns: [String], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// Anything the course draws as a chart: it lays out into a scene, says what it shows in words, and
/// can give its data as a table.
public protocol Figure: Sendable {
    var title: String { get }
    /// One paragraph describing the figure and its data, for `alt` text and the PNG's `Description`.
    var altText: String { get }
    var width: Double { get set }
    var height: Double { get set }
    var dataTable: DataTable { get }
    func scene(measurer: TextMeasurer) -> Scene
}

extension Figure {
    /// Draws the figure with Cairo at `scale` pixels per CSS pixel (2×: crisp on projectors and
    /// high-density screens) and returns the image with tEXt `Title`, `Description` and `Software`.
    public func render(scale: Double = 2) throws -> PNGImage {
        let canvas = try CairoCanvas(width: width, height: height, scale: scale)
        try canvas.draw(scene(measurer: canvas))
        return canvas.image(text: pngText(title: title, description: altText))
    }

    /// The same figure laid out for a 16:9 slide: on a smaller canvas, so that when the slide shows it
    /// about 1,100 pixels wide its type reads half as large again as on the page (axis labels from the
    /// back of a room), keeping the page figure's shape within limits.
    public var forSlides: Self {
        var copy = self
        copy.height = 340
        copy.width = min(max(340 * width / height, 500), 770)
        return copy
    }

    /// Draws the figure into an SVG or PDF file at `file`, one point per CSS pixel of the PNG.
    public func render(_ format: VectorFormat, to file: URL) throws {
        let canvas = try CairoCanvas(width: width, height: height, format: format, file: file)
        try canvas.draw(scene(measurer: canvas))
        try canvas.finish()
    }
}

/// Short, readable numbers for alt text and tables: integers stay integers, others get 3 significant digits.
func short(_ v: Double) -> String {
    if v.isNaN { return "n/a" }
    if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
    return String(format: "%.3g", v)
}
