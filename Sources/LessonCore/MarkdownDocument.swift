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
        let math = replaceMathWithMarkers()
        let extensions = cmark_parser_get_syntax_extensions(parser)
        guard let text = cmark_render_html(node, Self.options, extensions) else { return "" }
        defer { free(text) }
        var page = String(cString: text)
        for (index, span) in math.spans.enumerated() {
            let mark = "\(math.marker)\(index)X"
            guard page.contains(mark) else { continue }
            // Validated when the lesson was parsed, so rendering does not fail here; if it somehow
            // does, the TeX source is shown as code rather than lost.
            let rendered = (try? MathML.render(span.tex, display: span.display))
                ?? "<code>\(HTML.text(span.tex))</code>"
            page = span.display
                ? page.replacingOccurrences(of: "<p>\(mark)</p>", with: rendered)
                : page.replacingOccurrences(of: mark, with: rendered)
        }
        return page
    }

    /// Math in the prose: a ```math block (display) or $`…`$ (inline), with where it starts.
    struct MathSpan {
        var tex: String
        var display: Bool
        var line: Int
        var column: Int
    }

    private var mathMarker: String?
    private var extractedMath: [MathSpan] = []

    /// The math spans of the document, in order, without changing it.
    func mathSpans() -> [MathSpan] {
        var spans: [MathSpan] = []
        forEachNode { node in
            if let span = Self.mathSpan(node) { spans.append(span) }
        }
        return spans
    }

    private static func mathSpan(_ node: OpaquePointer) -> MathSpan? {
        switch cmark_node_get_type(node) {
        case CMARK_NODE_CODE_BLOCK:
            let info = string(cmark_node_get_fence_info(node))
            guard info.split(whereSeparator: { $0 == " " || $0 == "\t" }).first == "math" else { return nil }
            return MathSpan(tex: string(cmark_node_get_literal(node)), display: true,
                            line: Int(cmark_node_get_start_line(node)) + 1, column: Int(cmark_node_get_start_column(node)))
        case CMARK_NODE_CODE:
            guard let previous = cmark_node_previous(node), let next = cmark_node_next(node),
                  cmark_node_get_type(previous) == CMARK_NODE_TEXT, cmark_node_get_type(next) == CMARK_NODE_TEXT,
                  string(cmark_node_get_literal(previous)).hasSuffix("$"),
                  string(cmark_node_get_literal(next)).hasPrefix("$") else { return nil }
            // cmark-gfm gives a code span the position of its first character; when it does not,
            // fall back to the enclosing block's.
            var block: OpaquePointer? = node
            while let b = block, cmark_node_get_start_line(b) == 0 { block = cmark_node_parent(b) }
            return MathSpan(tex: string(cmark_node_get_literal(node)), display: false,
                            line: Int(block.map { cmark_node_get_start_line($0) } ?? 1),
                            column: Int(block.map { cmark_node_get_start_column($0) } ?? 1))
        default:
            return nil
        }
    }

    /// Swaps every math span for a marker text (once per document) so cmark renders around it.
    private func replaceMathWithMarkers() -> (marker: String, spans: [MathSpan]) {
        if let mathMarker { return (mathMarker, extractedMath) }
        let marker = "MILMATH\(UInt32.random(in: 100_000...999_999))N"
        var nodes: [(OpaquePointer, MathSpan)] = []
        forEachNode { node in
            if let span = Self.mathSpan(node) { nodes.append((node, span)) }
        }
        for (index, (node, span)) in nodes.enumerated() {
            let text = cmark_node_new(CMARK_NODE_TEXT)
            cmark_node_set_literal(text, "\(marker)\(index)X")
            if span.display {
                let paragraph = cmark_node_new(CMARK_NODE_PARAGRAPH)
                cmark_node_append_child(paragraph, text)
                cmark_node_replace(node, paragraph)
            } else {
                if let previous = cmark_node_previous(node) {
                    cmark_node_set_literal(previous, String(Self.string(cmark_node_get_literal(previous)).dropLast()))
                }
                if let next = cmark_node_next(node) {
                    cmark_node_set_literal(next, String(Self.string(cmark_node_get_literal(next)).dropFirst()))
                }
                cmark_node_replace(node, text)
            }
            cmark_node_free(node)
        }
        mathMarker = marker
        extractedMath = nodes.map(\.1)
        return (marker, extractedMath)
    }

    /// Renders the prose as HTML with every ```swift block replaced by a slot for its cell and every
    /// ```notes block (speaker notes, for the slides) left out.
    ///
    /// Raw HTML in the Markdown is omitted (cmark-gfm's safe mode), so lesson text cannot inject
    /// markup. Cells nested in lists still land where the author put them.
    func segmentsReplacingSwiftCells() -> [ProseSegment] {
        var swiftBlocks: [OpaquePointer] = [], notesBlocks: [OpaquePointer] = []
        forEachNode { node in
            var length: Int32 = 0, offset: Int32 = 0, character: CChar = 0
            guard cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK,
                  cmark_node_get_fenced(node, &length, &offset, &character) != 0 else { return }
            let info = Self.string(cmark_node_get_fence_info(node))
            switch info.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).first {
            case "swift": swiftBlocks.append(node)
            case "notes": notesBlocks.append(node)
            default: break
            }
        }
        // Speaker notes belong to the slides, not to the page.
        for block in notesBlocks {
            cmark_node_unlink(block)
            cmark_node_free(block)
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

extension MarkdownDocument {
    /// The rendered text of a ```` ```notes ```` block, or nil when `node` is not one.
    private func notesHTML(_ node: OpaquePointer) -> String? {
        guard cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK else { return nil }
        let info = Self.string(cmark_node_get_fence_info(node)).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).first
        guard info == "notes", let notes = try? MarkdownDocument(source: Self.string(cmark_node_get_literal(node)), path: path) else { return nil }
        return notes.html(notes.root)
    }

    /// Takes the notes blocks nested inside `node` (in a list or block quote) out of it, and returns them.
    private func extractNestedNotes(_ node: OpaquePointer) -> String {
        var found: [OpaquePointer] = []
        let iterator = cmark_iter_new(node)
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            if event == CMARK_EVENT_ENTER, let inner = cmark_iter_get_node(iterator), inner != node, notesHTML(inner) != nil {
                found.append(inner)
            }
        }
        cmark_iter_free(iterator)
        var text = ""
        for block in found {
            text += notesHTML(block) ?? ""
            cmark_node_unlink(block)
            cmark_node_free(block)
        }
        return text
    }

    /// The lesson cut into slides: one per `##` section (see `SlideSection`). `cellLines` are the
    /// opening-fence lines of the lesson's cells, in order, so that a section knows its cells. What comes
    /// before the first `##` (after the title and summary) belongs to an implicit section with the
    /// lesson's title and no text slide: its `slide` figures and notes still count.
    func slideSections(cellLines: [Int]) -> [SlideSection] {
        _ = replaceMathWithMarkers()
        var sections: [SlideSection] = []
        var paragraphs: [String] = []
        func close() {
            guard var last = sections.popLast() else { return }
            if last.body.isEmpty, let first = paragraphs.first(where: { $0.hasPrefix("<p") }) { last.body = [first] }
            if last.notesHTML.isEmpty { last.notesHTML = paragraphs.joined() }
            sections.append(last)
            paragraphs = []
        }
        var child = cmark_node_first_child(root)
        var seenTitle = false
        while let node = child {
            child = cmark_node_next(node)
            let type = cmark_node_get_type(node)
            if type == CMARK_NODE_HEADING, cmark_node_get_heading_level(node) == 1, !seenTitle {
                seenTitle = true
                continue
            }
            if type == CMARK_NODE_HEADING, cmark_node_get_heading_level(node) == 2 {
                close()
                let heading = html(node)
                let inner = heading.replacingOccurrences(of: "^<h2[^>]*>|</h2>\\s*$", with: "", options: .regularExpression)
                sections.append(SlideSection(titleHTML: inner, line: Int(cmark_node_get_start_line(node))))
                continue
            }
            let first = Int(cmark_node_get_start_line(node)), last = Int(cmark_node_get_end_line(node))
            let cells = cellLines.indices.filter { cellLines[$0] >= first && cellLines[$0] <= last }
            if sections.isEmpty {
                // Before the first `##`: only figures picked for slides and notes matter here.
                guard !cells.isEmpty || notesHTML(node) != nil else { continue }
                var intro = SlideSection(titleHTML: HTML.text(title ?? ""), line: first)
                intro.skip = true
                sections.append(intro)
            }
            sections[sections.count - 1].cells += cells
            switch type {
            case CMARK_NODE_HTML_BLOCK:
                let comment = Self.string(cmark_node_get_literal(node)).lowercased().filter { !$0.isWhitespace }
                if comment.hasPrefix("<!--slide:skip") || comment.hasPrefix("<!--slides:skip") { sections[sections.count - 1].skip = true }
            case CMARK_NODE_CODE_BLOCK:
                if let notes = notesHTML(node) { sections[sections.count - 1].notesHTML += notes }
            case CMARK_NODE_LIST, CMARK_NODE_BLOCK_QUOTE:
                sections[sections.count - 1].notesHTML += extractNestedNotes(node)
                // A list holding a cell stays on the page; its text goes to the notes.
                if cells.isEmpty { sections[sections.count - 1].body.append(html(node)) } else { paragraphs.append(html(node)) }
            case CMARK_NODE_PARAGRAPH:
                let text = html(node)
                // A display formula was swapped for a paragraph holding only its marker.
                if text.hasPrefix("<math") {
                    sections[sections.count - 1].body.append(text)
                } else if cells.isEmpty {
                    paragraphs.append(text)
                }
            case CMARK_NODE_HEADING:
                // A ### heading is a signpost for the notes, never the slide's text.
                paragraphs.append(html(node))
            default:
                // GFM tables and other blocks go on the slide as they are.
                if cells.isEmpty && type != CMARK_NODE_THEMATIC_BREAK {
                    sections[sections.count - 1].body.append(html(node))
                }
            }
        }
        close()
        return sections
    }
}
