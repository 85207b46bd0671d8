import ArgumentParser
import Foundation
import LessonCore
import LessonRuntime
import SiteWriter

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

    @Flag(name: .customLong("parse-only"), help: "Only check the lesson files on disk as the build's tangling step would (names, Markdown, cells; every problem in every file, but not the compiler's type checks) and say whether this binary is up to date with them.")
    var parseOnly = false

    @Flag(name: .customLong("freshness-only"), help: "Only make sure this binary holds the course's code and lessons: run `swift build` and continue with the new binary if they changed, and record which code it holds; run nothing. `make test` runs it before the tests, under whose `swift test` no rebuild can run.")
    var freshnessOnly = false

    @Option(name: .customLong("lessons-folder"), help: "With --parse-only: the folder of lesson files.")
    var folder = "Lessons"

    func run() throws {
        if parseOnly { return try parse() }
        let code = try Freshness.ensure(Course.current)
        if freshnessOnly {
            print(Course.current.folder == nil
                  ? "No course sources here to compare with: this binary runs the lessons compiled into it."
                  : "This binary holds the course's code and lessons.")
            return
        }
        Interruption.shared.install()
        removeAbandonedScratchFolders()
        let started = Date()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lessons-check.\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let settings = options.settings(code: code)
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

    /// Checks the lesson files on disk as the build's tangling step does (names, Markdown, cells and the code
    /// the tangler accepts; not the compiler's type checks), printing every problem in every file rather than
    /// stopping at the first as `swift build` does.
    private func parse() throws {
        let url = URL(fileURLWithPath: folder)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path)
                .filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }.sorted()
        } catch {
            throw CLIError("cannot read the lessons folder \(folder): \(systemReason(error))")
        }
        let nameProblems = LessonNames.problems(fileNames: names, folder: folder)
        for problem in nameProblems { print("\(problem)") }
        var problems = nameProblems.count
        let misnamed = Set(nameProblems.map(\.path))
        for name in names {
            let path = "\(folder)/\(name)"
            do {
                let data = try Data(contentsOf: url.appendingPathComponent(name))
                let lesson = try Lesson.parse(data: data, path: path)
                _ = try Tangler.swiftSource(for: lesson)
                if misnamed.contains(path) { continue } // already reported; its contents are fine
                if let compiled = Course.current.lesson(id: lesson.id), compiled.source == lesson.source {
                    print("\(path): ok (\(counted(lesson.cells.count, "cell")))")
                } else {
                    print("\(path): ok, but changed since this binary was built; run `swift build`")
                }
            } catch let error as LessonError {
                problems += 1
                print("\(error)")
            } catch {
                problems += 1
                print("\(path):1:1: error: cannot read the file: \(systemReason(error))")
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
