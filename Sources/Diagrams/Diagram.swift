import CGraphviz
import Foundation
import PNGCodec

/// A typed directed graph that becomes DOT text and is laid out by Graphviz.
///
/// The model knows nothing of machine learning; builders for the course's diagrams live in
/// `LessonRuntime`.
public struct Diagram: Equatable, Sendable {
    public enum Shape: String, Sendable { case box, ellipse, cylinder, note, diamond, component, folder, plain }
    public enum Direction: String, Sendable { case topToBottom = "TB", leftToRight = "LR" }

    public struct Node: Equatable, Sendable {
        public var id: String
        public var label: String
        public var shape: Shape
        /// Fill colour as `#RRGGBB`.
        public var fill: String
        public init(id: String, label: String, shape: Shape = .box, fill: String = "#FFFFFF") {
            self.id = id; self.label = label; self.shape = shape; self.fill = fill
        }
    }

    public struct Edge: Equatable, Sendable {
        public var from: String
        public var to: String
        public var label: String
        public var dashed: Bool
        public init(from: String, to: String, label: String = "", dashed: Bool = false) {
            self.from = from; self.to = to; self.label = label; self.dashed = dashed
        }
    }

    /// A labelled box around some nodes (Graphviz cluster).
    public struct Group: Equatable, Sendable {
        public var id: String
        public var label: String
        public var nodeIDs: [String]
        public var fill: String
        public init(id: String, label: String, nodeIDs: [String], fill: String = "#F7F7F7") {
            self.id = id; self.label = label; self.nodeIDs = nodeIDs; self.fill = fill
        }
    }

    public var title: String
    public var direction: Direction
    public var nodes: [Node] = []
    public var edges: [Edge] = []
    public var groups: [Group] = []
    /// One or two sentences describing the diagram for readers who cannot see it.
    public var altText: String

    public init(title: String, direction: Direction = .leftToRight, altText: String) {
        self.title = title
        self.direction = direction
        self.altText = altText
    }

    public mutating func node(_ id: String, _ label: String, shape: Shape = .box, fill: String = "#FFFFFF") {
        nodes.append(Node(id: id, label: label, shape: shape, fill: fill))
    }

    public mutating func edge(_ from: String, _ to: String, label: String = "", dashed: Bool = false) {
        edges.append(Edge(from: from, to: to, label: label, dashed: dashed))
    }

    /// The font of every label, the same as the charts'.
    public static let fontName = "DejaVu Sans"

    /// DOT text for the graph. Labels are escaped for DOT's quoted strings; `\n` breaks a line.
    public var dot: String { dot(dpi: nil) }

    /// DOT text with an explicit resolution (96 is Graphviz's 1×), for raster output.
    public func dot(dpi: Int?) -> String {
        func quote(_ text: String) -> String {
            var out = "\""
            for ch in text {
                switch ch {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                default: out.append(ch)
                }
            }
            return out + "\""
        }
        func nodeLine(_ node: Node, indent: String) -> String {
            "\(indent)\(quote(node.id)) [label=\(quote(node.label)), shape=\(node.shape.rawValue), fillcolor=\(quote(node.fill))];\n"
        }
        var text = "digraph G {\n"
        text += "  graph [\(dpi.map { "dpi=\($0), " } ?? "")rankdir=\(direction.rawValue), fontname=\(quote(Self.fontName)), fontsize=16, label=\(quote(title)), labelloc=t, pad=0.3, nodesep=0.35, ranksep=0.6, bgcolor=\"#FFFFFF\"];\n"
        text += "  node [fontname=\(quote(Self.fontName)), fontsize=13, style=\"filled,rounded\", color=\"#444444\", penwidth=1.2, margin=\"0.18,0.08\"];\n"
        text += "  edge [fontname=\(quote(Self.fontName)), fontsize=11, color=\"#555555\", penwidth=1.2, arrowsize=0.8];\n"
        let grouped = Set(groups.flatMap { $0.nodeIDs })
        for (index, group) in groups.enumerated() {
            text += "  subgraph \(quote("cluster_\(index)_\(group.id)")) {\n"
            text += "    label=\(quote(group.label)); style=\"filled,rounded\"; fillcolor=\(quote(group.fill)); color=\"#BBBBBB\"; fontsize=13;\n"
            for node in nodes where group.nodeIDs.contains(node.id) { text += nodeLine(node, indent: "    ") }
            text += "  }\n"
        }
        for node in nodes where !grouped.contains(node.id) { text += nodeLine(node, indent: "  ") }
        for edge in edges {
            var attributes: [String] = []
            if !edge.label.isEmpty { attributes.append("label=\(quote(edge.label))") }
            if edge.dashed { attributes.append("style=dashed") }
            text += "  \(quote(edge.from)) -> \(quote(edge.to))"
            text += attributes.isEmpty ? ";\n" : " [\(attributes.joined(separator: ", "))];\n"
        }
        return text + "}\n"
    }

    /// Lays out and renders the diagram to PNG at `scale` × 96 dpi, with Title/Description/Software text.
    public func renderPNG(scale: Double = 2) throws -> PNGImage {
        let bytes = try GraphvizRenderer.render(dot: dot(dpi: Int(96 * scale)), format: "png")
        var image = try PNGImage(data: bytes)
        image.text = [("Title", title), ("Description", altText),
                      ("Software", "Membership Inference Lessons (Graphviz libgvc, libpng)")]
        return image
    }

    /// Lays out and renders the diagram to SVG text.
    public func renderSVG() throws -> String {
        String(decoding: try GraphvizRenderer.render(dot: dot, format: "svg"), as: UTF8.self)
    }

    /// Lays out and renders the diagram to a PDF document (Graphviz's Cairo plugin).
    public func renderPDF() throws -> Data {
        try GraphvizRenderer.render(dot: dot, format: "pdf")
    }
}

/// An error from Graphviz, carrying the library's own message.
public struct DiagramError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Calls libgvc. Graphviz keeps global state and is not thread-safe, so every call takes one lock.
public enum GraphvizRenderer {
    /// The NUL-terminated message a C call wrote into `buffer`.
    static func text(of buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static let lock = NSLock()

    public static func render(dot: String, engine: String = "dot", format: String) throws -> Data {
        lock.lock()
        defer { lock.unlock() }
        var output: UnsafeMutablePointer<CChar>?
        var length = 0
        var error = [CChar](repeating: 0, count: 2048)
        let status = cgv_render(dot, engine, format, &output, &length, &error, error.count)
        guard status == 0, let output else { throw DiagramError(message: Self.text(of: error)) }
        defer { cgv_free(output) }
        return Data(bytes: output, count: length)
    }
}
