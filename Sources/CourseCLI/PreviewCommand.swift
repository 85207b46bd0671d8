import ArgumentParser
import CStdio
import Foundation
import LessonRuntime
import Preview

/// `lessons preview`: build the site, serve it on 127.0.0.1, and on every save in `Lessons/`,
/// `Sources/` or `Assets/` rebuild what changed and reload the open pages.
///
/// A rebuild is `swift build` (the lessons are compiled into the binary) followed by the fresh
/// binary's own `build` with the same options, so unchanged lessons are reused from the site and
/// only the edited ones run. While it runs the pages show a banner; a compile error or a failed cell
/// shows on them as an overlay in the lesson's own coordinates and lines, and goes with the fix.
struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Build the site, serve it on 127.0.0.1 and rebuild and reload on every save.",
        discussion: """
        Examples:
          lessons preview
              the quick profile into _site/, served at http://127.0.0.1:8000/
          lessons preview --profile smoke --port 9000
              seconds per rebuild, on another port
        """)

    @OptionGroup var options: RunOptions

    @Option(name: .shortAndLong, help: "The site folder to write and serve.")
    var output = "_site"

    @Option(help: "The port on 127.0.0.1; a free one is chosen (and printed) if it is taken.")
    var port: UInt16 = 8000

    @Flag(help: "Run every lesson on the first build, even those whose results are still valid.")
    var force = false

    func run() throws {
        let course = Course.current
        try Freshness.ensure(course)
        let destination = try OutputFolder.check(output, verb: "write the site to")
        let folder = course.folder ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let live = LiveReload()
        let session = PreviewSession(folder: folder, buildArguments: buildArguments(destination), live: live)

        // The first build, then serve whatever site there is (a failed lesson still has its page).
        session.rebuild(compile: false, force: force)
        if !FileManager.default.fileExists(atPath: destination.appendingPathComponent("index.html").path) {
            throw CLIError("the first build wrote no site to \(destination.path); see the messages above")
        }
        let server = PreviewServer(site: destination, live: live)
        let chosen = try server.start(port: port)
        if chosen != port { log("Port \(port) is taken; using \(chosen).") }
        print("Serving \(destination.path) at http://127.0.0.1:\(chosen)/ — watching Lessons/, Sources/ and Assets/. Ctrl-C stops.")
        cstdio_flush()
        session.stopOnSignals(server: server)
        session.watch()
    }

    /// The `build` command line the preview runs after each change: this command's options, the
    /// resolved site folder, and the same assets.
    func buildArguments(_ destination: URL) -> [String] {
        var arguments = ["build", "--output", destination.path, "--profile", options.profile.rawValue]
        for id in options.lessons { arguments += ["--lesson", id] }
        if let seed = options.seed { arguments += ["--seed", String(seed)] }
        if let data = options.dataDirectory { arguments += ["--data-dir", URL(fileURLWithPath: data).standardizedFileURL.path] }
        if let jobs = options.jobs { arguments += ["--jobs", String(jobs)] }
        if let timeout = options.timeout { arguments += ["--timeout", String(timeout)] }
        if options.noCache { arguments.append("--no-cache") }
        return arguments
    }
}

/// The preview's state between saves: one build at a time, and the process it runs.
final class PreviewSession: @unchecked Sendable {
    let folder: URL
    let buildArguments: [String]
    let live: LiveReload
    private let lock = NSLock()
    private var child: Process?
    private var sources: [DispatchSourceSignal] = []

    init(folder: URL, buildArguments: [String], live: LiveReload) {
        self.folder = folder
        self.buildArguments = buildArguments
        self.live = live
    }

    /// Polls the course's folders and rebuilds after each burst of saves. Never returns.
    func watch() -> Never {
        // Package.swift too: its flags decide what the code computes, and the build's keys include it.
        var watcher = FolderWatcher(folders: ["Lessons", "Sources", "Assets", "Package.swift"].map { folder.appendingPathComponent($0) })
        var lastBeat = Date()
        while true {
            usleep(150_000)
            if Date().timeIntervalSince(lastBeat) > 10 { live.heartbeat(); lastBeat = Date() }
            var changed = watcher.changes()
            guard !changed.isEmpty else { continue }
            // Editors save in several steps: wait for the burst to settle.
            repeat {
                usleep(100_000)
                let more = watcher.changes()
                if more.isEmpty { break }
                changed += more
            } while true
            let names = Set(changed.map { $0.replacingOccurrences(of: folder.path + "/", with: "") }).sorted()
            log("Changed: \(names.prefix(5).joined(separator: ", "))\(names.count > 5 ? " and \(names.count - 5) more" : "")")
            rebuild(compile: true, force: false)
            // What the build itself wrote is not a change.
            _ = watcher.changes()
        }
    }

    /// `swift build` (when `compile`), then the fresh binary's `build`; tells the pages how it went.
    func rebuild(compile: Bool, force: Bool) {
        let started = Date()
        live.building()
        if compile {
            guard let swift = Freshness.executable(named: "swift") else {
                live.failed("`swift` is not on PATH, so the preview cannot rebuild the lessons.")
                return
            }
            let build = run(swift, ["build"])
            guard build.status == 0 else {
                let text = BuildOutput.authorsView(build.output, courseFolder: folder)
                FileHandle.standardError.write(Data(text.utf8))
                live.failed("swift build failed:\n\n" + text)
                log("✗ swift build failed (\(String(format: "%.1f", Date().timeIntervalSince(started))) s); the error is on the page.")
                return
            }
        }
        let binary = compile ? freshBinary() : runningBinary()
        let result = run(binary, buildArguments + (force ? ["--force"] : []), echo: true)
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        switch result.status {
        case 0:
            live.reload()
            log("Rebuilt in \(seconds) s; pages reloaded.")
        case 1 where result.output.contains("Built "):
            // The site is written; the failing cells are on their pages, and in the overlay.
            live.reload()
            let failures = RunFailures.describe(result.output, courseFolder: folder)
            live.failed(failures)
            log("Rebuilt in \(seconds) s with failures; they are on the pages.")
        default:
            let tail = result.output.split(separator: "\n").suffix(20).joined(separator: "\n")
            live.failed("The build stopped:\n\n" + tail)
            log("✗ the build stopped (\(seconds) s).")
        }
    }

    func runningBinary() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The binary `swift build` just made (the running one is older).
    func freshBinary() -> String {
        let me = URL(fileURLWithPath: runningBinary().replacingOccurrences(of: " (deleted)", with: "")).lastPathComponent
        let binPath = (Freshness.executable(named: "swift").map { run($0, ["build", "--show-bin-path"]).output } ?? "")
            .split(separator: "\n").last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        let candidate = URL(fileURLWithPath: binPath).appendingPathComponent(me).path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : runningBinary()
    }

    /// Runs a command in the course folder, its output and error together (and echoed when `echo`).
    func run(_ executable: String, _ arguments: [String], echo: Bool = false) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // `swift build` runs in the package; the course's own build where the preview was started.
        process.currentDirectoryURL = executable.hasSuffix("/swift") ? folder
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        var environment = ProcessInfo.processInfo.environment
        environment[CourseEnvironment.Variable.rebuilt.rawValue] = nil
        environment[CourseEnvironment.Variable.rebuiltCode.rawValue] = nil
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (127, "cannot run \(executable): \(error.localizedDescription)") }
        lock.withLock { child = process }
        var output = Data()
        while true {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            output.append(chunk)
            if echo { FileHandle.standardError.write(chunk) }
        }
        process.waitUntilExit()
        lock.withLock { child = nil }
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Ctrl-C, SIGTERM, SIGHUP: stop the build that runs (it removes its own staging), stop serving, exit.
    func stopOnSignals(server: PreviewServer) {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                if let running = lock.withLock({ child }), running.isRunning {
                    kill(running.processIdentifier, SIGTERM)
                    let deadline = Date().addingTimeInterval(10)
                    while running.isRunning && Date() < deadline { usleep(50_000) }
                }
                server.stop()
                log("Stopped the preview.")
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// The failed cells a build reported (`  ✗ 02-traps: Lessons/02-traps.md:8-11 [explode]: …`), each
/// with the lines of its cell from the lesson file, for the preview's overlay.
enum RunFailures {
    static func describe(_ output: String, courseFolder: URL) -> String {
        var text = ""
        let place = #/(Lessons/[^:\s]+\.md):(\d+)-(\d+) \[/#
        for line in output.split(separator: "\n") where line.hasPrefix("  ✗ ") {
            let failure = String(line.dropFirst(4))
            text += failure + "\n"
            guard let match = failure.firstMatch(of: place), let first = Int(match.2), let last = Int(match.3),
                  let source = try? String(contentsOf: courseFolder.appendingPathComponent(String(match.1)), encoding: .utf8) else { continue }
            let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
            let width = String(last).count
            for n in first...min(last, lines.count) {
                text += "  " + String(repeating: " ", count: width - String(n).count) + "\(n) | " + lines[n - 1] + "\n"
            }
            text += "\n"
        }
        return text.isEmpty ? "Some lessons failed; their pages say where." : "Some cells failed:\n\n" + text
    }
}
