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
        subcommands: [Build.self, List.self, Check.self, Clean.self, GalleryCommand.self, RunLesson.self],
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

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every lesson, each in its own process, and write the site.")

    @Option(name: .shortAndLong, help: "The site folder to write.")
    var output = "_site"

    @Option(help: "Run profile: quick (minutes on a laptop) or paper (the paper's sizes).")
    var profile = "quick"

    @Option(name: .customLong("only"), help: "Run only these lesson ids (the others are not in the site).")
    var only: [String] = []

    @Option(help: "Folder of site assets (stylesheet).")
    var assets: String?

    @Flag(help: "Run every lesson, even those whose results in the existing site are still valid.")
    var force = false

    func validate() throws {
        guard RunProfile(rawValue: profile) != nil else {
            throw ValidationError("unknown profile '\(profile)'; choose \(RunProfile.allCases.map(\.rawValue).joined(separator: " or "))")
        }
        let ids = Set(Course.current.lessons.map { $0.id })
        for id in only where !ids.contains(id) {
            throw ValidationError("no lesson '\(id)'; `lessons list` shows them")
        }
    }

    func run() throws {
        let course = Course.current
        let started = Date()
        let lessons = only.isEmpty ? course.lessons : course.lessons.filter { only.contains($0.id) }
        let publisher = try SitePublisher(destination: URL(fileURLWithPath: output))
        var executed: [ExecutedLesson] = []
        let cache = LessonCache(profile: profile)
        var reused: [String] = []
        do {
            for (n, compiled) in lessons.enumerated() {
                let lesson = try compiled.parsed()
                if !force, let manifest = cache.reuse(lesson, previousSite: URL(fileURLWithPath: output), staging: publisher.staging) {
                    log("[\(n + 1)/\(lessons.count)] \(lesson.id): unchanged, reusing the previous run's results")
                    executed.append(ExecutedLesson(lesson: lesson, manifest: manifest))
                    reused.append(lesson.id)
                    continue
                }
                log("[\(n + 1)/\(lessons.count)] \(lesson.id): running \(lesson.cells.filter(\.runs).count) cells…")
                let manifest = try LessonProcess.run(lesson: lesson, siteFolder: publisher.staging, profile: profile)
                cache.store(lesson, manifest: manifest, in: publisher.staging)
                executed.append(ExecutedLesson(lesson: lesson, manifest: manifest))
                if let failure = manifest.failure?.error ?? manifest.lessonError {
                    log("  ✗ \(failure)")
                } else {
                    log("  ✓ \(lesson.id) passed in \(String(format: "%.1f", manifest.seconds)) s")
                }
            }
            let writer = SiteWriter(courseTitle: course.title, courseSummary: course.summary, profile: profile,
                                    seed: String(RunProfile.seed), observationClaims: PaperObservations.claims)
            try writer.write(executed, to: publisher.staging,
                             assets: assets.map { URL(fileURLWithPath: $0) } ?? defaultAssets())
            let broken = try LinkCheck.problems(in: publisher.staging)
            guard broken.isEmpty else {
                throw CLIError("the new site has \(broken.count) broken internal links or images, so the previous site was kept:\n" + broken.prefix(20).joined(separator: "\n"))
            }
            try publisher.publish()
        } catch {
            publisher.discard()
            throw error
        }
        let failed = executed.filter { $0.manifest.status == .failed }
        let index = URL(fileURLWithPath: output).standardizedFileURL.appendingPathComponent("index.html").path
        let time = String(format: "%.1f", Date().timeIntervalSince(started))
        let ran = executed.count - reused.count
        let cachedNote = reused.isEmpty ? "" : " (\(ran) ran, \(reused.count) reused unchanged)"
        if failed.isEmpty {
            print("Built \(executed.count) lessons in \(time) s\(cachedNote): all passed. Site: \(index)")
        } else {
            print("Built \(executed.count) lessons in \(time) s\(cachedNote): \(executed.count - failed.count) passed, \(failed.count) failed (\(failed.map { $0.lesson.id }.joined(separator: ", "))). Site: \(index)")
            throw ExitCode(1)
        }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the lessons compiled into this binary.")

    func run() throws {
        for compiled in Course.current.lessons {
            let lesson = try compiled.parsed()
            print("\(lesson.id)\t\(lesson.title)\t\(lesson.cells.count) cells\t\(lesson.path)")
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse the lessons on disk and say whether this binary is up to date with them.")

    @Option(help: "The folder of lesson files.")
    var lessons = "Lessons"

    func run() throws {
        let folder = URL(fileURLWithPath: lessons)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }.sorted()
        var problems = 0
        for name in names {
            let path = "\(lessons)/\(name)"
            do {
                let data = try Data(contentsOf: folder.appendingPathComponent(name))
                let lesson = try Lesson.parse(data: data, path: path)
                if let compiled = Course.current.lesson(id: lesson.id), compiled.source == lesson.source {
                    print("\(path): ok (\(lesson.cells.count) cells)")
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

struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove the site folder.")

    @Option(name: .shortAndLong, help: "The site folder to remove.")
    var output = "_site"

    func run() throws {
        try? FileManager.default.removeItem(atPath: output)
    }
}

struct GalleryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery", abstract: "Draw every chart kind and diagram from realistic data into one folder.")

    @Option(name: .shortAndLong, help: "The folder to write the PNG and SVG files into.")
    var output = "_gallery"

    func run() throws {
        let files = try Gallery.write(to: URL(fileURLWithPath: output), log: log)
        print("Wrote \(files.count) files to \(URL(fileURLWithPath: output).standardizedFileURL.path)")
    }
}

/// Runs one lesson in this process; `build` starts one of these per lesson.
struct RunLesson: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run-lesson", shouldDisplay: false)

    @Argument var id: String
    @Option var folder: String
    @Option var prefix: String
    @Option var events: String
    @Option var token: String

    func run() throws {
        guard let compiled = Course.current.lesson(id: id) else { throw CLIError("no lesson '\(id)'") }
        let session = try LessonSession(lesson: try compiled.parsed(),
                                        figureFolder: URL(fileURLWithPath: folder), figurePrefix: prefix,
                                        eventLog: URL(fileURLWithPath: events), token: token)
        LessonSession.current = session
        do {
            try compiled.run(CellRunner(session: session))
        } catch {
            session.fail(error)
            throw ExitCode(1)
        }
    }
}

func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
