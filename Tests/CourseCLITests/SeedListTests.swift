@testable import CourseCLI
import XCTest

/// `--seeds` takes numbers and ranges, keeps their order and drops repeats, and says what is wrong otherwise.
final class SeedListTests: XCTestCase {
    func testNumbersAndRangesInTheOrderGivenEachOnce() throws {
        XCTAssertEqual(try SeedList.parse("2017,1-3").seeds, [2017, 1, 2, 3])
        XCTAssertEqual(try SeedList.parse(" 5 , 5,4-6").seeds, [5, 4, 6])
        XCTAssertEqual(try SeedList.parse("0").seeds, [0])
        XCTAssertEqual(try SeedList.parse("2017,1-3").description, "2017,1,2,3")
    }

    func testBadListsAreRefusedWithTheReason() {
        func reason(_ text: String) -> String {
            do { _ = try SeedList.parse(text); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertTrue(reason("9-1").contains("the range '9-1' runs backwards; write 1-9"), reason("9-1"))
        XCTAssertTrue(reason("1,,2").contains("has an empty item"), reason("1,,2"))
        XCTAssertTrue(reason("x").contains("'x' is not a seed"), reason("x"))
        XCTAssertTrue(reason("-3").contains("'-3' is not a seed"), reason("-3"))
        XCTAssertTrue(reason("1-20170").contains("more than 1000 seeds"), reason("1-20170"))
        XCTAssertTrue(reason("1-600,1000-1600").contains("more than 1000 seeds"), reason("1-600,1000-1600"))
    }
}
