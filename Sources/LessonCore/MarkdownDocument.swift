import CMark
import Foundation

/// A fenced code block as cmark-gfm saw it.
struct FencedBlock {
    var startLine: Int
    var startColumn: Int
    var endLine: Int
    var info: String
    var literal: String
    var fenceCharacter: Character
    var fenceLength: Int
}

/// A CommonMark + GFM document parsed by cmark-gfm, keeping every block's line numbers.
///
/// The only owner of cmark objects in the project: the parser and tree are freed in `deinit`.
final class MarkdownDocument {
    private let parser: OpaquePointer
    private let root: OpaquePointer
    let path: String

    /// Extensions turned on for lessons: GFM tables, strikethrough, autolinks and task lists.
    private static let extensionNames = ["table", "strikethrough", "autolink", "tasklist"]
    /// Curly quotes and dashes in prose; footnotes.
    private static let options = CMARK_OPT_SMART | CMARK_OPT_FOOTNOTES

    init(source: String, path: String) throws {
        self.path = path
        cmark_gfm_core_extensions_ensure_registered()
        guard let parser = cmark_parser_new(Self.options) else {
            throw LessonError(path: path, message: "cmark-gfm could not create a parser")
        }
        for name in Self.extensionNames {
            if let ext = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, ext)
            }
        }
        var utf8 = Array(source.utf8)
        utf8.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                cmark_parser_feed(parser, $0, buffer.count)
            }
        }
        guard let root = cmark_parser_finish(parser) else {
            cmark_parser_free(parser)
            throw LessonError(path: path, message: "cmark-gfm could not parse the file")
        }
        self.parser = parser
        self.root = root
    }

    deinit {
        cmark_node_free(root)
        cmark_parser_free(parser)
    }

    /// Visits every node in document order (entering events only).
    private func forEachNode(_ body: (OpaquePointer) -> Void) {
        let iterator = cmark_iter_new(root)
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            if event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) { body(node) }
        }
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    /// Every fenced code block, in document order, at any depth (lists, block quotes).
    var fencedBlocks: [FencedBlock] {
        var blocks: [FencedBlock] = []
        forEachNode { node in
            guard cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK else { return }
            var length: Int32 = 0
            var offset: Int32 = 0
            var character: CChar = 0
            guard cmark_node_get_fenced(node, &length, &offset, &character) != 0 else { return }
            blocks.append(FencedBlock(
                startLine: Int(cmark_node_get_start_line(node)),
                startColumn: Int(cmark_node_get_start_column(node)),
                endLine: Int(cmark_node_get_end_line(node)),
                info: Self.string(cmark_node_get_fence_info(node)),
                literal: Self.string(cmark_node_get_literal(node)),
                fenceCharacter: Character(Unicode.Scalar(UInt8(bitPattern: character))),
                fenceLength: Int(length)))
        }
        return blocks
    }

    /// The plain text of the first level-1 heading.
    var title: String? {
        var title: String?
        forEachNode { node in
            guard title == nil, cmark_node_get_type(node) == CMARK_NODE_HEADING,
                  cmark_node_get_heading_level(node) == 1 else { return }
            title = plainText(node)
        }
        return title
    }

    /// The first top-level paragraph, rendered as HTML.
    var firstParagraphHTML: String? {
        var child = cmark_node_first_child(root)
        while let node = child {
            if cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH { return html(node) }
            child = cmark_node_next(node)
        }
        return nil
    }

    private func plainText(_ node: OpaquePointer) -> String {
        guard let text = cmark_render_plaintext(node, CMARK_OPT_DEFAULT, 0) else { return "" }
        defer { free(text) }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func html(_ node: OpaquePointer) -> String {
        let extensions = cmark_parser_get_syntax_extensions(parser)
        guard let text = cmark_render_html(node, Self.options, extensions) else { return "" }
        defer { free(text) }
        return String(cString: text)
    }

    /// Renders the prose as HTML with every ```swift block replaced by a slot for its cell.
    ///
    /// Raw HTML in the Markdown is omitted (cmark-gfm's safe mode), so lesson text cannot inject
    /// markup. Cells nested in lists still land where the author put them.
    func segmentsReplacingSwiftCells() -> [ProseSegment] {
        var swiftBlocks: [OpaquePointer] = []
        forEachNode { node in
            var length: Int32 = 0, offset: Int32 = 0, character: CChar = 0
            guard cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK,
                  cmark_node_get_fenced(node, &length, &offset, &character) != 0 else { return }
            let info = Self.string(cmark_node_get_fence_info(node))
            if info.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).first == "swift" {
                swiftBlocks.append(node)
            }
        }
        let marker = "MILCELLSLOT\(UInt32.random(in: 100_000...999_999))X"
        for (index, block) in swiftBlocks.enumerated() {
            let paragraph = cmark_node_new(CMARK_NODE_PARAGRAPH)
            let text = cmark_node_new(CMARK_NODE_TEXT)
            cmark_node_set_literal(text, "\(marker)\(index)\(marker)")
            cmark_node_append_child(paragraph, text)
            cmark_node_replace(block, paragraph)
            cmark_node_free(block)
        }
        let page = html(root)
        var segments: [ProseSegment] = []
        var rest = Substring(page)
        while let start = rest.range(of: "<p>\(marker)") {
            let before = rest[..<start.lowerBound]
            if !before.isEmpty { segments.append(.html(String(before))) }
            let afterStart = rest[start.upperBound...]
            guard let end = afterStart.range(of: "\(marker)</p>"),
                  let index = Int(afterStart[..<end.lowerBound]) else { break }
            segments.append(.cell(index))
            rest = afterStart[end.upperBound...].drop(while: { $0 == "\n" })
        }
        if !rest.isEmpty { segments.append(.html(String(rest))) }
        return segments
    }
}
