import LessonCore
import XCTest

/// Lesson file names become ids that are safe everywhere and never collide.
final class LessonNamesTests: XCTestCase {
    func testCountsTakeTheNounInTheRightNumber() {
        XCTAssertEqual(counted(1, "cell"), "1 cell")
        XCTAssertEqual(counted(8, "lesson"), "8 lessons")
        XCTAssertEqual(counted(0, "row"), "0 rows")
        XCTAssertEqual(counted(2, "class", plural: "classes"), "2 classes")
    }

    func testFileNamesBecomeLowerCaseSlugsOfLettersDigitsAndDashes() {
        XCTAssertEqual(LessonNames.slug(forFileName: "01-membership-game.md"), "01-membership-game")
        XCTAssertEqual(LessonNames.slug(forFileName: "20-With Spaces.md"), "20-with-spaces")
        XCTAssertEqual(LessonNames.slug(forFileName: "26-a#b.md"), "26-a-b")
        XCTAssertEqual(LessonNames.slug(forFileName: "_27__x__.md"), "27-x")
        XCTAssertEqual(LessonNames.slug(forFileName: "café.md"), "caf")
        XCTAssertEqual(LessonNames.typeName(forSlug: "20-with-spaces"), "Lesson_20_with_spaces")
    }

    func testTwoFilesWithOneSlugAreAnErrorNamingBoth() {
        let problems = LessonNames.problems(fileNames: ["20-with_spaces.md", "20-with spaces.md", "21-ok.md"])
        XCTAssertEqual(problems.map(\.description), ["""
            Lessons/20-with_spaces.md:1:1: error: this lesson and Lessons/20-with spaces.md would both be called '20-with-spaces' (page 20-with-spaces.html); rename one of them
            Lessons/20-with spaces.md:1:1: note: the other lesson called '20-with-spaces'
            """])
    }

    func testTheSlideDecksNamesAreTakenToo() {
        let messages = LessonNames.problems(fileNames: ["Slides.md", "paper.md", "paper-2.md"]).map(\.description)
        XCTAssertEqual(messages, [
            "Lessons/Slides.md:1:1: error: a lesson cannot be called 'slides': the name belongs to the slide decks' folder (slides/); rename the file",
            "Lessons/paper.md:1:1: error: a lesson cannot be called 'paper': the name belongs to the paper deck (slides/paper.html), which a lesson's deck of that name would overwrite; rename the file",
        ].sorted())
    }

    func testNamesTheSiteUsesAndNamesWithoutLettersAreErrors() {
        let messages = LessonNames.problems(fileNames: ["index.md", "assets.md", "O1.md", "o17.md", "---.md", "o18.md"]).map(\.description)
        XCTAssertEqual(messages.count, 5, messages.joined(separator: "\n"))
        XCTAssertTrue(messages.contains("Lessons/index.md:1:1: error: a lesson cannot be called 'index': the name belongs to the site's front page (index.html); rename the file"))
        XCTAssertTrue(messages.contains("Lessons/O1.md:1:1: error: a lesson cannot be called 'o1': the name belongs to the page of the paper's observation O1 (O1.html); rename the file"))
        let sweep = LessonNames.problems(fileNames: ["seeds.md", "Sweep.md"]).map(\.description)
        XCTAssertEqual(sweep, [
            "Lessons/Sweep.md:1:1: error: a lesson cannot be called 'sweep': the name belongs to the folder of the charts drawn over several seeds (sweep/); rename the file",
            "Lessons/seeds.md:1:1: error: a lesson cannot be called 'seeds': the name belongs to the folder of each seed's site in a build over several seeds (seeds/); rename the file",
        ])
        XCTAssertTrue(messages.contains { $0.hasPrefix("Lessons/assets.md:1:1: error: a lesson cannot be called 'assets'") })
        XCTAssertTrue(messages.contains { $0.hasPrefix("Lessons/---.md:1:1: error: the file name has no ASCII letters or digits") })
    }
}
