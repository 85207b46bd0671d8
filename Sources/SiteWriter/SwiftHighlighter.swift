import LessonCore
/// Syntax highlighting for Swift, done once at build time: the page needs no script.
///
/// A small scanner, not a parser: it knows comments (nested block comments too), string literals
/// (with `\(...)` interpolation kept inside the string, multi-line and raw strings), numbers,
/// keywords, attributes, compiler directives and capitalised type names. Output is escaped HTML with
/// `<span class="…">` around each token: `c` comment, `s` string, `n` number, `k` keyword,
/// `a` attribute or directive, `t` type.
public enum SwiftHighlighter {
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
        "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
        "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
        "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return",
        "throw", "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self",
        "super", "throws", "true", "try", "async", "some", "any", "mutating", "nonmutating", "lazy", "weak",
        "unowned", "override", "final", "convenience", "required", "indirect", "consuming", "borrowing",
    ]

    public static func html(_ code: String) -> String {
        let chars = Array(code.unicodeScalars)
        var out = ""
        var i = 0
        func span(_ cls: String, _ from: Int, _ to: Int) {
            var s = String.UnicodeScalarView()
            s.append(contentsOf: chars[from..<to])
            out += "<span class=\"\(cls)\">\(HTML.text(String(s)))</span>"
        }
        func plain(_ c: Unicode.Scalar) { out += HTML.text(String(c)) }
        func isIdentStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
        func isIdent(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || ("0"..."9").contains(c) }

        while i < chars.count {
            let c = chars[i]
            let next: Unicode.Scalar? = i + 1 < chars.count ? chars[i + 1] : nil
            if c == "/" && next == "/" {
                var j = i
                while j < chars.count && chars[j] != "\n" { j += 1 }
                span("c", i, j); i = j
            } else if c == "/" && next == "*" {
                var depth = 0, j = i
                while j < chars.count {
                    if chars[j] == "/" && j + 1 < chars.count && chars[j + 1] == "*" { depth += 1; j += 2; continue }
                    if chars[j] == "*" && j + 1 < chars.count && chars[j + 1] == "/" {
                        depth -= 1; j += 2
                        if depth == 0 { break }
                        continue
                    }
                    j += 1
                }
                span("c", i, min(j, chars.count)); i = min(j, chars.count)
            } else if c == "\"" || (c == "#" && (next == "\"" || next == "#") && rawStringAhead(chars, i)) {
                let j = endOfString(chars, i)
                span("s", i, j); i = j
            } else if ("0"..."9").contains(c) {
                var j = i
                while j < chars.count && (isIdent(chars[j]) || chars[j] == "." && j + 1 < chars.count && ("0"..."9").contains(chars[j + 1])) { j += 1 }
                span("n", i, j); i = j
            } else if (c == "@" || c == "#"), let n = next, isIdentStart(n) {
                var j = i + 1
                while j < chars.count && isIdent(chars[j]) { j += 1 }
                span("a", i, j); i = j
            } else if isIdentStart(c) {
                var j = i
                while j < chars.count && isIdent(chars[j]) { j += 1 }
                var word = String.UnicodeScalarView()
                word.append(contentsOf: chars[i..<j])
                let text = String(word)
                if keywords.contains(text) { span("k", i, j) }
                else if let first = text.unicodeScalars.first, first.properties.isUppercase { span("t", i, j) }
                else { out += HTML.text(text) }
                i = j
            } else {
                plain(c); i += 1
            }
        }
        return out
    }

    private static func rawStringAhead(_ chars: [Unicode.Scalar], _ i: Int) -> Bool {
        var j = i
        while j < chars.count && chars[j] == "#" { j += 1 }
        return j < chars.count && chars[j] == "\""
    }

    /// The index just past the string literal starting at `start` (which is `#` or `"`).
    private static func endOfString(_ chars: [Unicode.Scalar], _ start: Int) -> Int {
        var i = start, hashes = 0
        while i < chars.count && chars[i] == "#" { hashes += 1; i += 1 }
        let multiline = i + 2 < chars.count && chars[i] == "\"" && chars[i + 1] == "\"" && chars[i + 2] == "\""
        i += multiline ? 3 : 1
        var depth = 0 // inside \( ... )
        while i < chars.count {
            let c = chars[i]
            if depth > 0 {
                if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
                i += 1
                continue
            }
            if c == "\\" {
                // An escape only counts with the right number of #s after the backslash.
                var j = i + 1, h = 0
                while j < chars.count && chars[j] == "#" && h < hashes { h += 1; j += 1 }
                if h == hashes && j < chars.count {
                    if chars[j] == "(" { depth = 1 }
                    i = j + 1
                    continue
                }
                i += 1
                continue
            }
            if !multiline && c == "\n" { return i }
            let closes = multiline
                ? (i + 2 < chars.count && c == "\"" && chars[i + 1] == "\"" && chars[i + 2] == "\"")
                : c == "\""
            if closes {
                var j = i + (multiline ? 3 : 1), h = 0
                while j < chars.count && chars[j] == "#" && h < hashes { h += 1; j += 1 }
                if h == hashes { return j }
            }
            i += 1
        }
        return chars.count
    }
}
