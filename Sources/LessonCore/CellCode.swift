/// What the tangler must know about a cell's Swift text, found without parsing Swift: whether its
/// brackets, block comments and multi-line strings close inside the cell, whether it names the
/// runner's reserved identifiers or moves diagnostics with `#sourceLocation`, and where its
/// top-level declarations start (so that `scope=file` code can be made private to its lesson).
///
/// Cells are pasted into one generated function, so a cell that closes a brace it did not open would
/// end that function and escape into the module. The scan knows comments (nested), strings (with
/// `#` delimiters, escapes and interpolation) and backquoted names; regex literals are read as code.
public struct CellCode {
    /// A problem at a place in the cell: `line` counts from 0 at the first code line, `column` from 0
    /// (in Unicode scalars, as the Swift lexer reads them).
    public struct Problem: Equatable, Sendable {
        public var line: Int
        public var column: Int
        public var message: String

        public init(line: Int, column: Int, message: String) {
            self.line = line
            self.column = column
            self.message = message
        }
    }

    /// A declaration at the cell's top level.
    public struct Declaration: Equatable, Sendable {
        /// `func`, `struct`, `class`, `enum`, `protocol`, `typealias`, `let`, `var`, `extension`, `actor`.
        public var keyword: String
        /// Where a modifier would go: the first modifier or the keyword, after any attributes.
        public var anchorLine: Int
        public var anchorColumn: Int
        /// Whether only white space comes before the anchor on its line.
        public var anchorStartsLine: Bool
        /// The access level written, if any (`private`, `public`, …).
        public var access: String?
        /// `extension T: P`: an extension that declares conformances cannot take an access modifier.
        public var declaresConformance: Bool
        /// Whether attributes (`@MainActor`) come before the anchor.
        public var hasAttributes: Bool
    }

    /// The prefix of the names the generated code uses; a cell may not spell any name that starts with it.
    public static let reservedPrefix = "__mil"

    public private(set) var problems: [Problem] = []
    public private(set) var declarations: [Declaration] = []
    /// For each line, the column where a trailing `//` comment starts, if it has one.
    public private(set) var lineCommentStart: [Int: Int] = [:]
    /// Lines that end inside a block comment or a multi-line string.
    public private(set) var linesEndingInsideText: Set<Int> = []
    /// Lines with code on them (not only white space and comments).
    public private(set) var linesWithCode: Set<Int> = []
    /// Lines that start with a conditional-compilation directive (`#if`, `#elseif`, `#else`, `#endif`).
    public private(set) var directiveLines: Set<Int> = []

    static let declarationKeywords: Set<String> = ["func", "struct", "class", "enum", "protocol", "typealias",
                                                   "let", "var", "extension", "actor"]
    static let accessLevels: Set<String> = ["private", "fileprivate", "internal", "package", "public", "open"]
    static let otherModifiers: Set<String> = ["final", "indirect", "nonisolated", "lazy", "dynamic", "static",
                                              "convenience", "required", "override", "mutating", "nonmutating",
                                              "weak", "unowned", "optional", "distributed", "consuming", "borrowing",
                                              "prefix", "postfix", "infix"]

    private enum Context {
        /// Code inside a bracket that `closer` closes; the outermost has none. `interpolation`: `\(` in a string.
        case code(closer: Unicode.Scalar?, line: Int, column: Int, interpolation: Bool)
        case string(hashes: Int, multiline: Bool, line: Int, column: Int)
    }

    /// Scans `code` (a cell's text, lines separated by `\n`).
    public init(_ code: String) {
        // Scalars, not Characters: a combining mark after a quote is its own scalar to the Swift lexer.
        let chars = Array(code.unicodeScalars)
        var i = 0, line = 0, column = 0
        var stack: [Context] = [.code(closer: nil, line: 0, column: 0, interpolation: false)]

        // Top-level declaration tracking.
        var clean = true                // only attributes/modifiers since the last boundary
        var anchor: (line: Int, column: Int, startsLine: Bool)?
        var access: String?
        var attributes = false
        var lineHasCode = false         // something other than white space came before, on this line
        var openExtension: Int?         // index into `declarations` of an extension whose header is being read

        func advance() {
            if chars[i] == "\n" { line += 1; column = 0; lineHasCode = false } else { column += 1 }
            i += 1
        }
        func peek(_ offset: Int) -> Unicode.Scalar? { i + offset < chars.count ? chars[i + offset] : nil }
        func problem(_ message: String, _ l: Int, _ c: Int) { problems.append(Problem(line: l, column: c, message: message)) }
        func isIdentifierHead(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
        func isIdentifierBody(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil || c.properties.generalCategory == .nonspacingMark
        }
        func boundary() { clean = true; anchor = nil; access = nil; attributes = false }
        func notClean() { clean = false; anchor = nil; access = nil; attributes = false }
        var atTop: Bool { stack.count == 1 }

        while i < chars.count {
            let c = chars[i]
            // A one-line string ends at the end of its line, with any interpolation still open in it
            // (the compiler reports it there): the next line is code again.
            // A multi-line string inside the interpolation may span lines; nothing else in it may.
            if c == "\n" {
                let innermostMultiline = stack.lastIndex(where: { if case .string(_, true, _, _) = $0 { return true } else { return false } }) ?? 0
                if let k = stack.indices.first(where: { index in
                    guard index > innermostMultiline, case .string(_, false, _, _) = stack[index] else { return false }
                    return true
                }) {
                    stack.removeSubrange(k...)
                }
            }
            switch stack.last! {
            case .string(let hashes, let multiline, _, _):
                if c == "\\" {
                    var n = 0
                    while peek(1 + n) == "#" { n += 1 }
                    if n == hashes {
                        for _ in 0...n { advance() }
                        if i < chars.count && chars[i] == "(" {
                            stack.append(.code(closer: ")", line: line, column: column, interpolation: true))
                            advance()
                        } else if i < chars.count && chars[i] != "\n" {
                            advance()
                        }
                        continue
                    }
                    advance()
                    continue
                }
                if c == "\"" {
                    let quotes = multiline ? 3 : 1
                    var ok = (0..<quotes).allSatisfy { peek($0) == "\"" }
                    if ok { ok = (0..<hashes).allSatisfy { peek(quotes + $0) == "#" } }
                    if ok {
                        for _ in 0..<(quotes + hashes) { advance() }
                        stack.removeLast()
                        linesWithCode.insert(line)
                        continue
                    }
                }
                if c == "\n" {
                    if multiline {
                        linesEndingInsideText.insert(line)
                    } else {
                        // An unterminated one-line string: the compiler reports it at the right place.
                        stack.removeLast()
                    }
                }
                advance()

            case .code(let closer, let ol, let oc, _):
                if c == "\n" {
                    if atTop && !clean && anchor == nil { boundary() }
                    advance()
                    continue
                }
                if c == " " || c == "\t" || c == "\r" { advance(); continue }
                let startsLine = !lineHasCode
                lineHasCode = true
                if !(c == "/" && (peek(1) == "/" || peek(1) == "*")) { linesWithCode.insert(line) }
                if c == "/" && peek(1) == "/" {
                    lineCommentStart[line] = column
                    while i < chars.count && chars[i] != "\n" { advance() }
                    continue
                }
                if c == "/" && peek(1) == "*" {
                    let (bl, bc) = (line, column)
                    var depth = 0
                    repeat {
                        if chars[i] == "/" && peek(1) == "*" { depth += 1; advance(); advance(); continue }
                        if chars[i] == "*" && peek(1) == "/" { depth -= 1; advance(); advance(); continue }
                        if chars[i] == "\n" { linesEndingInsideText.insert(line) }
                        advance()
                    } while depth > 0 && i < chars.count
                    if depth > 0 { problem("this comment is never closed in its cell; close it with */", bl, bc) }
                    lineHasCode = true
                    continue
                }
                if c == "#" || c == "\"" {
                    var hashes = 0
                    while peek(hashes) == "#" { hashes += 1 }
                    if hashes > 0 && peek(hashes) == "/" {
                        // An extended regex literal, `#/…/#`: opaque up to its closing delimiter.
                        let (rl, rc) = (line, column)
                        for _ in 0...hashes { advance() }
                        var closed = false
                        while i < chars.count {
                            if chars[i] == "\\" { advance(); if i < chars.count { advance() }; continue }
                            if chars[i] == "/" && (0..<hashes).allSatisfy({ peek(1 + $0) == "#" }) {
                                for _ in 0...hashes { advance() }
                                closed = true
                                break
                            }
                            if chars[i] == "\n" { linesEndingInsideText.insert(line) }
                            advance()
                        }
                        if !closed { problem("this regex literal is never closed in its cell", rl, rc) }
                        if atTop { notClean() }
                        continue
                    }
                    if peek(hashes) == "\"" {
                        let (sl, sc) = (line, column)
                        for _ in 0..<hashes { advance() }
                        let multiline = peek(0) == "\"" && peek(1) == "\"" && peek(2) == "\""
                        for _ in 0..<(multiline ? 3 : 1) { advance() }
                        stack.append(.string(hashes: hashes, multiline: multiline, line: sl, column: sc))
                        if atTop { notClean() }
                        continue
                    }
                    // `#if`, `#available`, `#sourceLocation`, a macro: read the word after the `#`.
                    let (wl, wc) = (line, column)
                    advance()
                    var word = ""
                    while i < chars.count, isIdentifierBody(chars[i]) { word.unicodeScalars.append(chars[i]); advance() }
                    if word == "sourceLocation" {
                        problem("#sourceLocation is not allowed in a cell: the runner places each cell's lines itself", wl, wc)
                    }
                    if startsLine && ["if", "elseif", "else", "endif"].contains(word) { directiveLines.insert(wl) }
                    if atTop { notClean() }
                    continue
                }
                if c == "`" || isIdentifierHead(c) {
                    let (wl, wc) = (line, column)
                    var word = ""
                    if c == "`" {
                        advance()
                        while i < chars.count, chars[i] != "`", chars[i] != "\n" { word.unicodeScalars.append(chars[i]); advance() }
                        if i < chars.count, chars[i] == "`" { advance() }
                    } else {
                        while i < chars.count, isIdentifierBody(chars[i]) { word.unicodeScalars.append(chars[i]); advance() }
                    }
                    if word.hasPrefix(Self.reservedPrefix) {
                        problem("'\(word)': names that start with \(Self.reservedPrefix) belong to the runner; rename it", wl, wc)
                    }
                    guard atTop else { continue }
                    if openExtension != nil && word == "where" { openExtension = nil }
                    if clean && c != "`" {
                        if Self.accessLevels.contains(word) || Self.otherModifiers.contains(word) {
                            if anchor == nil { anchor = (wl, wc, startsLine) }
                            // `private(set)` limits the setter only: it is no access level for the declaration.
                            var next = i
                            while next < chars.count, chars[next] == " " || chars[next] == "\t" { next += 1 }
                            let setterOnly = next < chars.count && chars[next] == "("
                            if Self.accessLevels.contains(word) && access == nil && !setterOnly { access = word }
                            continue
                        }
                        if Self.declarationKeywords.contains(word) {
                            let a = anchor ?? (wl, wc, startsLine)
                            declarations.append(Declaration(keyword: word, anchorLine: a.line, anchorColumn: a.column,
                                                            anchorStartsLine: a.startsLine, access: access,
                                                            declaresConformance: false, hasAttributes: attributes))
                            openExtension = word == "extension" ? declarations.count - 1 : nil
                            notClean()
                            anchor = nil
                            continue
                        }
                    }
                    notClean()
                    continue
                }
                if c == "@" && atTop && clean {
                    // An attribute: `@MainActor`, `@available(…)` (its arguments are scanned as a bracket).
                    attributes = true
                    advance()
                    while i < chars.count, isIdentifierBody(chars[i]) || chars[i] == "." { advance() }
                    continue
                }
                if c == "{" || c == "(" || c == "[" {
                    if atTop && c == "{" { openExtension = nil }
                    stack.append(.code(closer: c == "{" ? "}" : c == "(" ? ")" : "]", line: line, column: column, interpolation: false))
                    advance()
                    continue
                }
                if c == "}" || c == ")" || c == "]" {
                    if closer == c {
                        stack.removeLast()
                        advance()
                        if atTop && c == "}" { boundary() }
                        continue
                    }
                    if closer == nil {
                        problem("this '\(c)' closes a bracket the cell did not open; a cell must close only what it opens", line, column)
                    } else {
                        let opener: Unicode.Scalar = closer == "}" ? "{" : closer == ")" ? "(" : "["
                        problem("this '\(c)' does not match the '\(opener)' at line \(ol + 1), column \(oc + 1) of the cell", line, column)
                    }
                    advance()
                    continue
                }
                if c == ";" && atTop { boundary(); advance(); continue }
                if c == ":" && atTop, let open = openExtension {
                    declarations[open].declaresConformance = true
                    openExtension = nil
                }
                if atTop && c != "@" { notClean() }
                advance()
            }
        }
        // Whatever is still open at the end of the cell.
        for context in stack.dropFirst().reversed() {
            switch context {
            case .code(let closer, let l, let c, let interpolation):
                let opener: Unicode.Scalar = closer == "}" ? "{" : closer == ")" ? "(" : "["
                if interpolation { continue }
                problem("this '\(opener)' is never closed in its cell; a cell must close what it opens", l, c)
            case .string(_, let multiline, let l, let c):
                if multiline { problem("this string is never closed in its cell; close it with \"\"\"", l, c) }
            }
        }
        problems.sort { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    /// The problems as errors in the lesson's coordinates, for a cell whose code starts at
    /// `firstLine` and `column` of `path`.
    public func errors(path: String, firstLine: Int, column: Int) -> [LessonError] {
        problems.map { LessonError(path: path, line: firstLine + $0.line, column: column + $0.column, message: $0.message) }
    }
}
