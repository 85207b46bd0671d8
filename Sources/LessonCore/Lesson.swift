import Foundation

/// A fenced ```swift block of a lesson: its code, options and where it stands in the file.
public struct Cell: Equatable, Sendable, Codable {
    /// 0-based position among the lesson's cells.
    public var index: Int
    /// The options written after `swift`.
    public var options: CellOptions
    /// The code between the fences, with the container's indentation removed.
    public var code: String
    /// Line of the opening fence (1-based).
    public var fenceLine: Int
    /// Line of the closing fence.
    public var closingLine: Int
    /// Column where the code's text starts in the file (1 unless the fence is indented or nested).
    public var column: Int

    /// The label given with `label=`, or `cell-N` (1-based) when none was given.
    public var label: String { options.label ?? "cell-\(index + 1)" }
    /// The first line of code (the line after the opening fence).
    public var firstCodeLine: Int { fenceLine + 1 }
    /// Whether the runner executes this cell (file-scope and `norun` cells are only shown).
    public var runs: Bool { !options.norun && options.scope == .cell }
    /// `41-67`: the lines from opening to closing fence, as errors quote them.
    public var lineRange: String { "\(fenceLine)-\(closingLine)" }
}

/// A parsed lesson: a Markdown file with a title, prose and Swift cells.
///
/// Parsing reads the Markdown once and keeps everything later stages need (cells, the page's prose,
/// the slides); the Tangle plugin compiles this value, as JSON, into the binary, so the runner, the
/// lesson's own process and the site writer all use the same parse and none reads the Markdown again
/// (results kept from an earlier build carry the lesson they were made from as `lesson.json`).
public struct Lesson: Equatable, Sendable, Codable {
    /// The file name without `.md`, e.g. `01-membership-game`; lessons run in this order.
    public var id: String
    /// The path used in messages, e.g. `Lessons/01-membership-game.md`.
    public var path: String
    /// The text of the first level-1 heading.
    public var title: String
    /// The first paragraph as HTML (for the index), or empty.
    public var summaryHTML: String
    /// The cells in file order.
    public var cells: [Cell]
    /// The whole Markdown source (the key of its cached results, and what `lessons check` compares).
    public var source: String
    /// The page's prose as HTML, with a slot for each cell: the segments alternate prose and cells.
    public var prose: [ProseSegment]
    /// The lesson's slides, one per `##` section, in order.
    public var slides: [SlideSection]

    /// The lesson id for a file name or path: the slug of its last component (see `LessonNames`).
    public static func id(forPath path: String) -> String {
        LessonNames.slug(forFileName: path.split(separator: "/").last.map(String.init) ?? path)
    }

    /// Parses a lesson from its bytes, rejecting text that is not UTF-8.
    public static func parse(data: Data, path: String) throws -> Lesson {
        guard let text = String(data: data, encoding: .utf8) else {
            // Point at the first byte sequence that is not UTF-8.
            var line = 1
            var column = 1
            var bytes = data.makeIterator()
            var decoder = UTF8()
            decoding: while true {
                switch decoder.decode(&bytes) {
                case .scalarValue(let scalar):
                    if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
                case .emptyInput, .error: break decoding
                }
            }
            throw LessonError(path: path, line: line, column: column,
                              message: "the file is not UTF-8 text; save it as UTF-8")
        }
        return try parse(source: text, path: path)
    }

    /// Parses a lesson's Markdown. Errors name the file, line and column.
    public static func parse(source original: String, path: String) throws -> Lesson {
        let source = normalizedSource(original)
        let document = try MarkdownDocument(source: source, path: path)
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        if source.allSatisfy({ $0.isWhitespace }) {
            throw LessonError(path: path, line: 1, column: 1,
                              message: "the lesson is empty; start it with a '# Title' heading")
        }

        var cells: [Cell] = []
        var firstLabelLine: [String: Int] = [:]
        for block in document.fencedBlocks {
            // A fence that never closes swallows the rest of the file: say so at its opening line.
            let closing = block.endLine > block.startLine && block.endLine <= lines.count
                ? isClosingFence(lines[block.endLine - 1], character: block.fenceCharacter, length: block.fenceLength)
                : false
            if !closing {
                throw LessonError(path: path, line: block.startLine, column: block.startColumn,
                                  message: "code fence opened here is never closed; add a closing \(String(repeating: block.fenceCharacter, count: block.fenceLength))")
            }
            let info = block.info
            let words = info.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
            guard words.first == "swift" else { continue }
            let fenceText = block.startLine <= lines.count ? lines[block.startLine - 1] : ""
            let infoColumn = Self.column(of: info, in: fenceText) ?? block.startColumn
            let afterSwift = info.drop(while: { $0 == " " || $0 == "\t" }).dropFirst(5)
            let options = try CellOptions.parse(afterSwift, path: path, line: block.startLine,
                                                column: infoColumn + (info.count - afterSwift.count))
            let cell = Cell(index: cells.count, options: options, code: block.literal,
                            fenceLine: block.startLine, closingLine: block.endLine,
                            column: block.startColumn)
            if let first = firstLabelLine[cell.label] {
                throw LessonError(path: path, line: block.startLine, column: block.startColumn,
                                  message: "duplicate cell label '\(cell.label)'",
                                  notes: ["\(path):\(first): note: '\(cell.label)' was first used here"])
            }
            firstLabelLine[cell.label] = block.startLine
            if !options.norun { try checkCode(of: cell, path: path) }
            cells.append(cell)
        }
        for span in document.mathSpans() {
            do {
                _ = try MathML.render(span.tex, display: span.display)
            } catch let failure as MathML.Failure {
                // Point at the offending character: blocks by line within the block, inline math by column.
                let before = span.tex.prefix(failure.offset)
                let extraLines = before.filter { $0 == "\n" }.count
                let column = span.display ? (before.split(separator: "\n", omittingEmptySubsequences: false).last?.count ?? 0) + 1
                                          : span.column + failure.offset
                throw LessonError(path: path, line: span.line + (span.display ? extraLines : 0), column: column,
                                  message: failure.message)
            }
        }
        guard let title = document.title else {
            throw LessonError(path: path, line: 1, column: 1,
                              message: "the lesson has no title; its first level-1 heading ('# Title') names it")
        }
        return Lesson(id: id(forPath: path), path: path, title: title,
                      summaryHTML: document.firstParagraphHTML ?? "", cells: cells, source: source,
                      // Each rendering rewrites cmark's tree (math markers, cells cut out), so each gets a
                      // tree of its own; all of it happens here, once, when the course is built.
                      prose: try MarkdownDocument(source: source, path: path).segmentsReplacingSwiftCells(),
                      slides: try MarkdownDocument(source: source, path: path).slideSections(cellLines: cells.map(\.fenceLine)))
    }

    /// The lesson as the Tangle plugin compiles it into the binary (`CompiledLesson.parsed()` reads it back).
    /// Throws only for a value JSON cannot hold (a non-finite cell timeout): the build then fails at
    /// the lesson, rather than the binary failing when it runs.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// A lesson from `encoded()`'s bytes.
    public static func decoded(from data: Data) throws -> Lesson {
        try JSONDecoder().decode(Lesson.self, from: data)
    }

    /// A text outline of the lesson for golden tests: title, then each cell with its lines and options.
    public var outline: String {
        var text = "lesson \(id) \"\(title)\"\n"
        for cell in cells {
            var flags: [String] = []
            if !cell.options.echo { flags.append("echo=false") }
            if !cell.options.output { flags.append("output=false") }
            if cell.options.norun { flags.append("norun") }
            if cell.options.scope == .file { flags.append("scope=file") }
            text += "cell \(cell.index) [\(cell.label)] lines \(cell.lineRange) column \(cell.column)"
            text += flags.isEmpty ? "\n" : " " + flags.joined(separator: " ") + "\n"
            for line in cell.code.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                text += "  | \(line)\n"
            }
        }
        return text
    }

    /// The text a lesson file parses as (`Lesson.source`): CRLF (Windows) and CR (old Mac) line endings
    /// read as LF, so lines and columns are the editor's. Comparing files with compiled lessons needs
    /// only this, not a parse.
    public static func normalizedSource(_ text: String) -> String {
        text.contains("\r") ? normalizedLineEndings(text) : text
    }

    /// `\r\n` and lone `\r` become `\n`.
    static func normalizedLineEndings(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                scalars.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n" && previousWasCR { previousWasCR = false; continue }
            previousWasCR = false
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// A cell must close what it opens, leave the runner's names and line directives alone, and, at
    /// file scope, stay private to its lesson.
    private static func checkCode(of cell: Cell, path: String) throws {
        let scan = CellCode(cell.code)
        if let first = scan.errors(path: path, firstLine: cell.firstCodeLine, column: cell.column).first { throw first }
        guard cell.options.scope == .file else { return }
        for declaration in scan.declarations {
            if let access = declaration.access, access != "private" && access != "fileprivate" {
                throw LessonError(path: path, line: cell.firstCodeLine + declaration.anchorLine,
                                  column: cell.column + declaration.anchorColumn,
                                  message: "'\(access)' is not allowed here: scope=file code is private to its lesson (code that several lessons share belongs in Sources/)")
            }
        }
    }

    private static func isClosingFence(_ line: Substring, character: Character, length: Int) -> Bool {
        let body = line.drop(while: { $0 == " " || $0 == "\t" || $0 == ">" })
        let run = body.prefix(while: { $0 == character })
        return run.count >= length && body.dropFirst(run.count).allSatisfy({ $0 == " " || $0 == "\t" })
    }

    private static func column(of info: String, in line: Substring) -> Int? {
        guard !info.isEmpty, let range = line.range(of: info) else { return nil }
        return line.distance(from: line.startIndex, to: range.lowerBound) + 1
    }
}

/// A piece of a lesson page: prose as HTML, or the slot where cell `index` goes.
public enum ProseSegment: Equatable, Sendable, Codable {
    case html(String)
    case cell(Int)
}

/// One `##` section of a lesson as a slide.
///
/// The slide shows the heading and the section's lists, tables, block quotes and display formulas:
/// what reads from the back of a room. A section with none of those shows its first paragraph. Its
/// speaker notes are its ```` ```notes ```` blocks, or else its paragraphs. The figures of its cells
/// with the `slide` option follow it, one slide each. `<!-- slide: skip -->` in a section (invisible
/// on GitHub and on the page) leaves its text off the slides; its picked figures still show.
public struct SlideSection: Equatable, Sendable, Codable {
    /// The heading's inline HTML.
    public var titleHTML: String
    /// Line of the heading in the lesson file.
    public var line: Int
    /// Blocks of HTML for the slide, in order.
    public var body: [String] = []
    /// Speaker notes as HTML.
    public var notesHTML = ""
    /// Indices of the cells written in this section.
    public var cells: [Int] = []
    /// True when the author left the section's text off the slides.
    public var skip = false

    public init(titleHTML: String, line: Int) {
        self.titleHTML = titleHTML
        self.line = line
    }
}
