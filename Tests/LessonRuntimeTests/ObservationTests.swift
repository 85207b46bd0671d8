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

    func testEveryObservationHasTheDecksClaim() {
        XCTAssertEqual(Observation.ids, (1...17).map { "O\($0)" })
        for id in Observation.ids { XCTAssertFalse(PaperObservations.claims[id]?.isEmpty ?? true, id) }
    }

    func testProfilesPickTheirSizes() {
        XCTAssertEqual(RunProfile.smoke.pick(smoke: 1, quick: 2, paper: 3), 1)
        XCTAssertEqual(RunProfile.quick.pick(smoke: 1, quick: 2, paper: 3), 2)
        XCTAssertEqual(RunProfile.paper.pick(smoke: 1, quick: 2, paper: 3), 3)
    }
}
