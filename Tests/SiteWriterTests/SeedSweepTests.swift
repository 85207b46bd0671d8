import Foundation
import LessonCore
@testable import SiteWriter
import XCTest

/// A build over several seeds shows each observation's verdict per seed and its numbers as mean (min–max).
final class MeasuredSpreadTests: XCTestCase {
    func testNumbersThatVaryBecomeMeanWithRangeAndNumbersThatAgreeStayAsTheyAre() throws {
        let spread = try XCTUnwrap(MeasuredSpread([
            "K = 100: precision 0.850, recall 0.98 (a drop of 0.012)",
            "K = 100: precision 0.870, recall 0.98 (a drop of 0.030)",
        ]))
        XCTAssertEqual(spread.text, "K = 100: precision 0.860 (0.850–0.870), recall 0.98 (a drop of 0.021 (0.012–0.030))")
        for (mean, expected) in zip(spread.numbers.map(\.mean), [100, 0.86, 0.98, 0.021]) { XCTAssertEqual(mean, expected, accuracy: 1e-12) }
        XCTAssertEqual(spread.numbers.count, 4)
        XCTAssertEqual(spread.numbers[1].min, 0.85)
        XCTAssertEqual(spread.numbers[1].max, 0.87)
    }

    func testNamesWithDigitsAreWordsNotNumbers() {
        let (words, numbers) = MeasuredSpread.split("O8 on Purchase-100 with L2 1e-6 and −0.5 at 2x")
        XCTAssertEqual(numbers.map(\.value), [-0.5])
        XCTAssertEqual(words, ["O8 on Purchase-100 with L2 1e-6 and ", " at 2x"])
    }

    func testDropsAndGainsPairUpAsSignedChangesAndThousandsAreOneNumber() throws {
        let spread = try XCTUnwrap(MeasuredSpread(["12,000 records: a drop of 0.010", "12,000 records: a gain of 0.020", "12,000 records: no change"]))
        XCTAssertEqual(spread.text, "12,000 records: a drop of −0.003 (−0.020–0.010)")
        XCTAssertEqual(spread.numbers.map(\.count), [3, 3])
        XCTAssertEqual(spread.numbers[0].mean, 12000)
    }

    func testAChangeThatWasAGainInEverySeedReadsAsAGainAndNoneAsNoChange() throws {
        XCTAssertEqual(try XCTUnwrap(MeasuredSpread(["top-1: a gain of 0.044", "top-1: a gain of 0.042"])).text,
                       "top-1: a gain of 0.043 (0.042–0.044)")
        XCTAssertEqual(try XCTUnwrap(MeasuredSpread(["d = 3: a gain of 0.005", "d = 3: a gain of 0.005"])).text, "d = 3: a gain of 0.005")
        XCTAssertEqual(try XCTUnwrap(MeasuredSpread(["d = 3: no change", "d = 3: no change"])).text, "d = 3: no change")
        XCTAssertEqual(try XCTUnwrap(MeasuredSpread(["gap −0.5 or -0.25"])).text, "gap −0.5 or -0.25", "one text is shown as it is")
    }

    func testWholeNumbersThatVaryGetADecimalInTheirMean() throws {
        XCTAssertEqual(try XCTUnwrap(MeasuredSpread(["held 14 of 17", "held 15 of 17"])).text, "held 14.5 (14–15) of 17")
    }

    func testTextsThatDifferInWordsAreNotAveraged() {
        XCTAssertNil(MeasuredSpread(["precision 0.5", "recall 0.5"]))
        XCTAssertNil(MeasuredSpread(["precision 0.5", "precision 0.5 / 0.6"]))
        XCTAssertNil(MeasuredSpread([]))
    }
}

final class SeedSweepPageTests: XCTestCase {
    /// A one-lesson course run for a seed: O2 with the given verdict and precision.
    func run(seed: String, folder: String, verdict: Observation.Verdict, precision: String) throws -> SeedSweep.Run {
        let lesson = try Lesson.parse(source: "# Classes\n\n```swift label=classes\nprint(1)\n```\n", path: "Lessons/03-classes.md")
        var manifest = OutputManifest(lessonID: lesson.id, path: lesson.path, title: lesson.title, status: .passed, seconds: 1, cells: [
            CellResult(index: 0, label: "classes", fenceLine: 3, closingLine: 5, status: .passed, stdout: "", outputs: []),
        ])
        manifest.observations = [Observation(id: "O2", claim: "More classes, more leakage.", paper: "0.505 → 0.935",
                                             measured: "precision \(precision) for K = 100", rule: "held if it rises",
                                             verdict: verdict, explanation: "Fewer records per class.",
                                             lessonID: lesson.id, cellLabel: "classes", evidenceCells: ["classes"])]
        manifest.seed = seed
        return SeedSweep.Run(seed: seed, folder: folder, lessons: [ExecutedLesson(lesson: lesson, manifest: manifest)])
    }

    func testTheSweepsPagesAndJSONShowEverySeedsVerdictAndTheSpread() throws {
        let runs = [try run(seed: "2017", folder: "", verdict: .held, precision: "0.900"),
                    try run(seed: "1", folder: "seeds/1/", verdict: .heldInPart, precision: "0.800")]
        XCTAssertEqual(SeedSweep(runs: runs).tally("O2"), SeedSweep.Tally(held: 1, heldInPart: 1))
        XCTAssertEqual(SeedSweep(runs: runs).tally("O2").text, "held in 1 of 2 seeds; held in part in 1")
        XCTAssertEqual(SeedSweep(runs: runs).tally("O1").text, "not checked in any of the 2 seeds")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let assets = folder.appendingPathComponent("assets-in"), site = folder.appendingPathComponent("site")
        for f in [assets, site] { try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true) }
        try copyCourseAssets(to: assets)
        var writer = SiteWriter(courseTitle: "C", courseSummary: "S", profile: "quick", seed: "2017")
        writer.sweep = SeedSweep(runs: runs)
        try writer.write(runs[0].lessons, to: site, assets: assets)

        let page = try String(contentsOf: site.appendingPathComponent("O2.html"), encoding: .utf8)
        for expected in ["Verdict for seed 2017: <span class=\"badge held\">held</span>", "<h2 id=\"across-seeds\">Across seeds</h2>",
                         "<strong>held in 1 of 2 seeds; held in part in 1</strong>",
                         "precision 0.850 (0.800–0.900) for K = 100",
                         "<td><a href=\"seeds/1/O2.html\">1</a></td><td><span class=\"badge partly\">held in part</span></td>"] {
            XCTAssertTrue(page.contains(expected), "missing \(expected)")
        }
        let index = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("ran the course for 2 seeds (2017, 1); 0 of 17 observations held in every one"), index)
        XCTAssertTrue(index.contains("<td>held in 1 of 2 seeds; held in part in 1</td>"))

        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: site.appendingPathComponent("observations.json"))) as? [[String: Any]])
        let o2 = json[1]
        XCTAssertEqual(o2["verdict"] as? String, "held")
        XCTAssertEqual((o2["seeds"] as? [[String: String]])?.map { $0["verdict"]! }, ["held", "held in part"])
        let aggregate = try XCTUnwrap(o2["aggregate"] as? [String: Any])
        XCTAssertEqual(aggregate["held"] as? Int, 1)
        XCTAssertEqual(aggregate["heldInPart"] as? Int, 1)
        XCTAssertEqual(aggregate["measured"] as? String, "precision 0.850 (0.800–0.900) for K = 100")
        XCTAssertEqual(aggregate["lessonFailed"] as? Int, 0)
        let unchecked = try XCTUnwrap(json[0]["aggregate"] as? [String: Any])
        XCTAssertTrue(unchecked["measured"] is NSNull, "a missing spread is null, not absent")
    }

    func testAFailedLessonAndResultsKeptFromAnotherSeedAreNamedAndNotCounted() throws {
        var failed = try run(seed: "2", folder: "seeds/2/", verdict: .held, precision: "0.5")
        failed.lessons[0].manifest.status = .failed
        failed.lessons[0].manifest.observations = []
        var other = try run(seed: "3", folder: "seeds/3/", verdict: .held, precision: "0.5")
        other.lessons[0].manifest.seed = "1"
        var kept = try run(seed: "4", folder: "seeds/4/", verdict: .held, precision: "0.5")
        kept.lessons[0].manifest.keptNote = "These results come from an earlier build"
        let sweep = SeedSweep(runs: [try run(seed: "1", folder: "", verdict: .held, precision: "0.9"), failed, other, kept])
        XCTAssertEqual(sweep.tally("O2"), SeedSweep.Tally(held: 1, lessonFailed: 1, notThisBuild: 2))
        XCTAssertEqual(sweep.tally("O2").text, "held in 1 of 4 seeds; its lesson failed in 1, kept from an earlier build in 2, not counted")
        XCTAssertEqual(sweep.measuredSpread("O2")?.numbers.first?.count, 1, "only the seed's own results are averaged")
    }

    func testSeedsRunOnMachinesWithDifferentKernelsAreFlagged() throws {
        var a = try run(seed: "1", folder: "", verdict: .held, precision: "0.9")
        var b = try run(seed: "2", folder: "seeds/2/", verdict: .held, precision: "0.9")
        XCTAssertNil(SeedSweep(runs: [a, b]).mixedKernels, "nothing recorded, nothing to flag")
        a.lessons[0].manifest.kernels = "avx2+fma"
        b.lessons[0].manifest.kernels = "avx2+fma"
        XCTAssertNil(SeedSweep(runs: [a, b]).mixedKernels)
        b.lessons[0].manifest.kernels = "baseline"
        XCTAssertEqual(SeedSweep(runs: [a, b]).mixedKernels, ["avx2+fma", "baseline"])
    }

    func testAOneSeedSiteHasNoSweepSection() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("one-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let assets = folder.appendingPathComponent("assets-in"), site = folder.appendingPathComponent("site")
        for f in [assets, site] { try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true) }
        try copyCourseAssets(to: assets)
        try SiteWriter(courseTitle: "C", courseSummary: "S", seed: "2017")
            .write(try run(seed: "2017", folder: "", verdict: .held, precision: "0.9").lessons, to: site, assets: assets)
        let page = try String(contentsOf: site.appendingPathComponent("O2.html"), encoding: .utf8)
        XCTAssertFalse(page.contains("Across seeds"))
        XCTAssertTrue(page.contains("Verdict: <span class=\"badge held\">held</span>"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: site.appendingPathComponent("observations.json"))) as? [[String: Any]])
        XCTAssertNil(json[1]["seeds"])
        XCTAssertNil(json[1]["aggregate"])
    }
}
