import Foundation
import LessonCore

/// One lesson to run with one set of settings (one seed of a sweep): the unit of work an executor
/// is given.
struct LessonUnit {
    var lesson: Lesson
    var settings: RunSettings
    /// The site folder the lesson's own folder (figures, manifest, log) is written into.
    var siteFolder: URL
    /// How the lesson's log is named to the user (where it will be once the site is published).
    var logShownAs: String
    /// How progress lines name the unit: `02-shadow-models`, or `02-shadow-models, seed 1` in a sweep.
    var name: String
}

/// Where lessons run: child processes on this machine (`LocalExecutor`) or tasks of a Slurm job
/// array (`SlurmExecutor`). Either way each unit ends as a manifest in `siteFolder/<lesson id>/`.
protocol LessonExecutor {
    /// Runs every unit, calling `started` and `finished` as each begins and ends (from any thread),
    /// and returns when all have ended. Throws what must stop the whole build (a full disk, Ctrl-C,
    /// a task that failed twice); a lesson that fails is a manifest, not an error.
    func run(_ units: [LessonUnit], started: @escaping @Sendable (Int) -> Void,
             finished: @escaping @Sendable (Int, OutputManifest) -> Void) throws
}

/// Runs lessons as child processes of this executable, `jobs` at a time (`--jobs`).
struct LocalExecutor: LessonExecutor {
    var jobs: Int

    /// Each lesson's share of the cores (`MIL_CORES`) when `workers` lessons run at once, so that two
    /// lessons on two cores do not each lend their training steps a second thread; nil for one at a time.
    /// Rounded down, so lessons never ask for more threads than there are cores, and fixed when a lesson
    /// starts: the last lesson of a build keeps its share after the others end (its fleets still use
    /// every core; only a lone model's steps stay on one thread).
    static func coresPerLesson(workers: Int, processors: Int) -> Int? {
        workers > 1 ? max(1, processors / workers) : nil
    }

    func run(_ units: [LessonUnit], started: @escaping @Sendable (Int) -> Void,
             finished: @escaping @Sendable (Int, OutputManifest) -> Void) throws {
        let next = Counter()
        let failure = FirstError()
        let workers = max(1, min(jobs, units.count))
        let tag = workers > 1
        let cores = Self.coresPerLesson(workers: workers, processors: ProcessInfo.processInfo.activeProcessorCount)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while Interruption.shared.signalReceived == nil, !failure.isSet, let n = next.take(below: units.count) {
                let unit = units[n]
                started(n)
                do {
                    let manifest = try LessonProcess.run(lesson: unit.lesson, siteFolder: unit.siteFolder, settings: unit.settings,
                                                         tag: tag ? unit.name : nil, logShownAs: unit.logShownAs, cores: cores)
                    finished(n, manifest)
                } catch {
                    failure.set(error)
                }
            }
        }
        try Interruption.shared.check()
        if let error = failure.error { throw error }
    }
}

/// The next index to take, shared by worker threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}

/// The first error any worker met; later ones are dropped.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?
    func set(_ e: Error) { lock.withLock { if first == nil { first = e } } }
    var isSet: Bool { lock.withLock { first != nil } }
    var error: Error? { lock.withLock { first } }
}
