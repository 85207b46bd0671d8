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
          lessons build --seeds 2017,1-9 --jobs 2
              the course once per seed; each observation's page shows its verdict in every seed
              and its numbers as mean with min–max (each seed's own site is in seeds/<seed>/)
        """)

    @OptionGroup var options: RunOptions

    @Option(name: .shortAndLong, help: "The site folder to write.")
    var output = "_site"

    @Option(help: "Folder of site assets: style.css, and slides.css and slides.js for the decks.")
    var assets: String?

    /// The files every site needs from the assets folder; checked before any lesson runs.
    static let requiredAssets = ["style.css", "slides.css", "slides.js"]

    func validate() throws {
        if executor == .slurm {
            guard let sharedDirectory else {
                throw ValidationError("--executor slurm needs --shared-dir: a folder every node of the cluster sees")
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: sharedDirectory, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidationError("the shared folder '\(sharedDirectory)' does not exist or is not a folder")
            }
            guard options.jobs == nil else {
                throw ValidationError("--jobs does not apply to --executor slurm: Slurm runs as many of the tasks at once as the cluster gives it")
            }
        } else if sharedDirectory != nil || !slurmArguments.isEmpty {
            throw ValidationError("--shared-dir and --slurm-arg only go with --executor slurm")
        }
        guard slurmPoll > 0 && slurmPoll.isFinite else { throw ValidationError("--slurm-poll takes a number of seconds greater than 0") }
        if let seeds {
            guard options.seed == nil else { throw ValidationError("give --seed or --seeds, not both") }
            _ = try SeedList.parse(seeds)
        }
        guard let assets else { return }
        let missing = Self.requiredAssets.filter { !FileManager.default.fileExists(atPath: URL(fileURLWithPath: assets).appendingPathComponent($0).path) }
        guard missing.isEmpty else {
            throw ValidationError("the assets folder '\(assets)' has no \(missing.joined(separator: ", ")); it needs \(Self.requiredAssets.joined(separator: ", ")) (copy them from the course's Assets/)")
        }
    }

    @Option(help: ArgumentHelp("Run the course once for each of these seeds (numbers and ranges: 2017,1-9) and show the spread over them; the first is the one the lesson pages show.", valueName: "seeds"))
    var seeds: String?

    /// The seeds to run: `--seeds`, or the one seed of `--seed` (or its default).
    var seedList: [UInt64] { (try? seeds.map(SeedList.parse))??.seeds ?? [options.seed ?? RunProfile.seed] }

    enum ExecutorKind: String, ExpressibleByArgument, CaseIterable { case local, slurm }

    @Option(help: "Where lessons run: local (child processes here, --jobs at a time) or slurm (one task of a Slurm job array per lesson and seed; needs --shared-dir).")
    var executor = ExecutorKind.local

    @Option(name: .customLong("shared-dir"), help: ArgumentHelp("With --executor slurm: a folder every node of the cluster sees, for the job's files and results.", valueName: "folder"))
    var sharedDirectory: String?

    @Option(name: .customLong("slurm-arg"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("With --executor slurm: an option passed to sbatch as it is (repeatable): --slurm-arg=--partition=short --slurm-arg=--account=cs123 --slurm-arg=--time=2:00:00.", valueName: "option"))
    var slurmArguments: [String] = []

    @Option(name: .customLong("slurm-poll"), help: ArgumentHelp("With --executor slurm: seconds between looks at the queue.", valueName: "seconds"))
    var slurmPoll: Double = 5

    /// Where this build's lessons run.
    var lessonExecutor: any LessonExecutor {
        switch executor {
        case .local: LocalExecutor(jobs: options.jobCount)
        case .slurm: SlurmExecutor(sharedFolder: URL(fileURLWithPath: sharedDirectory ?? ".").standardizedFileURL,
                                   sbatchArguments: slurmArguments, pollInterval: slurmPoll)
        }
    }

    @Flag(help: "Run every lesson, even those whose results are still valid (trained models are still reused).")
    var force = false

    @Flag(help: "After the build, print each lesson's time split into data, training, attacking, synthesis, drawing and the rest, and the slowest cells.")
    var timings = false

    /// Where the previous site keeps a seed's results: the folder whose manifests say they were made
    /// with that seed (the top of the site, or `seeds/<seed>/`), else `usually` (where this build
    /// puts that seed). A sweep whose seeds were reordered still finds each seed's results.
    static func previousSite(ofSeed seed: UInt64, in site: URL, usually folder: String) -> URL {
        let fm = FileManager.default
        let candidates = [site, site.appendingPathComponent("seeds/\(seed)")]
        for candidate in candidates {
            let lessons = (try? fm.contentsOfDirectory(atPath: candidate.path)) ?? []
            for lesson in lessons.sorted() {
                let file = candidate.appendingPathComponent(lesson).appendingPathComponent("manifest.json")
                guard let data = try? Data(contentsOf: file),
                      let manifest = try? JSONDecoder().decode(OutputManifest.self, from: data), let recorded = manifest.seed else { continue }
                if recorded == String(seed) { return candidate }
                break
            }
        }
        return folder.isEmpty ? site : site.appendingPathComponent(folder)
    }

    func run() throws {
        let course = Course.current
        // Never reuse or run lesson code older than the lesson files: rebuild first when they changed.
        let code = try Freshness.ensure(course)
        let started = Date()
        let settings = options.settings(code: code)
        let lessons = options.selected
        // Before anything runs: never replace what the runner did not make.
        let destination = try OutputFolder.check(output, verb: "write the site to")
        if executor == .slurm, let sharedDirectory {
            // Job folders go in there: never into the course's own folders, and never into the site
            // (publishing replaces it, and a later build would refuse a site with foreign folders).
            let shared = try OutputFolder.check(sharedDirectory, verb: "put Slurm job folders in", replacing: false,
                                                suggestion: "~/lessons-jobs")
            if OutputFolder.isSame(shared, destination) || OutputFolder.isInside(shared, destination) {
                throw CLIError("refusing to put Slurm job folders in \(shared.path): it is \(OutputFolder.isSame(shared, destination) ? "" : "inside ")the site folder, which this build replaces; choose a folder of its own such as ~/lessons-jobs")
            }
        }
        Interruption.shared.install()
        removeAbandonedScratchFolders()
        let publisher = try SitePublisher(destination: destination)
        var outcomes: [CourseRun.Outcome] = []
        do {
            let reuseFrom = (force || options.noCache) ? nil : destination
            // One run per seed: the first (the primary) at the top of the site, every other in seeds/<seed>/.
            let seeds = seedList
            let folders = seeds.indices.map { SeedSweep.folder(ofSeed: String(seeds[$0]), primary: $0 == 0) }
            func inside(_ site: URL, _ folder: String) -> URL { folder.isEmpty ? site : site.appendingPathComponent(folder) }
            // Where the previous site keeps each seed's results: to reuse, to keep, and to time the lessons by.
            let located = seeds.indices.map { Self.previousSite(ofSeed: seeds[$0], in: destination, usually: folders[$0]) }
            let runs = seeds.indices.map { i -> CourseRun in
                var seeded = settings
                seeded.seed = seeds[i]
                return CourseRun(settings: seeded, previousSite: reuseFrom == nil ? nil : located[i],
                                 staging: inside(publisher.staging, folders[i]), publishedAs: inside(destination, folders[i]),
                                 history: located[i])
            }
            let ran = try CourseRun.run(runs, lessons, executor: lessonExecutor)
            // A build of some lessons keeps the rest of the course as the previous site had it.
            outcomes = try runs.indices.map { i in
                options.lessons.isEmpty ? ran[i]
                    : try CourseRun(settings: runs[i].settings, previousSite: located[i], staging: runs[i].staging)
                        .keepingTheRest(of: course.lessons, ran[i])
            }
            var sweep: SeedSweep?
            if runs.count > 1 {
                var all = SeedSweep(runs: seeds.indices.map { i in
                    SeedSweep.Run(seed: String(seeds[i]), folder: folders[i], lessons: outcomes[i].executed)
                })
                all.figures = try SweepFigures.draw(all, into: publisher.staging)
                sweep = all
            }
            let assetsFolder = assets.map { URL(fileURLWithPath: $0) } ?? defaultAssets()
            for (i, run) in runs.enumerated() {
                var writer = SiteWriter(courseTitle: course.title, courseSummary: course.summary, profile: settings.profile.rawValue,
                                        seed: String(run.settings.seed), observationClaims: PaperObservations.claims)
                if i == 0 {
                    writer.sweep = sweep
                } else {
                    writer.sweepBanner = SeedSweep.Banner(seed: String(seeds[i]), seeds: seeds.map(String.init))
                }
                do {
                    try writer.write(outcomes[i].executed, to: run.staging, assets: assetsFolder)
                } catch {
                    throw WriteFailure(path: ((error as NSError).userInfo[NSFilePathErrorKey] as? String) ?? run.staging.path, error: error)
                }
            }
            try Interruption.shared.check()
            let broken = try LinkCheck.problems(in: publisher.staging)
            guard broken.isEmpty else {
                throw CLIError("the new site has \(broken.count) broken internal links or images, so the previous site was kept:\n" + broken.prefix(20).joined(separator: "\n"))
            }
            try Interruption.shared.check()
            // Every seed's site must be whole: its front page and every lesson page it shows.
            try publisher.publish(pages: zip(folders, outcomes).flatMap { folder, outcome in
                [folder + "index.html"] + outcome.executed.map { folder + $0.pageName }
            })
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
        let executed = outcomes.flatMap { outcome in outcome.executed.filter { !outcome.kept.contains($0.lesson.id) } }
        let reused = outcomes.flatMap(\.reused), kept = outcomes.flatMap(\.kept)
        let failed = executed.filter { $0.manifest.status == .failed }
        /// A failed lesson's name in the summary: with its seed when the build ran several.
        func named(_ e: ExecutedLesson) -> String { outcomes.count > 1 ? "\(e.lesson.id) seed \(e.manifest.seed ?? "?")" : e.lesson.id }
        let index = destination.appendingPathComponent("index.html").path
        let time = String(format: "%.1f", Date().timeIntervalSince(started))
        let ran = executed.count - reused.count
        var notes: [String] = []
        if outcomes.count > 1 { notes.append("\(outcomes.count) seeds") }
        if !reused.isEmpty { notes.append("\(ran) ran, \(reused.count) reused unchanged") }
        if !kept.isEmpty { notes.append("\(counted(kept.count, "other lesson")) kept from the previous site") }
        let cachedNote = notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"
        if timings {
            for (outcome, seed) in zip(outcomes, seedList) {
                if outcomes.count > 1 { print("Seed \(seed):") }
                print(TimingReport.text(outcome.executed.filter { !outcome.kept.contains($0.lesson.id) }, reused: Set(outcome.reused)))
            }
        }
        if failed.isEmpty {
            print("Built \(counted(executed.count, "lesson")) in \(time) s\(cachedNote): all passed. Site: \(index)")
        } else {
            print("Built \(counted(executed.count, "lesson")) in \(time) s\(cachedNote): \(executed.count - failed.count) passed, \(failed.count) failed (\(failed.map(named).joined(separator: ", "))). Site: \(index)")
            throw ExitCode(1)
        }
    }
}
