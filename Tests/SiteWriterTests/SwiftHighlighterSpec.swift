import LessonCore
import SiteWriter
import Testing

/// Tokens that must come out as a single highlighted span, whatever they contain.
@Suite("Swift highlighting keeps each literal and comment whole")
struct SwiftHighlighterSpec {
    @Test("one token", arguments: [
        ("#\"a \"quoted\" b\"#", "s"),
        ("/* a /* b */ c */", "c"),
        ("\"\"\"\nline \"x\"\n\"\"\"", "s"),
        ("\"interpolated \\(f(\"inner\")) text\"", "s"),
        ("// a comment with \"quotes\"", "c"),
        ("0x1F", "n"),
        ("1_000.5", "n"),
        ("#sourceLocation", "a"),
    ])
    func wholeToken(code: String, cls: String) {
        #expect(SwiftHighlighter.html(code) == "<span class=\"\(cls)\">\(HTML.text(code))</span>")
    }

    @Test("an unterminated string does not swallow the next line")
    func unterminatedString() {
        #expect(SwiftHighlighter.html("\"open\nlet") == "<span class=\"s\">\"open</span>\n<span class=\"k\">let</span>")
    }
}
