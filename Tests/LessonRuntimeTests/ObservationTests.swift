import LessonCore
@testable import LessonRuntime
import XCTest

final class ObservationTests: XCTestCase {
    func testNumbersNeverReadAsNegativeZero() {
        XCTAssertEqual(f3(-0.0001), "0.000")
        XCTAssertEqual(f3(-0.0006), "-0.001")
        XCTAssertEqual((-0.0002).tableText, "0.000")
    }

    func testADropBelowZeroIsCalledAGain() {
        XCTAssertEqual(dropText(0.0114), "a drop of 0.011")
        XCTAssertEqual(dropText(-0.006), "a gain of 0.006")
        XCTAssertEqual(dropText(-0.0002), "no change")
    }

    func testVerdictsFollowTheirParts() {
        XCTAssertEqual(verdict([true, true]), .held)
        XCTAssertEqual(verdict([true, false]), .heldInPart)
        XCTAssertEqual(verdict([false, false]), .didNotHold)
    }

    func testTheObservingCellComesFirstAndNoEvidenceCellIsListedTwice() {
        XCTAssertEqual(evidenceCells(observedIn: "marginal-real", ["marginal", "marginal-real"]), ["marginal-real", "marginal"])
        XCTAssertEqual(evidenceCells(observedIn: "sweep", []), ["sweep"])
    }

    func testEveryObservationHasTheDecksClaimAndThePapersNumbersInOneCatalogue() {
        XCTAssertEqual(Observation.ids, (1...17).map { "O\($0)" })
        XCTAssertEqual(Set(PaperObservations.catalogue.keys), Set(Observation.ids), "no claim missing, none extra")
        for id in Observation.ids {
            let claim = PaperObservations.catalogue[id]
            XCTAssertFalse(claim?.statement.isEmpty ?? true, id)
            XCTAssertFalse(claim?.paper.isEmpty ?? true, id)
        }
        XCTAssertEqual(PaperObservations.claims["O8"], PaperObservations.catalogue["O8"]?.statement)
    }

    func testTheLessonsCheckEveryObservationInTheCatalogue() throws {
        let lessons = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Lessons")
        var checked = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(at: lessons, includingPropertiesForKeys: nil) where file.pathExtension == "md" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for piece in text.components(separatedBy: "observe(\"").dropFirst() {
                checked.insert(String(piece.prefix { $0 != "\"" }))
            }
        }
        XCTAssertEqual(checked, Set(Observation.ids), "every observation is checked by some lesson, and only those")
    }

    func testProfilesPickTheirSizes() {
        XCTAssertEqual(RunProfile.smoke.pick(smoke: 1, quick: 2, paper: 3), 1)
        XCTAssertEqual(RunProfile.quick.pick(smoke: 1, quick: 2, paper: 3), 2)
        XCTAssertEqual(RunProfile.paper.pick(smoke: 1, quick: 2, paper: 3), 3)
    }
}
