/// A colour with straight alpha, components in 0...1.
public struct Color: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var red: Double, green: Double, blue: Double, alpha: Double

    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red; self.green = green; self.blue = blue; self.alpha = alpha
    }

    /// `Color(hex: 0xE69F00)`.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(red: Double((hex >> 16) & 0xFF) / 255, green: Double((hex >> 8) & 0xFF) / 255,
                  blue: Double(hex & 0xFF) / 255, alpha: alpha)
    }

    public func withAlpha(_ alpha: Double) -> Color { Color(red: red, green: green, blue: blue, alpha: alpha) }

    public var description: String {
        func byte(_ v: Double) -> String {
            let s = String(Int((v * 255).rounded()), radix: 16)
            return s.count == 1 ? "0" + s : s
        }
        return "#" + byte(red) + byte(green) + byte(blue) + (alpha < 1 ? "@\(alpha)" : "")
    }

    public static let black = Color(hex: 0x000000)
    public static let white = Color(hex: 0xFFFFFF)
    public static let ink = Color(hex: 0x222222)
    public static let grid = Color(hex: 0xE5E5E5)
    public static let axis = Color(hex: 0x555555)
}

/// The Okabe–Ito palette: eight colours told apart by people with any common colour-vision deficiency.
/// Black is left out because text and axes use it.
public enum Palette {
    public static let okabeIto: [Color] = [
        Color(hex: 0x0072B2), // blue
        Color(hex: 0xE69F00), // orange
        Color(hex: 0x009E73), // bluish green
        Color(hex: 0xCC79A7), // reddish purple
        Color(hex: 0xD55E00), // vermillion
        Color(hex: 0x56B4E9), // sky blue
        Color(hex: 0xF0E442), // yellow
    ]

    public static func color(_ index: Int) -> Color { okabeIto[index % okabeIto.count] }
}

/// A point in CSS pixels, y down.
public struct Point: Equatable, Sendable {
    public var x: Double, y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// How a text's anchor point relates to the text.
public enum HorizontalAnchor: String, Sendable { case start, middle, end }
public enum VerticalAnchor: String, Sendable { case top, middle, baseline, bottom }

/// One drawn thing. A figure lays out into a list of marks; a canvas only has to draw these.
public enum Mark: Equatable, Sendable {
    /// A polyline (closed if `closed`), stroked and/or filled.
    case path(points: [Point], closed: Bool, stroke: Color?, lineWidth: Double, dash: [Double], fill: Color?)
    case rect(x: Double, y: Double, width: Double, height: Double, stroke: Color?, lineWidth: Double, fill: Color?)
    case circle(center: Point, radius: Double, stroke: Color?, lineWidth: Double, fill: Color?)
    /// Text at `at`; `rotation` in degrees counter-clockwise.
    case text(String, at: Point, size: Double, bold: Bool, color: Color,
              horizontal: HorizontalAnchor, vertical: VerticalAnchor, rotation: Double)
    /// Marks until the matching `unclip` are clipped to this rectangle (the plot area).
    case clip(x: Double, y: Double, width: Double, height: Double)
    case unclip
}

/// Measures text for layout; the Cairo canvas measures with the real font, tests with a fixed rule.
public protocol TextMeasurer {
    /// Width and height (ascent + descent) of `text` in CSS pixels.
    func measure(_ text: String, size: Double, bold: Bool) -> (width: Double, height: Double)
}

/// A measurer for tests: every character is 0.6 em wide and lines are 1.2 em high.
public struct FixedWidthMeasurer: TextMeasurer {
    public init() {}
    public func measure(_ text: String, size: Double, bold: Bool) -> (width: Double, height: Double) {
        (Double(text.count) * size * 0.6, size * 1.2)
    }
}

/// A laid-out figure: its size in CSS pixels and its marks, in drawing order.
public struct Scene: Equatable, Sendable {
    public var width: Double
    public var height: Double
    public var marks: [Mark]

    public init(width: Double, height: Double, marks: [Mark] = []) {
        self.width = width
        self.height = height
        self.marks = marks
    }

    /// The scene as text, one mark per line, numbers rounded to 0.1 px: what tests compare.
    public var recording: String {
        func n(_ v: Double) -> String {
            let r = (v * 10).rounded() / 10
            return r == r.rounded() ? String(Int(r)) : String(r)
        }
        func p(_ pt: Point) -> String { "\(n(pt.x)),\(n(pt.y))" }
        func c(_ color: Color?) -> String { color.map { $0.description } ?? "none" }
        var lines = ["scene \(n(width))x\(n(height))"]
        for mark in marks {
            switch mark {
            case let .path(points, closed, stroke, lineWidth, dash, fill):
                let dashText = dash.isEmpty ? "" : " dash \(dash.map(n).joined(separator: ","))"
                lines.append("path\(closed ? " closed" : "") stroke \(c(stroke)) width \(n(lineWidth))\(dashText) fill \(c(fill)): " + points.map(p).joined(separator: " "))
            case let .rect(x, y, w, h, stroke, lineWidth, fill):
                lines.append("rect \(n(x)),\(n(y)) \(n(w))x\(n(h)) stroke \(c(stroke)) width \(n(lineWidth)) fill \(c(fill))")
            case let .circle(center, radius, stroke, lineWidth, fill):
                lines.append("circle \(p(center)) r \(n(radius)) stroke \(c(stroke)) width \(n(lineWidth)) fill \(c(fill))")
            case let .clip(x, y, w, h):
                lines.append("clip \(n(x)),\(n(y)) \(n(w))x\(n(h))")
            case .unclip:
                lines.append("unclip")
            case let .text(text, at, size, bold, color, h, v, rotation):
                lines.append("text \"\(text)\" at \(p(at)) size \(n(size))\(bold ? " bold" : "") \(color) \(h.rawValue)/\(v.rawValue)\(rotation != 0 ? " rotate \(n(rotation))" : "")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
