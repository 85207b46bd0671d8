import Foundation
import LessonRuntime
import PNGCodec
import XCTest

final class GalleryTests: XCTestCase {
    func testTheGalleryWritesEveryKindAsADecodablePNGWithATitle() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gallery-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try Gallery.write(to: folder)
        let names = Set(files.map(\.lastPathComponent))
        for kind in ["line-chart", "histogram", "cdf", "roc", "roc-log", "heatmap", "bar-chart", "scatter",
                     "diagram-pipeline", "diagram-mlp", "diagram-algorithm-1"] {
            XCTAssertTrue(names.contains("\(kind).png"), "the gallery has \(kind)")
        }
        for file in files where file.pathExtension == "png" {
            let image = try PNGImage(contentsOf: file)
            XCTAssertGreaterThanOrEqual(image.width, 1000, file.lastPathComponent)
            XCTAssertGreaterThan(image.distinctColorCount(), 10, file.lastPathComponent)
            XCTAssertFalse(image.textValue("Title")?.isEmpty ?? true, file.lastPathComponent)
            XCTAssertFalse(image.textValue("Description")?.isEmpty ?? true, file.lastPathComponent)
            XCTAssertNotNil(image.textValue("Software"), file.lastPathComponent)
        }
        for file in files where file.pathExtension == "svg" {
            XCTAssertTrue(try String(contentsOf: file, encoding: .utf8).contains("<svg"), file.lastPathComponent)
        }
    }

    func testTheMLPDiagramCountsParameters() throws {
        let data = PurchaseLike(classCount: 3, seed: 1).records(count: 30)
        let model = try MLPClassifier(hiddenLayers: [8], epochs: 1).fit(data)
        let diagram = Diagram.architecture(of: model)
        XCTAssertTrue(diagram.dot.contains("600×8 + 8\\n= 4,808 parameters"), diagram.dot)
        XCTAssertTrue(diagram.title.hasSuffix("4,835 parameters"), diagram.title)
    }
}
