import ArgumentParser
import Foundation
import LessonCore
import LessonRuntime
import SiteWriter

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

    @Option(help: "Folder of site assets: style.css, and slides.css and slides.js for the decks.")
    var assets: String?

    /// The files every site needs from the assets folder; checked before any lesson runs.
    static let requiredAssets = ["style.css", "slides.css", "slides.js"]

    func validate() throws {
        guard let assets else { return }
        let missing = Self.requiredAssets.filter { !FileManager.default.fileExists(atPath: URL(fileURLWithPath: assets).appendingPathComponent($0).path) }
        guard missing.isEmpty else {
            throw ValidationError("the assets folder '\(assets)' has no \(missing.joined(separator: ", ")); it needs \(Self.requiredAssets.joined(separator: ", ")) (copy them from the course's Assets/)")
        }
    }

    @Flag(help: "Run every lesson, even those whose results are still valid (trained models are still reused).")
    var force = false

    @Flag(help: "After the build, print each lesson's time split into data, training, attacking, synthesis, drawing and the rest, and the slowest cells.")
    var timings = false

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
        if !outcome.kept.isEmpty { notes.append("\(counted(outcome.kept.count, "other lesson")) kept from the previous site") }
        let cachedNote = notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"
        if timings { print(TimingReport.text(executed, reused: Set(outcome.reused))) }
        if failed.isEmpty {
            print("Built \(counted(executed.count, "lesson")) in \(time) s\(cachedNote): all passed. Site: \(index)")
        } else {
            print("Built \(counted(executed.count, "lesson")) in \(time) s\(cachedNote): \(executed.count - failed.count) passed, \(failed.count) failed (\(failed.map { $0.lesson.id }.joined(separator: ", "))). Site: \(index)")
            throw ExitCode(1)
        }
    }
}
