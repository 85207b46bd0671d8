import MachineLearning
import XCTest

final class WorkClockTests: XCTestCase {
    func testOnlyTheOutermostTimingCountsSoPhasesNeverExceedTheWallTime() {
        _ = WorkClock.take()
        let attack = WorkClock.start(.attack)
        let training = WorkClock.start(.training)   // an attack's own models: part of the attack
        usleep(20_000)
        training.stop()
        attack.stop()
        let drawing = WorkClock.start(.drawing)
        usleep(10_000)
        drawing.stop()
        let taken = WorkClock.take()
        XCTAssertNil(taken[.training], "nested work belongs to the outer timing")
        XCTAssertGreaterThanOrEqual(taken[.attack] ?? 0, 0.02)
        XCTAssertGreaterThanOrEqual(taken[.drawing] ?? 0, 0.01)
        XCTAssertEqual(WorkClock.take(), [:], "take starts afresh")
    }
}
