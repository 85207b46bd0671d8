import Foundation
import LessonCore
import LessonRuntime

/// Runs lessons as the tasks of Slurm job arrays (`--executor slurm --shared-dir DIR`).
///
/// Everything a task needs is put in a job folder inside the shared folder, which every node sees:
/// a copy of this very executable (so the nodes run the code this build runs, even if the course is
/// rebuilt meanwhile), `units.json` (each unit's lesson, settings and environment) and `logs/`. A task
/// runs `lessons run-task units.json UNIT ATTEMPT`: the lesson as a child process, with the same
/// time limits as a local build, into `results/UNIT-ATTEMPT/`, then a `done` file there.
///
/// This process waits, watching the queue and the done files; reports each task as it starts and
/// ends; copies each result into the site being built; submits once more a task that left the queue
/// without a result (after Slurm confirms it failed, or after `resultGrace` seconds for a shared file
/// system to show a late result); stops the build with the task's Slurm log when it fails twice; and
/// cancels every array it submitted when it stops for any reason, Ctrl-C included.
struct SlurmExecutor: LessonExecutor {
    /// A folder every node of the cluster sees at the same path.
    var sharedFolder: URL
    /// Options passed to `sbatch` as they are: `--partition=…`, `--account=…`, `--time=…`, `--mem=…`.
    var sbatchArguments: [String] = []
    /// Seconds between looks at the queue.
    var pollInterval: Double = 5
    /// How long the queue may stay unreadable (`squeue` failing) before the build gives up.
    var queueSilenceLimit: Double = 300
    /// How long a task that left the queue, and that Slurm does not say failed, may take to show its
    /// result (network file systems cache "no such file" for up to a minute).
    var resultGrace: Double = 90
    /// How often to say what the tasks still wait for, when nothing else happened.
    var waitingNoteInterval: Double = 300
    /// The most tasks in one array: Slurm's default MaxArraySize is 1001 (indices 0–1000).
    static let arrayLimit = 1000
    /// States in which Slurm has given up on a task for good.
    static let failedStates: Set<String> = ["FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "BOOT_FAIL",
                                            "DEADLINE", "PREEMPTED", "REVOKED", "SPECIAL_EXIT"]

    /// What a task is given: its lesson, its settings, where to write, and the environment the build
    /// started with (model cache, data paths), so a node sees what the login node saw.
    struct TaskSpec: Codable {
        var lessonID: String
        /// How its live lines are tagged: `05-shadow-data, seed 3`.
        var name: String
        var settings: RunSettings
        var environment: [String: String]
        /// Where the lesson's log will be once the site is published (for messages).
        var logShownAs: String
        /// The build's working directory (the course), so relative settings mean the same on a node.
        var courseDirectory: String
    }

    static let doneFile = "done"

    /// A unit's result folder for one attempt: attempts never share a folder, so a late file from a
    /// first attempt cannot mix with a second's.
    static func results(in job: URL, unit: Int, attempt: Int) -> URL {
        job.appendingPathComponent("results/\(unit)-\(attempt)")
    }

    func run(_ units: [LessonUnit], started: @escaping @Sendable (Int) -> Void,
             finished: @escaping @Sendable (Int, OutputManifest) -> Void) throws {
        guard !units.isEmpty else { return }
        let job = try makeJobFolder()
        let here = FileManager.default.currentDirectoryPath
        var passed = CourseEnvironment.current.variables.filter { $0.key.hasPrefix("MIL_") }
        passed.removeValue(forKey: CourseEnvironment.Variable.parentProcess.rawValue)
        let specs = units.map { unit in
            TaskSpec(lessonID: unit.lesson.id, name: unit.name, settings: unit.settings, environment: passed.merging(unit.settings.environment) { $1 },
                     logShownAs: unit.logShownAs, courseDirectory: here)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(encoder.encode(specs), to: job.appendingPathComponent("units.json"))
        let control = SlurmCommands(job: job, sbatchArguments: sbatchArguments)
        var waiter = Waiter(executor: self, job: job, units: units, control: control)
        try waiter.run(started: started, finished: finished)
        // The results are in the site now; the logs stay for whoever wants to read them.
        for folder in ["bin", "results"] { try? FileManager.default.removeItem(at: job.appendingPathComponent(folder)) }
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

    func write(_ data: Data, to file: URL) throws {
        do { try data.write(to: file) } catch { throw WriteFailure(path: file.path, error: error) }
    }
}

/// What the executor asks of Slurm; `SlurmCommands` asks the real one, tests a fake.
protocol SlurmControl {
    /// Submits one array whose task i runs `units[i]`'s given attempt; returns the job id.
    mutating func submit(units: [Int], attempt: Int) throws -> String
    /// The tasks in the queue, by "JOB_INDEX": state and reason ("PENDING", "Priority"). Nil when the
    /// queue cannot be read.
    func queue() -> [String: (state: String, reason: String)]?
    /// What Slurm remembers of a task that left the queue ("COMPLETED", "FAILED", "CANCELLED", …), if anything.
    func finalState(of task: String) -> String?
    /// Cancels these jobs, quietly.
    func cancel(_ jobs: [String])
    /// The Slurm log of a task.
    func logPath(of task: String) -> String
}

extension SlurmExecutor {
    /// The waiting loop, apart from how Slurm is asked, so that it can be tested with a fake queue.
    struct Waiter<Control: SlurmControl> {
        let executor: SlurmExecutor
        let job: URL
        let units: [LessonUnit]
        var control: Control
        var now: () -> Date = Date.init
        var sleep: (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }

        mutating func run(started: @escaping @Sendable (Int) -> Void, finished: @escaping @Sendable (Int, OutputManifest) -> Void) throws {
            let fm = FileManager.default
            var attempt = Array(repeating: 1, count: units.count)
            /// Each unit's current task ("JOB_INDEX").
            var task: [Int: String] = [:]
            var jobs: [String] = []
            let cancelEverything = { [control] (jobs: [String]) in control.cancel(jobs) }
            defer {
                cancelEverything(jobs)
                Interruption.shared.beforeImmediateExit(nil)
            }
            func submit(_ indices: [Int], attempt number: Int) throws {
                for start in stride(from: 0, to: indices.count, by: SlurmExecutor.arrayLimit) {
                    let chunk = Array(indices[start..<min(start + SlurmExecutor.arrayLimit, indices.count)])
                    let id = try control.submit(units: chunk, attempt: number)
                    jobs.append(id)
                    // On record in the job folder: a build killed hard (SIGKILL, a lost login) cannot
                    // cancel its arrays, and whoever cleans up needs their ids.
                    try? Data(jobs.joined(separator: "\n").appending("\n").utf8).write(to: job.appendingPathComponent("jobs"))
                    for (k, unit) in chunk.enumerated() { task[unit] = "\(id)_\(k)" }
                    // A second Ctrl-C exits at once: the arrays are cancelled first.
                    let all = jobs
                    Interruption.shared.beforeImmediateExit { cancelEverything(all) }
                }
            }
            try submit(Array(units.indices), attempt: 1)
            log("Submitted \(counted(units.count, "task")) to Slurm as job \(jobs.joined(separator: ", ")) (job folder \(job.path)); waiting for them…")

            var seenRunning = Set<Int>()
            var ended = Set<Int>()
            /// How far each task's Slurm log has been echoed, so its lesson's live lines show as they
            /// would in a local build.
            var echoed: [String: UInt64] = [:]
            func echo(_ task: String) {
                guard let handle = FileHandle(forReadingAtPath: control.logPath(of: task)) else { return }
                defer { try? handle.close() }
                let start = echoed[task] ?? 0
                try? handle.seek(toOffset: start)
                let data = handle.readDataToEndOfFile()
                // Whole lines only; a line still being written waits for the next look.
                guard let last = data.lastIndex(of: 0x0A) else { return }
                let chunk = data[data.startIndex...last]
                echoed[task] = start + UInt64(chunk.count)
                for line in String(decoding: chunk, as: UTF8.self).split(separator: "\n") where line.hasPrefix("    │ ") {
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                }
            }
            /// Units that left the queue without a result, and since when.
            var missingSince: [Int: Date] = [:]
            var lastAnswer = now(), lastNews = now()
            while ended.count < units.count {
                try Interruption.shared.check()
                guard let queue = control.queue() else {
                    if now().timeIntervalSince(lastAnswer) > executor.queueSilenceLimit {
                        throw CLIError("Slurm's queue did not answer for \(Int(executor.queueSilenceLimit)) s (squeue failed); the tasks were cancelled. Job folder: \(job.path)")
                    }
                    sleep(executor.pollInterval)
                    continue
                }
                lastAnswer = now()
                var retry: [Int] = []
                for i in units.indices where !ended.contains(i) {
                    let name = task[i]!
                    let entry = queue[name]
                    if let state = entry?.state, state == "RUNNING" || state == "COMPLETING", seenRunning.insert(i).inserted {
                        started(i)
                        lastNews = now()
                    }
                    if seenRunning.contains(i) { echo(name) }
                    let results = SlurmExecutor.results(in: job, unit: i, attempt: attempt[i])
                    // A result counts only once its done file is there; the queue may still list the task.
                    if fm.fileExists(atPath: results.appendingPathComponent(SlurmExecutor.doneFile).path) {
                        if seenRunning.insert(i).inserted { started(i) }
                        echo(name)
                        finished(i, try collect(units[i], from: results))
                        ended.insert(i)
                        lastNews = now()
                        continue
                    }
                    guard entry == nil else { missingSince[i] = nil; continue }
                    // Gone from the queue without a result: failed if Slurm says so; otherwise give a
                    // shared file system time to show the result.
                    let since = missingSince[i] ?? now()
                    missingSince[i] = since
                    let final = control.finalState(of: name)
                    let failed = final.map { SlurmExecutor.failedStates.contains($0) } ?? false
                    guard failed || now().timeIntervalSince(since) >= executor.resultGrace else { continue }
                    let why = final.map { "ended \($0)" } ?? "left the queue"
                    guard attempt[i] < 2 else {
                        throw CLIError("\(units[i].name) failed twice on Slurm (task \(name) \(why) without a result); its Slurm log: \(control.logPath(of: name)). The other tasks were cancelled and the previous site was kept.")
                    }
                    log("  ! \(units[i].name): Slurm task \(name) \(why) without a result (log: \(control.logPath(of: name))); submitting it once more")
                    attempt[i] += 1
                    missingSince[i] = nil
                    seenRunning.remove(i)
                    retry.append(i)
                }
                if !retry.isEmpty {
                    try submit(retry, attempt: 2)
                    lastNews = now()
                }
                if ended.count < units.count {
                    if now().timeIntervalSince(lastNews) >= executor.waitingNoteInterval {
                        log("  … still waiting: \(waitingNote(queue, task: task, open: units.indices.filter { !ended.contains($0) }))")
                        lastNews = now()
                    }
                    sleep(executor.pollInterval)
                }
            }
        }

        /// "3 running, 12 pending (Priority: 10, Resources: 2)".
        func waitingNote(_ queue: [String: (state: String, reason: String)], task: [Int: String], open: [Int]) -> String {
            var running = 0
            var reasons: [String: Int] = [:]
            for i in open {
                guard let entry = task[i].flatMap({ queue[$0] }) else { continue }
                if entry.state == "PENDING" { reasons[entry.reason, default: 0] += 1 } else { running += 1 }
            }
            let pending = reasons.values.reduce(0, +)
            let why = reasons.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            return "\(running) running, \(pending) pending\(why.isEmpty ? "" : " (\(why))")"
        }

        /// The task's lesson folder, copied into the site being built; its manifest.
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
    }
}

/// Slurm as its commands see it: `sbatch`, `squeue`, `scontrol`, `scancel`.
struct SlurmCommands: SlurmControl {
    let job: URL
    let sbatchArguments: [String]
    private var submissions = 0

    init(job: URL, sbatchArguments: [String]) {
        self.job = job
        self.sbatchArguments = sbatchArguments
    }

    /// This build's jobs carry its process id, so they can be told apart from another build's.
    var jobName: String { "lessons-\(getpid())" }

    mutating func submit(units: [Int], attempt: Int) throws -> String {
        // Each array gets a script of its own that maps its task index to the unit it runs, so that
        // array indices stay within 0–999 however many units a sweep has.
        submissions += 1
        let script = job.appendingPathComponent("array-\(submissions).sh")
        let text = """
            #!/bin/sh
            # Array \(submissions) of a lessons build: task i runs the unit at position i of this list (attempt \(attempt)).
            set -- \(units.map(String.init).joined(separator: " "))
            shift "$SLURM_ARRAY_TASK_ID"
            exec '\(job.path)/bin/lessons' run-task '\(job.path)/units.json' "$1" \(attempt)

            """
        do {
            try Data(text.utf8).write(to: script)
        } catch {
            throw WriteFailure(path: script.path, error: error)
        }
        chmod(script.path, 0o755)
        let arguments = ["--parsable", "--job-name=\(jobName)", "--array=0-\(units.count - 1)",
                         "--output=\(job.path)/logs/%A_%a.out", "--chdir=\(FileManager.default.currentDirectoryPath)"]
            + sbatchArguments + [script.path]
        let (status, out, err) = Command.run("sbatch", arguments)
        // --parsable prints "JOBID" or "JOBID;CLUSTER"; a site's submit filter may print more lines before it.
        let id = out.split(separator: "\n").last.map { String($0.split(separator: ";").first ?? "") } ?? ""
        guard status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            if status == 0 {
                // Submitted, but the id cannot be read: cancel it by name rather than leave it running.
                _ = Command.run("scancel", ["--name=\(jobName)"])
            }
            throw CLIError("sbatch failed\(status == 127 ? " (is Slurm installed here? sbatch was not found)" : ""): \((err.isEmpty ? out : err).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return id
    }

    func queue() -> [String: (state: String, reason: String)]? {
        // The user's own tasks of this build, one per line; asking by job id instead fails once a job
        // has left Slurm's memory, which would hide the tasks of the jobs still running.
        let user = String(cString: getpwuid(getuid()).pointee.pw_name)
        let (status, out, _) = Command.run("squeue", ["-h", "-r", "-u", user, "-n", jobName, "-o", "%i|%T|%r"])
        guard status == 0 else { return nil }
        var entries: [String: (state: String, reason: String)] = [:]
        for line in out.split(separator: "\n") {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { continue }
            entries[parts[0]] = (parts[1], parts[2])
        }
        return entries
    }

    func finalState(of task: String) -> String? {
        let (status, out, _) = Command.run("scontrol", ["show", "job", "-o", task])
        guard status == 0, let range = out.range(of: "JobState=") else { return nil }
        return String(out[range.upperBound...].prefix { !$0.isWhitespace })
    }

    func cancel(_ jobs: [String]) {
        guard !jobs.isEmpty else { return }
        _ = Command.run("scancel", jobs)
    }

    func logPath(of task: String) -> String { "\(job.path)/logs/\(task).out" }
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
