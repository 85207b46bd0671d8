import Foundation
import LessonCore
import LessonRuntime
import MachineLearning
import SiteWriter

/// What a build is asked to do, beyond which lessons: the settings every lesson process sees.
struct RunSettings {
    var profile: RunProfile = .quick
    var seed: UInt64 = 2017
    /// The user's folder of real datasets (`--data-dir`), if any.
    var dataDirectory: URL?
    /// Rerun every lesson and retrain every model (`--no-cache`).
    var retrainModels = false
    /// How many lessons run at once (`--jobs`).
    var jobs = 1
    /// The most seconds a cell may run, unless it sets its own `timeout=` (`--timeout`, or the profile's).
    var timeout: Double = 600

    /// The environment a lesson process adds to its parent's.
    var environment: [String: String] {
        var e = ["MIL_PROFILE": profile.rawValue, "MIL_SEED": String(seed)]
        e["MIL_DATA_DIR"] = dataDirectory?.standardizedFileURL.path ?? ""
        if retrainModels { e["MIL_RETRAIN"] = "1" }
        // Lessons run in scratch folders of their own: paths the user gave relative to where the
        // build started are made absolute, and the lessons learn where that was.
        let here = FileManager.default.currentDirectoryPath
        e["MIL_COURSE_DIR"] = here
        let given = ProcessInfo.processInfo.environment
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: here + "/")).standardizedFileURL.path
        }
        e["MIL_MODEL_CACHE"] = absolute(given["MIL_MODEL_CACHE"] ?? ".lessons-cache")
        if let location = given["MIL_LOCATION"], !location.isEmpty { e["MIL_LOCATION"] = absolute(location) }
        return e
    }

    /// Everything outside the lesson and the code that changes results, for the reuse key: profile,
    /// seed, and the contents of the data the lessons may read (the data folder, MIL_LOCATION).
    var reuseKeyPart: String {
        var parts = ["profile=\(profile.rawValue)", "seed=\(seed)"]
        if let dataDirectory {
            parts.append("data=\(Fingerprint.ofFiles(in: [dataDirectory]) ?? "unreadable")")
        }
        if let location = ProcessInfo.processInfo.environment["MIL_LOCATION"] {
            let contents = (try? Data(contentsOf: URL(fileURLWithPath: location))).map { data -> String in
                var f = Fingerprint(); f.add(data); return f.hex
            }
            parts.append("location=\(location):\(contents ?? "unreadable")")
        }
        return parts.joined(separator: " ")
    }
}

/// Runs a list of lessons, reusing unchanged results from a previous site, `jobs` at a time, and
/// reports each as it finishes. The site writing is the caller's.
struct CourseRun {
    let settings: RunSettings
    /// Reuse results from here when their key matches (nil: run everything).
    let previousSite: URL?
    /// Where each lesson's folder (figures, manifest) is written.
    let staging: URL
    /// Where the staged folders will be once published, to name a lesson's log (nil: nowhere).
    var publishedAs: URL? = nil

    struct Outcome {
        var executed: [ExecutedLesson]
        var reused: [String]
        /// Lessons this build did not run but kept from the previous site (`--lesson` named others).
        var kept: [String] = []
    }

    /// Adds to `outcome` the lessons of `course` it does not hold, from the previous site as they are
    /// (see `LessonCache.keep`), so that a build of some lessons keeps the rest of the course; the
    /// result is in course order.
    func keepingTheRest(of course: [any CompiledLesson.Type], _ outcome: Outcome) throws -> Outcome {
        guard let previousSite else { return outcome }
        let cache = LessonCache(settings: settings.reuseKeyPart)
        let ran = Dictionary(uniqueKeysWithValues: outcome.executed.map { ($0.lesson.id, $0) })
        var merged = outcome
        merged.executed = []
        for compiled in course {
            let lesson = try compiled.parsed()
            if let executed = ran[lesson.id] {
                merged.executed.append(executed)
            } else if let (shown, manifest) = cache.keep(lesson, previousSite: previousSite, staging: staging) {
                merged.executed.append(ExecutedLesson(lesson: shown, manifest: manifest))
                merged.kept.append(lesson.id)
                log("[kept] \(lesson.id): not run in this build; \(manifest.keptNote == nil ? "its results are kept from the previous site" : "kept from the previous site, marked as from an earlier build")")
            }
        }
        return merged
    }

    func run(_ lessons: [any CompiledLesson.Type]) throws -> Outcome {
        let parsed = try lessons.map { try $0.parsed() }
        let cache = LessonCache(settings: settings.reuseKeyPart)
        let results = Results(count: parsed.count)
        let next = Counter()
        let workers = max(1, min(settings.jobs, parsed.count))
        let total = parsed.count
        let tag = workers > 1
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while Interruption.shared.signalReceived == nil, let n = next.take(below: total), !results.hasError {
                let lesson = parsed[n]
                if let previousSite, let manifest = cache.reuse(lesson, previousSite: previousSite, staging: staging) {
                    log("[\(n + 1)/\(total)] \(lesson.id): unchanged, reusing the previous run's results")
                    results.set(n, .reused(ExecutedLesson(lesson: lesson, manifest: manifest)))
                    continue
                }
                log("[\(n + 1)/\(total)] \(lesson.id): running \(counted(lesson.cells.filter(\.runs).count, "cell"))…")
                do {
                    // `check` keeps nothing: say where `build` would keep the log instead of naming a folder it removes.
                    let logPath = publishedAs.map { $0.appendingPathComponent(lesson.id).appendingPathComponent(LessonProcess.logName).path }
                        ?? "the lesson's log, which only `lessons build` keeps (<site>/\(lesson.id)/\(LessonProcess.logName))"
                    let manifest = try LessonProcess.run(lesson: lesson, siteFolder: staging, settings: settings,
                                                         tagOutput: tag, logShownAs: logPath)
                    cache.store(lesson, manifest: manifest, in: staging)
                    if let failure = manifest.failure?.error ?? manifest.lessonError {
                        log("  ✗ \(lesson.id): \(failure)")
                    } else {
                        log("  ✓ \(lesson.id) passed in \(String(format: "%.1f", manifest.seconds)) s")
                    }
                    results.set(n, .ran(ExecutedLesson(lesson: lesson, manifest: manifest)))
                } catch {
                    results.fail(error)
                }
            }
        }
        try Interruption.shared.check()
        if let error = results.error { throw error }
        var outcome = Outcome(executed: [], reused: [])
        for result in results.values {
            switch result {
            case .ran(let e): outcome.executed.append(e)
            case .reused(let e): outcome.executed.append(e); outcome.reused.append(e.lesson.id)
            case nil: break
            }
        }
        return outcome
    }

    private enum Result { case ran(ExecutedLesson), reused(ExecutedLesson) }

    /// Results by lesson index, filled from several threads.
    private final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [Result?]
        private var firstError: Error?
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ r: Result) { lock.withLock { slots[i] = r } }
        func fail(_ e: Error) { lock.withLock { if firstError == nil { firstError = e } } }
        var hasError: Bool { lock.withLock { firstError != nil } }
        var error: Error? { lock.withLock { firstError } }
        var values: [Result?] { lock.withLock { slots } }
    }

    private final class Counter: @unchecked Sendable {
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
}
