import ArgumentParser
import Foundation
import LessonCore
import LessonRuntime
import SiteWriter

// The stages, with plain values between them:
//
//   Lessons/NN-slug.md ──(Tangle, at build time)──► compiled lesson functions in this binary
//   lessons build ─► for each lesson: child `lessons run-lesson ID` ─► events + stdout ─► OutputManifest
//                 ─► SiteWriter(lessons, manifests) ─► staged site ─► moved into place

/// The `lessons` command line. One subcommand per job; each parses, calls a library function and
/// maps its errors.
public struct LessonsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lessons",
        abstract: "Run the membership-inference course and write it as a static site.",
        subcommands: [Build.self, PreviewCommand.self, List.self, Check.self, Clean.self, GalleryCommand.self, RunLesson.self],
        defaultSubcommand: Build.self)

    public init() {}

    /// Runs the command line for `course`.
    public static func run(course: Course) -> Never {
        Course.current = course
        main()
        Foundation.exit(0)
    }
}

/// Where the stylesheet and other site assets live: `Assets/` in the working directory, else the
/// package this binary was built from.
func defaultAssets() -> URL {
    let local = URL(fileURLWithPath: "Assets")
    if FileManager.default.fileExists(atPath: local.appendingPathComponent("style.css").path) { return local }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Assets")
}

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

    @Option(name: .shortAndLong, help: "How many lessons run at once (each in its own process).")
    var jobs = 1

    @Flag(name: .customLong("no-cache"), help: "Rerun every lesson and retrain every model instead of reusing stored results.")
    var noCache = false

    @Option(help: ArgumentHelp("The most seconds a cell may run unless it sets timeout=SECONDS (default: the profile's: \(RunOptions.defaultTimeouts.map { "\($0.key.rawValue) \(Int($0.value))" }.sorted().joined(separator: ", "))).",
                               valueName: "seconds"))
    var timeout: Double?

    /// Per-profile cell limits, several times the slowest honest cell of the course in that profile.
    static let defaultTimeouts: [RunProfile: Double] = [.smoke: 300, .quick: 900, .paper: 7200]

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, not \(jobs)") }
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

    var settings: RunSettings {
        RunSettings(profile: profile, seed: seed ?? RunProfile.seed,
                           dataDirectory: dataDirectory.map { URL(fileURLWithPath: $0) }, retrainModels: noCache, jobs: jobs,
                           timeout: timeout ?? Self.defaultTimeouts[profile] ?? 900)
    }

    var selected: [any CompiledLesson.Type] {
        lessons.isEmpty ? Course.current.lessons : Course.current.lessons.filter { lessons.contains($0.id) }
    }
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every lesson, each in its own process, and write the site.",
        discussion: """
        Lessons whose cells, profile, seed, data and course code are unchanged since the last build \
        into the same folder are not run again; their results are reused. The new site is assembled \
        beside the old one and replaces it only when it is complete and its links check out.

        Examples:
          lessons build
              the quick profile, into _site/
          lessons build --profile paper -o paper-site
              the paper's sizes (an hour or more on two cores)
          lessons build --lesson 05-shadow-data --seed 7
              one lesson, with another seed
          lessons build --data-dir ../shared/data
              also use the real Location data and the full MNIST
          lessons build --no-cache
              rerun every lesson and retrain every model
        """)

    @OptionGroup var options: RunOptions

    @Option(name: .shortAndLong, help: "The site folder to write.")
    var output = "_site"

    @Option(help: "Folder of site assets (stylesheet).")
    var assets: String?

    @Flag(help: "Run every lesson, even those whose results are still valid (trained models are still reused).")
    var force = false

    func run() throws {
        let course = Course.current
        // Never reuse or run lesson code older than the lesson files: rebuild first when they changed.
        try Freshness.ensure(course)
        let started = Date()
        let settings = options.settings
        let lessons = options.selected
        // Before anything runs: never replace what the runner did not make.
        let destination = try OutputFolder.check(output, verb: "write the site to")
        Interruption.shared.install()
        removeAbandonedScratchFolders()
        let publisher = try SitePublisher(destination: destination)
        let outcome: CourseRun.Outcome
        do {
            let reuseFrom = (force || options.noCache) ? nil : destination
            let ran = try CourseRun(settings: settings, previousSite: reuseFrom, staging: publisher.staging,
                                    publishedAs: destination).run(lessons)
            // A build of some lessons keeps the rest of the course as the previous site had it.
            outcome = options.lessons.isEmpty ? ran
                : try CourseRun(settings: settings, previousSite: destination, staging: publisher.staging)
                    .keepingTheRest(of: course.lessons, ran)
            let writer = SiteWriter(courseTitle: course.title, courseSummary: course.summary, profile: settings.profile.rawValue,
                                    seed: String(settings.seed), observationClaims: PaperObservations.claims)
            do {
                try writer.write(outcome.executed, to: publisher.staging,
                                 assets: assets.map { URL(fileURLWithPath: $0) } ?? defaultAssets())
            } catch {
                throw WriteFailure(path: ((error as NSError).userInfo[NSFilePathErrorKey] as? String) ?? publisher.staging.path, error: error)
            }
            try Interruption.shared.check()
            let broken = try LinkCheck.problems(in: publisher.staging)
            guard broken.isEmpty else {
                throw CLIError("the new site has \(broken.count) broken internal links or images, so the previous site was kept:\n" + broken.prefix(20).joined(separator: "\n"))
            }
            try Interruption.shared.check()
            try publisher.publish(pages: outcome.executed.map { "\($0.lesson.id).html" })
        } catch let interrupted as Interrupted {
            publisher.discard()
            log("Stopped: \(interrupted). The lesson processes were ended and the unfinished site removed; \(destination.path) is as it was.")
            throw ExitCode(interrupted.exitCode)
        } catch let failure as WriteFailure {
            publisher.discard()
            throw CLIError("\(failure); the previous site was kept")
        } catch {
            publisher.discard()
            throw error
        }
        // The lessons this build ran or reused; kept ones are the previous site's, not this build's verdict.
        let executed = outcome.executed.filter { !outcome.kept.contains($0.lesson.id) }
        let failed = executed.filter { $0.manifest.status == .failed }
        let index = destination.appendingPathComponent("index.html").path
        let time = String(format: "%.1f", Date().timeIntervalSince(started))
        let ran = executed.count - outcome.reused.count
        var notes: [String] = []
        if !outcome.reused.isEmpty { notes.append("\(ran) ran, \(outcome.reused.count) reused unchanged") }
        if !outcome.kept.isEmpty { notes.append("\(outcome.kept.count) other lessons kept from the previous site") }
        let cachedNote = notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"
        if failed.isEmpty {
            print("Built \(counted(executed.count, "lesson")) in \(time) s\(cachedNote): all passed. Site: \(index)")
        } else {
            print("Built \(counted(executed.count, "lesson")) in \(time) s\(cachedNote): \(executed.count - failed.count) passed, \(failed.count) failed (\(failed.map { $0.lesson.id }.joined(separator: ", "))). Site: \(index)")
            throw ExitCode(1)
        }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the lessons compiled into this binary.")

    func run() throws {
        for compiled in Course.current.lessons {
            let lesson = try compiled.parsed()
            print("\(lesson.id)\t\(lesson.title)\t\(counted(lesson.cells.count, "cell"))\t\(lesson.path)")
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every lesson and print a report of cells, failures and verdicts; writes no site.",
        discussion: """
        Examples:
          lessons check --profile smoke
              does every lesson still run? (seconds)
          lessons check --parse-only
              are the lesson files well formed?
        """)

    @OptionGroup var options: RunOptions

    @Flag(name: .customLong("parse-only"), help: "Only parse the lesson files on disk and say whether this binary is up to date with them.")
    var parseOnly = false

    @Option(name: .customLong("lessons-folder"), help: "With --parse-only: the folder of lesson files.")
    var folder = "Lessons"

    func run() throws {
        if parseOnly { return try parse() }
        try Freshness.ensure(Course.current)
        Interruption.shared.install()
        removeAbandonedScratchFolders()
        let started = Date()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lessons-check.\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let settings = options.settings
        let outcome: CourseRun.Outcome
        do {
            outcome = try CourseRun(settings: settings, previousSite: nil, staging: scratch).run(options.selected)
        } catch let interrupted as Interrupted {
            try? FileManager.default.removeItem(at: scratch)
            log("Stopped: \(interrupted).")
            throw ExitCode(interrupted.exitCode)
        }
        print(CheckReport(executed: outcome.executed, settings: settings, seconds: Date().timeIntervalSince(started)).text, terminator: "")
        if outcome.executed.contains(where: { $0.manifest.status == .failed }) { throw ExitCode(1) }
    }

    private func parse() throws {
        let url = URL(fileURLWithPath: folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
            .filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }.sorted()
        var problems = 0
        for name in names {
            let path = "\(folder)/\(name)"
            do {
                let data = try Data(contentsOf: url.appendingPathComponent(name))
                let lesson = try Lesson.parse(data: data, path: path)
                if let compiled = Course.current.lesson(id: lesson.id), compiled.source == lesson.source {
                    print("\(path): ok (\(counted(lesson.cells.count, "cell")))")
                } else {
                    print("\(path): ok, but changed since this binary was built; run `swift build`")
                }
            } catch {
                problems += 1
                print("\(error)")
            }
        }
        if problems > 0 { throw ExitCode(1) }
    }
}

/// The text `lessons check` prints: one line per lesson, its failure if any, and each observation's verdict.
struct CheckReport {
    let executed: [ExecutedLesson]
    let settings: RunSettings
    let seconds: Double

    var text: String {
        var lines: [String] = []
        for e in executed {
            let m = e.manifest
            let mark = m.status == .passed ? "passed" : "FAILED"
            lines.append("\(e.lesson.id): \(mark), \(counted(m.cells.count, "cell")) in \(String(format: "%.1f", m.seconds)) s")
            if let failure = m.failure?.error ?? m.lessonError { lines.append("  \(failure)") }
            for o in m.observations {
                lines.append("  \(o.id) \(o.verdict.rawValue): \(o.measured)")
            }
        }
        let failed = executed.filter { $0.manifest.status == .failed }.count
        let verdicts = executed.flatMap { $0.manifest.observations }
        let held = verdicts.filter { $0.verdict == .held }.count
        lines.append("\(executed.count - failed) of \(executed.count) lessons passed; \(held) of \(verdicts.count) observations held (profile \(settings.profile.rawValue), seed \(settings.seed), \(String(format: "%.1f", seconds)) s)")
        return lines.joined(separator: "\n") + "\n"
    }
}

struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove the site folder.")

    @Option(name: .shortAndLong, help: "The site folder to remove (only a folder `lessons build` wrote).")
    var output = "_site"

    func run() throws {
        let folder = try OutputFolder.check(output, verb: "remove")
        guard FileManager.default.fileExists(atPath: folder.path) else {
            print("Nothing to remove: \(folder.path) does not exist.")
            return
        }
        do {
            try FileManager.default.removeItem(at: folder)
        } catch {
            throw CLIError("cannot remove \(folder.path): \(error.localizedDescription)")
        }
        print("Removed \(folder.path).")
    }
}

struct GalleryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery", abstract: "Draw every chart kind and diagram from realistic data into one folder.")

    @Option(name: .shortAndLong, help: "The folder to write the PNG and SVG files into.")
    var output = "_gallery"

    func run() throws {
        let folder = try OutputFolder.check(output, verb: "write the gallery to", replacing: false, suggestion: "_gallery")
        let files = try Gallery.write(to: folder, log: log)
        print("Wrote \(files.count) files to \(folder.path)")
    }
}

/// Runs one lesson in this process; `build` starts one of these per lesson.
struct RunLesson: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run-lesson", shouldDisplay: false)

    @Argument var id: String
    @Option var folder: String
    @Option var prefix: String

    func run() throws {
        guard let compiled = Course.current.lesson(id: id) else { throw CLIError("no lesson '\(id)'") }
        let status = LessonChild.run(compiled, figureFolder: URL(fileURLWithPath: folder), figurePrefix: prefix)
        if status != 0 { throw ExitCode(status) }
    }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
