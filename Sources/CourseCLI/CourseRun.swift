import Foundation
import LessonCore
import LessonRuntime
import MachineLearning
import SiteWriter

/// What a build is asked to do, beyond which lessons: the settings every lesson process sees.
struct RunSettings: Codable {
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
    /// The training code's fingerprint taken once when the build started, handed to every lesson
    /// (`MIL_TRAINING_CODE_FINGERPRINT`) for the model cache's keys; nil leaves each lesson to take its own.
    var trainingCodeFingerprint: String?
    /// The course's code and assets as result reuse keys them (`LessonCache.courseCode`), taken from the
    /// same reading as `trainingCodeFingerprint`; nil: taken when the run starts.
    var courseCodeFingerprint: String?

    /// The environment a lesson process adds to its parent's.
    var environment: [String: String] {
        typealias V = CourseEnvironment.Variable
        var e = [V.profile.rawValue: profile.rawValue, V.seed.rawValue: String(seed)]
        e[V.dataDirectory.rawValue] = dataDirectory?.standardizedFileURL.path ?? ""
        if retrainModels { e[V.retrain.rawValue] = "1" }
        if let trainingCodeFingerprint { e[V.trainingCodeFingerprint.rawValue] = trainingCodeFingerprint }
        // Lessons run in scratch folders of their own: paths the user gave relative to where the
        // build started are made absolute, and the lessons learn where that was.
        let here = FileManager.default.currentDirectoryPath
        e[V.courseDirectory.rawValue] = here
        let given = CourseEnvironment.current
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: here + "/")).standardizedFileURL.path
        }
        e[V.modelCache.rawValue] = absolute(given[.modelCache] ?? ".lessons-cache")
        if let location = given.location { e[V.location.rawValue] = absolute(location) }
        return e
    }

    /// Everything outside the lesson and the code that changes results, for the reuse key: profile,
    /// seed, and the contents of the data the lessons may read (the data folder, MIL_LOCATION).
    var reuseKeyPart: String {
        var parts = ["profile=\(profile.rawValue)", "seed=\(seed)"]
        if let dataDirectory {
            parts.append("data=\(Fingerprint.ofFiles(in: [dataDirectory]) ?? "unreadable")")
        }
        if let location = CourseEnvironment.current[.location] {
            let contents = (try? Data(contentsOf: URL(fileURLWithPath: location))).map { data -> String in
                var f = Fingerprint(); f.add(data); return f.hex
            }
            parts.append("location=\(location):\(contents ?? "unreadable")")
        }
        return parts.joined(separator: " ")
    }
}

/// Runs a list of lessons for one seed's settings, reusing unchanged results from a previous site;
/// what must run goes to an executor (child processes here, or Slurm), and each is reported as it
/// finishes. A sweep is several of these run as one work list. The site writing is the caller's.
struct CourseRun {
    let settings: RunSettings
    /// Reuse results from here when their key matches (nil: run everything).
    let previousSite: URL?
    /// Where each lesson's folder (figures, manifest) is written.
    let staging: URL
    /// Where the staged folders will be once published, to name a lesson's log (nil: nowhere).
    var publishedAs: URL? = nil
    /// A site whose manifests say how long each lesson took last time, to start the longest first;
    /// read even when nothing is reused (`--force`, `--no-cache`). Nil: the previous site, if any.
    var history: URL? = nil

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

    func run(_ lessons: [any CompiledLesson.Type], executor: (any LessonExecutor)? = nil) throws -> Outcome {
        try Self.run([self], lessons, executor: executor ?? LocalExecutor(jobs: settings.jobs))[0]
    }

    /// Runs `lessons` once for each of `runs` (the seeds of a sweep), reusing what each run's previous
    /// site still holds; everything else goes to `executor` as one list, so that a sweep keeps every
    /// worker busy rather than waiting at the end of each seed. One outcome per run, in order.
    static func run(_ runs: [CourseRun], _ lessons: [any CompiledLesson.Type], executor: any LessonExecutor) throws -> [Outcome] {
        let parsed = try lessons.map { try $0.parsed() }
        let caches = runs.map {
            LessonCache(settings: $0.settings.reuseKeyPart, codeFingerprint: $0.settings.courseCodeFingerprint ?? LessonCache.courseCode())
        }
        let slots = Slots(runs: runs.count, lessons: parsed.count)
        let total = runs.count * parsed.count
        var units: [LessonUnit] = []
        var places: [(run: Int, lesson: Int, position: Int)] = []
        for (r, run) in runs.enumerated() {
            for (l, lesson) in parsed.enumerated() {
                try Interruption.shared.check()
                let position = r * parsed.count + l + 1
                let name = runs.count > 1 ? "\(lesson.id), seed \(run.settings.seed)" : lesson.id
                if let previousSite = run.previousSite,
                   let manifest = caches[r].reuse(lesson, previousSite: previousSite, staging: run.staging) {
                    log("[\(position)/\(total)] \(name): unchanged, reusing the previous run's results")
                    slots.set(r, l, .reused(ExecutedLesson(lesson: lesson, manifest: manifest)))
                    continue
                }
                // `check` keeps nothing: say where `build` would keep the log instead of naming a folder it removes.
                let logPath = run.publishedAs.map { $0.appendingPathComponent(lesson.id).appendingPathComponent(LessonProcess.logName).path }
                    ?? "the lesson's log, which only `lessons build` keeps (<site>/\(lesson.id)/\(LessonProcess.logName))"
                units.append(LessonUnit(lesson: lesson, settings: run.settings, siteFolder: run.staging, logShownAs: logPath, name: name))
                places.append((r, l, position))
            }
        }
        // Longest first, by the time each lesson took in the previous build of any seed (lessons take
        // about as long whatever the seed): a long lesson started last leaves the other workers idle.
        var expected: [String: Double] = [:]
        for run in runs {
            guard let site = run.history ?? run.previousSite else { continue }
            for lesson in parsed { expected[lesson.id] = max(expected[lesson.id] ?? 0, Self.secondsTaken(by: lesson.id, in: site) ?? 0) }
        }
        let order = units.indices.sorted { a, b in
            let ta = expected[units[a].lesson.id] ?? 0, tb = expected[units[b].lesson.id] ?? 0
            return ta != tb ? ta > tb : a < b
        }
        units = order.map { units[$0] }
        places = order.map { places[$0] }
        let frozenUnits = units, frozenPlaces = places
        try executor.run(units, started: { n in
            let unit = frozenUnits[n]
            log("[\(frozenPlaces[n].position)/\(total)] \(unit.name): running \(counted(unit.lesson.cells.filter(\.runs).count, "cell"))…")
        }, finished: { n, manifest in
            let unit = frozenUnits[n], place = frozenPlaces[n]
            caches[place.run].store(unit.lesson, manifest: manifest, in: unit.siteFolder)
            if let failure = manifest.failure?.error ?? manifest.lessonError {
                log("  ✗ \(unit.name): \(failure)")
            } else {
                log("  ✓ \(unit.name) passed in \(String(format: "%.1f", manifest.seconds)) s")
            }
            slots.set(place.run, place.lesson, .ran(ExecutedLesson(lesson: unit.lesson, manifest: manifest)))
        })
        try Interruption.shared.check()
        return slots.values.map { row in
            var outcome = Outcome(executed: [], reused: [])
            for result in row {
                switch result {
                case .ran(let e): outcome.executed.append(e)
                case .reused(let e): outcome.executed.append(e); outcome.reused.append(e.lesson.id)
                case nil: break
                }
            }
            return outcome
        }
    }

    /// How long a lesson took in the site at `site` (its manifest), if it is there.
    static func secondsTaken(by lessonID: String, in site: URL) -> Double? {
        guard let data = try? Data(contentsOf: site.appendingPathComponent(lessonID).appendingPathComponent("manifest.json")),
              let manifest = try? JSONDecoder().decode(OutputManifest.self, from: data) else { return nil }
        return manifest.seconds
    }

    private enum Result { case ran(ExecutedLesson), reused(ExecutedLesson) }

    /// Results by run and lesson, filled from several threads.
    private final class Slots: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [[Result?]]
        init(runs: Int, lessons: Int) { slots = Array(repeating: Array(repeating: nil, count: lessons), count: runs) }
        func set(_ r: Int, _ l: Int, _ result: Result) { lock.withLock { slots[r][l] = result } }
        var values: [[Result?]] { lock.withLock { slots } }
    }
}
