@testable import CourseCLI
import XCTest

/// Lessons that run side by side share the cores: each is told its part (`MIL_CORES`), never more than
/// the user allowed, so a lone model's training step takes a second thread only where one is free.
final class CoreShareTests: XCTestCase {
    func testLessonsRunningSideBySideEachGetTheirShareOfTheCores() {
        XCTAssertEqual(LocalExecutor.coresPerLesson(workers: 2, processors: 2), 1)
        XCTAssertEqual(LocalExecutor.coresPerLesson(workers: 2, processors: 8), 4)
        XCTAssertEqual(LocalExecutor.coresPerLesson(workers: 3, processors: 2), 1, "at least one core each")
        XCTAssertNil(LocalExecutor.coresPerLesson(workers: 1, processors: 2), "a lesson alone is not limited")
    }

    func testTheUsersOwnLimitIsKeptWhereItIsSmaller() {
        XCTAssertEqual(LessonProcess.coresSetting(share: 4, given: "1"), "1")
        XCTAssertEqual(LessonProcess.coresSetting(share: 1, given: "8"), "1")
        XCTAssertEqual(LessonProcess.coresSetting(share: 2, given: nil), "2")
        XCTAssertEqual(LessonProcess.coresSetting(share: 2, given: "many"), "2", "a setting that is not a number is ignored")
        XCTAssertEqual(LessonProcess.coresSetting(share: 2, given: "0"), "2")
        XCTAssertEqual(LessonProcess.coresSetting(share: nil, given: "3"), "3")
        XCTAssertNil(LessonProcess.coresSetting(share: nil, given: nil))
    }
}
