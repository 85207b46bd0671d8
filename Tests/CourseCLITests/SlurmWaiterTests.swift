@testable import CourseCLI
import Foundation
import LessonCore
import XCTest

/// The Slurm executor's waiting loop against a fake queue: results are taken only when their done
/// file is there, a task that Slurm says failed is submitted once more, a second failure stops the
/// build with the task's log, and a task that left the queue quietly gets time for its result to show.
final class SlurmWaiterTests: XCTestCase {
    /// A queue whose tasks do what the test says, one step per poll.
    final class FakeSlurm: SlurmControl, @unchecked Sendable {
        var submissions: [(units: [Int], attempt: Int)] = []
        /// Each task's state by "JOB_INDEX"; removed when it leaves the queue.
        var listed: [String: String] = [:]
        var final: [String: String] = [:]
        var cancelled: [String] = []
        var unreadable = false

        func submit(units: [Int], attempt: Int) throws -> String {
            submissions.append((units, attempt))
            let id = String(100 + submissions.count)
            for k in units.indices { listed["\(id)_\(k)"] = "PENDING" }
            return id
        }
        func queue() -> [String: (state: String, reason: String)]? {
            unreadable ? nil : listed.mapValues { ($0, $0 == "PENDING" ? "Priority" : "None") }
        }
        func finalState(of task: String) -> String? { final[task] }
        func cancel(_ jobs: [String]) { cancelled += jobs }
        func logPath(of task: String) -> String { "/logs/\(task).out" }
    }

    var job: URL!
    var site: URL!
    var units: [LessonUnit] = []

    override func setUpWithError() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("waiter-\(UUID().uuidString)")
        job = root.appendingPathComponent("job")
        site = root.appendingPathComponent("site")
        for f in [job!, site!] { try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true) }
        units = try ["01-a", "02-b"].map { id in
            let lesson = try Lesson.parse(source: "# \(id)\n\n```swift label=c\nprint(1)\n```\n", path: "Lessons/\(id).md")
            return LessonUnit(lesson: lesson, settings: RunSettings(), siteFolder: site, logShownAs: "log", name: id)
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: job.deletingLastPathComponent())
    }

    /// What a task leaves when it ends: its lesson folder with a manifest, then the done file.
    func finish(unit: Int, attempt: Int, done: Bool = true) throws {
        let results = SlurmExecutor.results(in: job, unit: unit, attempt: attempt)
        let folder = results.appendingPathComponent(units[unit].lesson.id)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let manifest = OutputManifest(lessonID: units[unit].lesson.id, path: units[unit].lesson.path, title: "T", status: .passed,
                                      seconds: Double(unit + attempt), cells: [])
        try JSONEncoder().encode(manifest).write(to: folder.appendingPathComponent("manifest.json"))
        if done { try Data("passed".utf8).write(to: results.appendingPathComponent(SlurmExecutor.doneFile)) }
    }

    /// Runs the loop; `step(poll)` plays the cluster before each poll's sleep ends. Returns the units
    /// finished (in order) and the error, if any.
    func wait(_ slurm: FakeSlurm, grace: Double = 90, step: @escaping (Int) throws -> Void) -> (finished: [Int], error: Error?) {
        var executor = SlurmExecutor(sharedFolder: job, pollInterval: 1)
        executor.resultGrace = grace
        executor.queueSilenceLimit = 10
        var clock = Date(timeIntervalSince1970: 0)
        var poll = 0
        var waiter = SlurmExecutor.Waiter(executor: executor, job: job, units: units, control: slurm)
        waiter.now = { clock }
        waiter.sleep = { seconds in
            clock += seconds
            poll += 1
            try? step(poll)
        }
        let finished = Finished()
        do {
            try waiter.run(started: { _ in }, finished: { i, _ in finished.append(i) })
            return (finished.values, nil)
        } catch {
            return (finished.values, error)
        }
    }

    final class Finished: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [Int] = []
        func append(_ i: Int) { lock.withLock { list.append(i) } }
        var values: [Int] { lock.withLock { list } }
    }

    func testEveryTaskIsTakenOnceItsDoneFileIsThereEvenWhileTheQueueStillListsIt() throws {
        let slurm = FakeSlurm()
        let (finished, error) = wait(slurm) { poll in
            if poll == 1 { slurm.listed["101_0"] = "RUNNING"; slurm.listed["101_1"] = "RUNNING" }
            if poll == 2 { try self.finish(unit: 1, attempt: 1) }       // still listed as RUNNING
            if poll == 3 { try self.finish(unit: 0, attempt: 1); slurm.listed = [:] }
        }
        XCTAssertNil(error)
        XCTAssertEqual(finished, [1, 0])
        XCTAssertEqual(slurm.submissions.count, 1)
        XCTAssertEqual(slurm.submissions[0].units, [0, 1])
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent("02-b/manifest.json").path), "copied into the site")
        XCTAssertEqual(slurm.cancelled, ["101"], "whatever is left of the array is cancelled at the end")
        XCTAssertEqual(try String(contentsOf: job.appendingPathComponent("jobs"), encoding: .utf8), "101\n", "the job ids are on record")
    }

    func testAResultWithoutItsDoneFileIsNotTaken() throws {
        let slurm = FakeSlurm()
        let (finished, error) = wait(slurm, grace: 5) { poll in
            if poll == 1 { try self.finish(unit: 0, attempt: 1, done: false); try self.finish(unit: 1, attempt: 1) }
            if poll == 2 { slurm.listed = [:]; slurm.final["101_0"] = "FAILED"; slurm.final["101_1"] = "COMPLETED" }
            if poll == 3 { try self.finish(unit: 0, attempt: 2) }
        }
        XCTAssertNil(error)
        XCTAssertEqual(finished, [1, 0])
        XCTAssertEqual(slurm.submissions.map(\.units), [[0, 1], [0]], "the half-written unit ran again")
        XCTAssertEqual(slurm.submissions.map(\.attempt), [1, 2])
    }

    func testATaskThatFailsTwiceStopsTheBuildWithItsLogAndEverythingIsCancelled() {
        let slurm = FakeSlurm()
        let (finished, error) = wait(slurm) { poll in
            if poll == 1 { slurm.listed["101_1"] = nil; slurm.final["101_1"] = "NODE_FAIL" }
            if poll == 2 { slurm.listed["102_0"] = nil; slurm.final["102_0"] = "OUT_OF_MEMORY" }
        }
        XCTAssertEqual(finished, [])
        XCTAssertEqual("\(error.map { "\($0)" } ?? "no error")",
                       "02-b failed twice on Slurm (task 102_0 ended OUT_OF_MEMORY without a result); its Slurm log: /logs/102_0.out. The other tasks were cancelled and the previous site was kept.")
        XCTAssertEqual(Set(slurm.cancelled), ["101", "102"])
    }

    func testATaskThatLeftTheQueueQuietlyGetsTimeForItsResultToShow() throws {
        let slurm = FakeSlurm()
        let (finished, error) = wait(slurm, grace: 30) { poll in
            if poll == 1 { slurm.listed = [:] }                     // both gone, Slurm remembers nothing
            if poll == 10 { try self.finish(unit: 0, attempt: 1); try self.finish(unit: 1, attempt: 1) }  // a slow file system
        }
        XCTAssertNil(error)
        XCTAssertEqual(Set(finished), [0, 1])
        XCTAssertEqual(slurm.submissions.count, 1, "nothing was submitted again within the grace")
    }

    func testAQueueThatStopsAnsweringStopsTheBuild() {
        let slurm = FakeSlurm()
        slurm.unreadable = true
        let (_, error) = wait(slurm) { _ in }
        XCTAssertTrue("\(error.map { "\($0)" } ?? "")".contains("Slurm's queue did not answer for 10 s"), "\(String(describing: error))")
    }

    func testTheWaitingNoteCountsRunningAndPendingTasksWithTheirReasons() {
        let waiter = SlurmExecutor.Waiter(executor: SlurmExecutor(sharedFolder: job), job: job, units: units, control: FakeSlurm())
        let note = waiter.waitingNote(["1_0": ("RUNNING", "None"), "1_1": ("PENDING", "Priority")], task: [0: "1_0", 1: "1_1"], open: [0, 1])
        XCTAssertEqual(note, "1 running, 1 pending (Priority: 1)")
    }
}
