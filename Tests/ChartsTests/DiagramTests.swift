import Diagrams
import Foundation
import PNGCodec
import TestSupport
import XCTest

final class DiagramTests: XCTestCase {
    static func sample() -> Diagram {
        var d = Diagram(title: "A \"quoted\" pipeline", altText: "Data flows into a model.")
        d.node("data", "Training data\n(members)", shape: .cylinder, fill: "#D6E9F5")
        d.node("model", "Target model")
        d.edge("data", "model", label: "train")
        d.groups = [.init(id: "g", label: "Owner", nodeIDs: ["data", "model"])]
        return d
    }

    func testTheDOTTextMatchesItsGoldenFile() throws {
        try assertGolden(Self.sample().dot, named: "diagram.dot")
    }

    func testTheDiagramRendersToATwiceDensityPNGWithText() throws {
        let image = try Self.sample().renderPNG()
        XCTAssertGreaterThan(image.width, 300)
        XCTAssertGreaterThan(image.distinctColorCount(), 10)
        XCTAssertEqual(image.textValue("Title"), "A \"quoted\" pipeline")
        XCTAssertEqual(image.textValue("Description"), "Data flows into a model.")
        let svg = try Self.sample().renderSVG()
        XCTAssertTrue(svg.contains("<svg"))
        XCTAssertTrue(svg.contains("Target model"))
    }

    func testTheDiagramIsAlsoAnSVGAndAOnePagePDF() throws {
        XCTAssertTrue(VectorFiles.isSVG(Data(try Self.sample().renderSVG().utf8)))
        XCTAssertEqual(VectorFiles.pdfPageCount(try Self.sample().renderPDF()), 1)
    }

    func testGraphvizErrorsBecomeSwiftErrorsWithTheLibrarysMessage() {
        XCTAssertThrowsError(try GraphvizRenderer.render(dot: "digraph { a -> }", format: "png")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("Graphviz could not parse the DOT text"), message)
            XCTAssertTrue(message.contains("syntax error"), message)
        }
        XCTAssertThrowsError(try GraphvizRenderer.render(dot: "digraph { a }", format: "no-such-format")) { error in
            XCTAssertTrue("\(error)".contains("no-such-format"), "\(error)")
        }
    }
}
