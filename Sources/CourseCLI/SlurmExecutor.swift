import Foundation
import LessonCore
import LessonRuntime

/// Runs lessons as the tasks of one Slurm job array (`--executor slurm --shared-dir DIR`).
///
/// Everything a task needs is put in a job folder inside the shared folder, which every node sees:
/// a copy of this very executable (so nodes run the code this build runs, even if the course is
/// rebuilt meanwhile), `units.json` (each task's lesson and settings) and `logs/`. Task N runs
/// `lessons run-task units.json N`: the lesson as a child process, with the same time limits as a
/// local build, into `results/N/`, then a `done` file. This process waits, watching `squeue` and the
/// done files, reports each task as it starts and ends, copies each result into the site being
/// built, submits a task that ended without a result once more, stops the build with the task's
/// Slurm log when it fails twice, and cancels the whole array (`scancel`) on Ctrl-C or any stop.
struct SlurmExecutor: LessonExecutor {
    /// A folder every node of the cluster sees at the same path.
    var sharedFolder: URL
    /// Options passed to `sbatch` as they are: `--partition=…`, `--account=…`, `--time=…`, `--mem=…`.
    var sbatchArguments: [String] = []
    /// Seconds between looks at the queue.
    var pollInterval: Double = 5
    /// How long the queue may stay unreadable (`squeue` failing) before the build gives up.
    var queueSilenceLimit: Double = 120

    /// What a task is given: its lesson, its settings, where to write.
    struct Task: Codable {
        var lessonID: String
        var profile: String
        var seed: UInt64
        var dataDirectory: String?
        var retrainModels: Bool
        var timeout: Double
        /// The folder the lesson's own folder goes into.
        var results: String
        /// Where the lesson's log will be once the site is published (for messages).
        var logShownAs: String
        /// The build's working directory (the course), so relative settings mean the same on a node.
        var courseDirectory: String

        var settings: RunSettings? {
            guard let profile = RunProfile(rawValue: profile) else { return nil }
            return RunSettings(profile: profile, seed: seed, dataDirectory: dataDirectory.map { URL(fileURLWithPath: $0) },
                               retrainModels: retrainModels, jobs: 1, timeout: timeout)
        }
    }

    static let doneFile = "done"

    func run(_ units: [LessonUnit], started: @escaping @Sendable (Int) -> Void,
             finished: @escaping @Sendable (Int, OutputManifest) -> Void) throws {
        guard !units.isEmpty else { return }
        let fm = FileManager.default
        let job = try makeJobFolder()
        let here = fm.currentDirectoryPath
        let tasks = units.enumerated().map { i, unit in
            Task(lessonID: unit.lesson.id, profile: unit.settings.profile.rawValue, seed: unit.settings.seed,
                 dataDirectory: unit.settings.dataDirectory?.standardizedFileURL.path, retrainModels: unit.settings.retrainModels,
                 timeout: unit.settings.timeout, results: job.appendingPathComponent("results/\(i)").path,
                 logShownAs: unit.logShownAs, courseDirectory: here)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(encoder.encode(tasks), to: job.appendingPathComponent("units.json"))
        let script = """
            #!/bin/sh
            # One task of a lessons build: the lesson and seed of units.json entry $SLURM_ARRAY_TASK_ID.
            exec '\(job.path)/bin/lessons' run-task '\(job.path)/units.json' "$SLURM_ARRAY_TASK_ID"

            """
        try write(Data(script.utf8), to: job.appendingPathComponent("task.sh"))
        chmod(job.appendingPathComponent("task.sh").path, 0o755)

        var queue = Queue(job: job, sbatchArguments: sbatchArguments)
        defer { queue.cancelAll() }
        try queue.submit(Array(units.indices))
        log("Submitted \(counted(units.count, "task")) to Slurm as job \(queue.jobIDs[0]) (job folder \(job.path)); waiting for them…")

        var attempts = Array(repeating: 1, count: units.count)
        var seenRunning = Set<Int>()
        var ended = Set<Int>()
        var lastAnswer = Date()
        while ended.count < units.count {
            try Interruption.shared.check()
            guard let listing = queue.listing() else {
                if Date().timeIntervalSince(lastAnswer) > queueSilenceLimit {
                    throw CLIError("Slurm's queue did not answer for \(Int(queueSilenceLimit)) s (squeue failed); the tasks were cancelled. Job folder: \(job.path)")
                }
                Thread.sleep(forTimeInterval: pollInterval)
                continue
            }
            lastAnswer = Date()
            var retry: [Int] = []
            for i in units.indices where !ended.contains(i) {
                let state = listing[i]
                if state == "RUNNING" || state == "COMPLETING", seenRunning.insert(i).inserted { started(i) }
                let results = URL(fileURLWithPath: tasks[i].results)
                // A task's result counts only once its done file is there; the queue may still list it.
                if fm.fileExists(atPath: results.appendingPathComponent(Self.doneFile).path) {
                    if seenRunning.insert(i).inserted { started(i) }
                    let manifest = try collect(units[i], from: results)
                    ended.insert(i)
                    finished(i, manifest)
                } else if state == nil {
                    // Gone from the queue without a result: look once more (the file may have just landed).
                    if fm.fileExists(atPath: results.appendingPathComponent(Self.doneFile).path) { continue }
                    let slurmLog = queue.logPath(task: i)
                    guard attempts[i] < 2 else {
                        throw CLIError("\(units[i].name) failed twice on Slurm (task \(queue.taskName(i))); its Slurm log: \(slurmLog). The other tasks were cancelled and the previous site was kept.")
                    }
                    attempts[i] += 1
                    seenRunning.remove(i)
                    try? fm.removeItem(at: results)
                    log("  ! \(units[i].name): Slurm task \(queue.taskName(i)) ended without a result (log: \(slurmLog)); submitting it once more")
                    retry.append(i)
                }
            }
            if !retry.isEmpty { try queue.submit(retry) }
            if ended.count < units.count { Thread.sleep(forTimeInterval: pollInterval) }
        }
    }

    /// `<shared>/lessons-job-<date>-<pid>/` with the executable copied into `bin/`.
    func makeJobFolder() throws -> URL {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: sharedFolder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw CLIError("the shared folder '\(sharedFolder.path)' does not exist; --shared-dir must name a folder every node of the cluster sees")
        }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let job = sharedFolder.appendingPathComponent("lessons-job-\(stamp)-\(getpid())")
        do {
            for sub in ["bin", "logs", "results"] {
                try fm.createDirectory(at: job.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            #if os(Linux)
            let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            #else
            let me = Bundle.main.executableURL!
            #endif
            try fm.copyItem(at: me, to: job.appendingPathComponent("bin/lessons"))
        } catch {
            throw CLIError("cannot prepare the Slurm job in \(job.path): \(error.localizedDescription)")
        }
        return job
    }

    /// The task's lesson folder, moved into the site being built; its manifest.
    func collect(_ unit: LessonUnit, from results: URL) throws -> OutputManifest {
        let fm = FileManager.default
        let source = results.appendingPathComponent(unit.lesson.id)
        let target = unit.siteFolder.appendingPathComponent(unit.lesson.id)
        guard let data = try? Data(contentsOf: source.appendingPathComponent("manifest.json")),
              let manifest = try? JSONDecoder().decode(OutputManifest.self, from: data) else {
            throw CLIError("\(unit.name): the Slurm task said it was done but left no readable manifest in \(source.path)")
        }
        do {
            try fm.createDirectory(at: unit.siteFolder, withIntermediateDirectories: true)
            try? fm.removeItem(at: target)
            try fm.copyItem(at: source, to: target)
        } catch {
            throw WriteFailure(path: target.path, error: error)
        }
        return manifest
    }

    func write(_ data: Data, to file: URL) throws {
        do { try data.write(to: file) } catch { throw WriteFailure(path: file.path, error: error) }
    }

    /// The job array as submitted: every `sbatch` of this build and which job holds which task.
    struct Queue {
        let job: URL
        let sbatchArguments: [String]
        private(set) var jobIDs: [String] = []
        /// For each unit, the job that ran (or runs) it last.
        private var jobOf: [Int: String] = [:]

        init(job: URL, sbatchArguments: [String]) {
            self.job = job
            self.sbatchArguments = sbatchArguments
        }

        mutating func submit(_ indices: [Int]) throws {
            let array = indices.map(String.init).joined(separator: ",")
            let arguments = ["--parsable", "--job-name=lessons", "--array=\(array)",
                             "--output=\(job.path)/logs/%A_%a.out", "--chdir=\(FileManager.default.currentDirectoryPath)"]
                + sbatchArguments + [job.appendingPathComponent("task.sh").path]
            let (status, out, err) = Command.run("sbatch", arguments)
            let id = out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
            guard status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
                throw CLIError("sbatch failed\(status == 127 ? " (is Slurm installed here? sbatch was not found)" : ""): \(err.isEmpty ? out : err)")
            }
            jobIDs.append(id)
            for i in indices { jobOf[i] = id }
        }

        func taskName(_ i: Int) -> String { "\(jobOf[i] ?? "?")_\(i)" }
        func logPath(task i: Int) -> String { "\(job.path)/logs/\(taskName(i)).out" }

        /// Each unit's state in the queue ("PENDING", "RUNNING", …); a unit not listed has left the
        /// queue. Nil when squeue cannot be read.
        func listing() -> [Int: String]? {
            // All of this user's tasks, one per line: asking for the job ids instead fails once a job
            // has left Slurm's memory, which would hide the tasks of the jobs still running.
            let (status, out, _) = Command.run("squeue", ["-h", "-r", "--me", "-o", "%i %T"])
            guard status == 0 else { return nil }
            var states: [Int: String] = [:]
            for line in out.split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard parts.count == 2 else { continue }
                let id = parts[0].split(separator: "_")
                guard id.count == 2, let task = Int(id[1]), jobOf[task] == String(id[0]) else { continue }
                states[task] = String(parts[1])
            }
            return states
        }

        /// Cancels every job of this build (quietly: most have ended by the time this runs).
        func cancelAll() {
            guard !jobIDs.isEmpty else { return }
            _ = Command.run("scancel", jobIDs)
        }
    }
}

/// Runs an external program and waits: its exit status, stdout and stderr (127 when it cannot start).
enum Command {
    static func run(_ name: String, _ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (127, "", "\(error)") }
        // Read both to the end before waiting, so a full pipe never blocks the program.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
