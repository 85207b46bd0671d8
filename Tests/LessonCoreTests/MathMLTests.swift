import LessonCore
import XCTest

final class MathMLTests: XCTestCase {
    func testAFractionWithScriptsBecomesNestedMathML() throws {
        XCTAssertEqual(try MathML.render(#"\frac{TP}{TP + FP}"#, display: false),
                       "<math><mfrac><mrow><mi>T</mi><mi>P</mi></mrow><mrow><mi>T</mi><mi>P</mi><mo>+</mo><mi>F</mi><mi>P</mi></mrow></mfrac></math>")
        XCTAssertEqual(try MathML.render("p_i^2", display: false), "<math><msubsup><mi>p</mi><mi>i</mi><mn>2</mn></msubsup></math>")
    }

    func testTheNormalizedEntropyRendersWithLimitsUnderTheSumInDisplay() throws {
        let math = try MathML.render(#"\tilde{H}(p) = -\frac{1}{\log K} \sum_{i=1}^{K} p_i \log p_i"#, display: true)
        XCTAssertTrue(math.hasPrefix("<math display=\"block\">"), math)
        XCTAssertTrue(math.contains("<munderover><mo largeop=\"true\" movablelimits=\"true\">∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>K</mi></munderover>"), math)
        XCTAssertTrue(math.contains("<mo>−</mo>"), "a real minus sign")
        XCTAssertTrue(math.contains("<mi>log</mi>"))
        XCTAssertTrue(math.contains("<mover accent=\"true\"><mi>H</mi><mo>~</mo></mover>"), math)
        let inline = try MathML.render(#"\sum_{i=1}^{K} p_i"#, display: false)
        XCTAssertTrue(inline.contains("<msubsup><mo largeop"), "inline sums put limits beside: \(inline)")
    }

    func testTextGreekAndDelimitersAreEscapedAndKept() throws {
        XCTAssertEqual(try MathML.render(#"\lambda \text{ if } a<b"#, display: false),
                       "<math><mrow><mi>λ</mi><mtext> if </mtext><mi>a</mi><mo>&lt;</mo><mi>b</mi></mrow></math>")
        XCTAssertEqual(try MathML.render(#"\left( x \right)"#, display: false),
                       "<math><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></math>")
        XCTAssertEqual(try MathML.render("0.5", display: false), "<math><mn>0.5</mn></math>")
    }

    func testMistakesAreErrorsWithTheirOffset() {
        func failure(_ tex: String) -> MathML.Failure? {
            do { _ = try MathML.render(tex, display: true); return nil } catch { return error as? MathML.Failure }
        }
        XCTAssertEqual(failure(#"a + \frak{b}"#), MathML.Failure(offset: 4, message: "unknown TeX command '\\frak' in math"))
        XCTAssertEqual(failure("{a + b"), MathML.Failure(offset: 6, message: "missing '}' to close the group"))
        XCTAssertEqual(failure("a}"), MathML.Failure(offset: 1, message: "'}' without a matching '{'"))
        XCTAssertEqual(failure("x_1_2"), MathML.Failure(offset: 3, message: "double subscript; group with braces"))
        XCTAssertEqual(failure(#"\left( x"#)?.message, "missing '\\right' to close the group")
        XCTAssertEqual(failure(String(repeating: "{", count: 10_000))?.message, "math nested more than 64 groups deep")
        XCTAssertEqual(failure(String(repeating: #"\sqrt"#, count: 10_000) + "y")?.message, "math nested more than 64 groups deep")
    }

    func testLessonsRenderMathBlocksAndInlineMathAndReportBadMathWhereItIs() throws {
        let lesson = try Lesson.parse(source: """
            # Math

            Precision is $`\\frac{TP}{TP+FP}`$, and the price of `code` stays code.

            ```math
            \\tilde{H}(p) = -\\frac{1}{\\log K} \\sum_{i} p_i \\log p_i
            ```
            """, path: "Lessons/01-math.md")
        let html = try lesson.prose.map { if case .html(let h) = $0 { h } else { "" } }.joined()
        XCTAssertTrue(html.contains("Precision is <math><mfrac>"), html)
        XCTAssertTrue(html.contains("</mfrac></math>, and the price of <code>code</code> stays code."), html)
        XCTAssertTrue(html.contains("<math display=\"block\">"), html)
        XCTAssertFalse(html.contains("<p><math display"), "display math is not wrapped in a paragraph")
        XCTAssertFalse(html.contains("MILMATH"))

        XCTAssertThrowsError(try Lesson.parse(source: "# T\n\nSome text.\n\n```math\na = b\n\\frak{c}\n```\n", path: "Lessons/02-bad.md")) {
            XCTAssertEqual("\($0)", "Lessons/02-bad.md:7:1: error: unknown TeX command '\\frak' in math")
        }
        XCTAssertThrowsError(try Lesson.parse(source: "# T\n\nSome text.\n\nInline $`x^`$ here.\n", path: "Lessons/03-bad.md")) {
            XCTAssertEqual("\($0)", "Lessons/03-bad.md:5:12: error: a script or command argument is missing at the end")
        }
    }
}
