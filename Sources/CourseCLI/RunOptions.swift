import ArgumentParser
import Foundation
import LessonCore
import LessonRuntime
import SiteWriter

/// `--profile smoke|quick|paper`, parsed once; ArgumentParser lists the choices on a wrong value.
extension RunProfile: ExpressibleByArgument {}

/// The options `build` and `check` share: which lessons, and the settings they run with.
struct RunOptions: ParsableArguments {
    @Option(name: [.customLong("lesson"), .customLong("only")], parsing: .singleValue,
            help: ArgumentHelp("Run only this lesson (repeatable); the others are left out of the site.", valueName: "id"))
    var lessons: [String] = []

    @Option(help: "Run profile: smoke (seconds), quick (minutes on a laptop) or paper (the paper's sizes).")
    var profile = RunProfile.quick

    @Option(help: "The seed every random choice derives from; the same seed gives the same numbers. (default: MIL_SEED or 2017)")
    var seed: UInt64?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp(
        "A folder of real datasets that cannot ship with the course, laid out like ../shared/data (location/bangkok, mnist/*.idx*-ubyte.gz).",
        valueName: "folder"))
    var dataDirectory: String?

    @Option(name: .shortAndLong, help: "How many lessons run at once, each in its own process (default: 2 where there are 2 cores or more — the quick profile then takes about a quarter less time — but 1 in the paper profile, whose lessons need several GB each).")
    var jobs: Int?

    /// Lessons at once when `--jobs` is not given: both cores (lessons spend part of their time on
    /// one core: data, attack models, drawing), except in the paper profile, where two lessons at once
    /// would need twice the memory.
    static func defaultJobs(_ profile: RunProfile) -> Int {
        profile == .paper ? 1 : min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// `--jobs`, or the default for the profile.
    var jobCount: Int { jobs ?? Self.defaultJobs(profile) }

    @Flag(name: .customLong("no-cache"), help: "Rerun every lesson and retrain every model instead of reusing stored results.")
    var noCache = false

    @Option(help: ArgumentHelp("The most seconds a cell may run unless it sets timeout=SECONDS (default: the profile's: \(RunOptions.defaultTimeouts.map { "\($0.key.rawValue) \(Int($0.value))" }.sorted().joined(separator: ", "))).",
                               valueName: "seconds"))
    var timeout: Double?

    /// Per-profile cell limits, several times the slowest honest cell of the course in that profile.
    static let defaultTimeouts: [RunProfile: Double] = [.smoke: 300, .quick: 900, .paper: 7200]

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, not \(jobs)") }
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw ValidationError("--timeout takes a number of seconds greater than 0, not \(timeout)")
        }
        if let dataDirectory {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dataDirectory, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidationError("the data folder '\(dataDirectory)' does not exist or is not a folder")
            }
        }
        let ids = Set(Course.current.lessons.map { $0.id })
        // A lesson added since this binary was built is known to the rebuilt one, which checks again.
        let stale = !(Freshness.differences(Course.current)?.isEmpty ?? true)
        for id in lessons where !ids.contains(id) && !stale {
            throw ValidationError("no lesson '\(id)'; `lessons list` shows them")
        }
    }

    /// The settings of a build. The training code (for the model cache) and the course's code (for result
    /// reuse) are fingerprinted here from `code`, the files as `Freshness.ensure` read them when it found the
    /// binary holds them (never from an inherited `MIL_TRAINING_CODE_FINGERPRINT`, which would let a stale
    /// value through). A build takes this once.
    func settings(code: CodeSnapshot) -> RunSettings {
        let environment = CourseEnvironment.current
        return RunSettings(profile: profile, seed: seed ?? RunProfile.seed,
                           dataDirectory: dataDirectory.map { URL(fileURLWithPath: $0) }, retrainModels: noCache, jobs: jobCount,
                           timeout: timeout ?? Self.defaultTimeouts[profile] ?? 900,
                           trainingCodeFingerprint: environment.codeFingerprint(code: CourseEnvironment.trainingCodeFolders, from: code),
                           courseCodeFingerprint: LessonCache.courseCode(from: code))
    }

    var selected: [any CompiledLesson.Type] {
        lessons.isEmpty ? Course.current.lessons : Course.current.lessons.filter { lessons.contains($0.id) }
    }
}
