import LessonCore
import XCTest

/// The cell scan: what may not leave a cell, and where a file-scope cell's declarations start.
final class CellCodeTests: XCTestCase {
    func testBracesInsideStringsCommentsAndInterpolationsDoNotCount() {
        let code = #"""
            let a = "}" + "{" // }
            /* } /* nested { */ } */
            let b = #"raw "} \(not interpolated"#
            let c = "\(["k": "}"]["k"]!) done"
            let d = """
                } still text {
                """
            if a.isEmpty { print(b, c, d) }
            """#
        XCTAssertEqual(CellCode(code).problems, [])
    }

    func testAOneLineStringWithAnOpenInterpolationEndsAtItsLine() {
        // Found by the fuzzer: the open `\(` must not swallow the lines after the cell.
        XCTAssertEqual(CellCode("let s = #\"{\"# + \"\\(1\"\nprint(s)\n").problems, [])
        XCTAssertEqual(CellCode("let s = \"\\(f(\"\n}\n").problems.map(\.line), [1], "the brace on the next line is code")
    }

    func testAClosingBraceTheCellDidNotOpenIsAProblemAtItsPlace() {
        let scan = CellCode("print(1)\n}\nfunc escaped() {\n")
        XCTAssertEqual(scan.problems.first, CellCode.Problem(line: 1, column: 0,
            message: "this '}' closes a bracket the cell did not open; a cell must close only what it opens"))
    }

    func testAnOpeningBraceThatNeverClosesIsAProblemAtItsPlace() {
        let scan = CellCode("let x = 1\nif x > 0 {\n    print(x)\n")
        XCTAssertEqual(scan.problems, [CellCode.Problem(line: 1, column: 9,
            message: "this '{' is never closed in its cell; a cell must close what it opens")])
    }

    func testAnUnclosedCommentOrMultiLineStringIsAProblem() {
        XCTAssertEqual(CellCode("let x = 1 /* and\nmore").problems.map(\.line), [0])
        XCTAssertEqual(CellCode("let s = \"\"\"\ntext\n").problems.map(\.message), ["this string is never closed in its cell; close it with \"\"\""])
    }

    func testSourceLocationDirectivesAndTheRunnersNamesAreRefused() {
        let scan = CellCode("#sourceLocation(file: \"evil.md\", line: 100)\n__mil_cells.end(1)\n`__milSecret`.x\nlet s = \"#sourceLocation __mil\"")
        XCTAssertEqual(scan.problems.map(\.line), [0, 1, 2], "text inside strings is not code")
        XCTAssertTrue(scan.problems[0].message.hasPrefix("#sourceLocation is not allowed in a cell"))
        XCTAssertTrue(scan.problems[1].message.hasPrefix("'__mil_cells': names that start with __mil belong to the runner"))
    }

    func testTopLevelDeclarationsAreFoundWithTheirAccessAndAttributes() {
        let code = """
            struct Helper { func inner() {} }
            @MainActor
            final class Model {}
            private func hidden() {}
            public let shared = 1
            extension Int: @retroactive Identifiable { public var id: Int { self } }
            extension Array where Element == Double { var mean: Double { 0 } }
            @inline(never) func sameLine() {}
            """
        let scan = CellCode(code)
        XCTAssertEqual(scan.problems, [])
        XCTAssertEqual(scan.declarations.map(\.keyword), ["struct", "class", "func", "let", "extension", "extension", "func"],
                       "only top-level declarations")
        XCTAssertEqual(scan.declarations.map(\.access), [nil, nil, "private", "public", nil, nil, nil])
        XCTAssertEqual(scan.declarations.map(\.declaresConformance), [false, false, false, false, true, false, false])
        XCTAssertEqual(scan.declarations[1].anchorLine, 2, "the modifier goes before `final`, after the attribute line")
        XCTAssertTrue(scan.declarations[1].hasAttributes)
        XCTAssertFalse(scan.declarations[6].anchorStartsLine, "an attribute on the same line comes first")
    }

    func testAMultiLineStringInsideAnInterpolationAndARegexLiteralCannotHideABrace() {
        // Both forms are valid Swift; a scanner that misread them would miss the escaping `}`.
        let nested = "let s = \"a\\(\"\"\"\n    x\n    \"\"\")b\"\n}\n"
        XCTAssertEqual(CellCode(nested).problems.map(\.line), [3], nested)
        let regex = "_ = #/\"/#; }\n"
        XCTAssertEqual(CellCode(regex).problems.map(\.column), [11], regex)
        XCTAssertEqual(CellCode("let r = #/a{2}/#\nprint(r)\n").problems, [], "braces inside a regex literal are not code")
    }

    func testSetterOnlyAccessPrefixFunctionsAndDirectivesAreReadAsSwiftDoes() {
        let scan = CellCode("""
            private(set) var count = 0
            prefix func -(x: Helper) -> Helper { x }
            #if DEBUG
            func debugOnly() {}
            #endif
            prefix operator +++
            """)
        XCTAssertEqual(scan.declarations.map(\.keyword), ["var", "func", "func"], "an operator declaration takes no access level")
        XCTAssertEqual(scan.declarations.map(\.access), [nil, nil, nil], "private(set) leaves the getter's access open")
        XCTAssertEqual(scan.directiveLines, [2, 4])
    }
}
