import CStdio
import Foundation
import LessonCore
import LessonRuntime
import MachineLearning

/// Keeps a build from ever using lesson code older than the lesson files: the binary compares the
/// files in its course's `Lessons/` with the text compiled into it and, when they differ, runs
/// `swift build` and starts the new binary in its place with the same arguments.
enum Freshness {
    /// Lesson files that differ from what this binary holds, as `Lessons/NAME.md` paths.
    struct Differences: Equatable {
        var changed: [String] = []
        var added: [String] = []
        var removed: [String] = []
        var isEmpty: Bool { changed.isEmpty && added.isEmpty && removed.isEmpty }
        var summary: String {
            var parts: [String] = []
            if !changed.isEmpty { parts.append("changed: " + changed.joined(separator: ", ")) }
            if !added.isEmpty { parts.append("new: " + added.joined(separator: ", ")) }
            if !removed.isEmpty { parts.append("removed: " + removed.joined(separator: ", ")) }
            return parts.joined(separator: "; ")
        }
    }

    /// The differences between `course`'s lesson files on disk and the compiled lessons; nil when the
    /// course's folder is unknown or gone (a binary moved away from its sources has only its own lessons).
    static func differences(_ course: Course) -> Differences? {
        guard let folder = course.folder else { return nil }
        let lessons = folder.appendingPathComponent("Lessons")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: lessons.path) else { return nil }
        var found = Differences()
        var compiled = Dictionary(uniqueKeysWithValues: course.lessons.map { ($0.sourcePath, $0.source) })
        for name in names.sorted() where name.hasSuffix(".md") && !name.hasPrefix(".") {
            let path = "Lessons/\(name)"
            guard let data = try? Data(contentsOf: lessons.appendingPathComponent(name)) else { continue }
            guard let source = compiled.removeValue(forKey: path) else { found.added.append(path); continue }
            let text = String(decoding: data, as: UTF8.self)
            if Lesson.normalizedSource(text) != source { found.changed.append(path) }
        }
        found.removed = compiled.keys.sorted()
        return found
    }

    /// Code changed since this binary was linked: files newer than the executable in the `Sources/`
    /// folders that go into it (`codeFolders`), and the `Package.swift` (`manifest`), of each of `packages` (the package it was built from and
    /// the course's, when that is another). Results are keyed by the files, so old code must not run
    /// under their new key. Empty for an installed binary, whose packages are not here.
    static func changedSources(packages: [URL], builtAt: Date? = executableDate, executable: String = runningExecutable.lastPathComponent) -> [String] {
        guard let builtAt else { return [] }
        var changed: [String] = []
        for package in packages {
            for folder in codeFolders(of: package, executable: executable) {
                guard let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isSymbolicLinkKey, .contentModificationDateKey],
                                                                 options: [.skipsHiddenFiles]) else { continue }
                for case let url as URL in files {
                    let values = try? url.resourceValues(forKeys: [.isSymbolicLinkKey, .contentModificationDateKey])
                    if values?.isSymbolicLink == true { files.skipDescendants(); continue }  // Sources/lessons/Lessons: the lessons' own check
                    if let date = values?.contentModificationDate, date > builtAt {
                        changed.append("Sources/" + folder.lastPathComponent + String(url.path.dropFirst(folder.path.count)))
                    }
                }
            }
            // The file's own date, through a symbolic link if the manifest is one.
            if let manifest = manifest(of: package),
               let date = (try? FileManager.default.attributesOfItem(atPath: manifest.resolvingSymlinksInPath().path))?[.modificationDate] as? Date,
               date > builtAt {
                changed.append("Package.swift")
            }
        }
        return changed
    }

    /// `package`'s `Package.swift`, if it has one: its flags decide how the code compiles (which products
    /// fuse into multiply-adds, so every trained model's bits), so it counts as code the binary holds.
    static func manifest(of package: URL) -> URL? {
        let url = package.appendingPathComponent("Package.swift")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// The folders under `package`'s `Sources/` that go into `executable`: every library and the
    /// executable's own target, not other executables (`benchmarks` is not part of `lessons`).
    static func codeFolders(of package: URL, executable: String) -> [URL] {
        let sources = package.appendingPathComponent("Sources"), fm = FileManager.default
        let targets = ((try? fm.contentsOfDirectory(atPath: sources.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        return targets.map { sources.appendingPathComponent($0) }.filter {
            $0.lastPathComponent == executable || !fm.fileExists(atPath: $0.appendingPathComponent("main.swift").path)
        }
    }

    /// What `currentCode` found: the code the binary may not hold (paths, or a sentence when no file is
    /// newer), and the code's fingerprint as it was read (nil when there is no code here to read).
    struct CodeCheck: Equatable {
        var changed: [String]
        var code: String?
    }

    /// Whether the course's code is the code this binary was built from. The binary is known by its build
    /// ID (the linker's hash of what it linked) and the code by the fingerprint of its files' contents;
    /// `stamp` lists the pairs known to go together. Dates decide only for a binary the stamp has never
    /// seen (`swift build` run by hand, a preview's build): one built before any of the files changed is
    /// taken as built from them, and recorded so. That first judgement is the hole left: a file put back
    /// with an older date between a hand-run `swift build` and the binary's first run is not found (asking
    /// `swift build` there instead would wait forever under `swift test`, which holds the package's lock). Once recorded, the contents decide, so a file put back with an older date
    /// (`cp -p`, `rsync -t`, a backup) is still found. `handedDown` (in a runner started again after
    /// rebuilding itself): the fingerprint its parent took before `swift build` ran, which this binary is
    /// then recorded as built from; code that differs from it changed while `swift build` ran.
    /// `snapshot`: the files as read once for all of a build's keys (nil: read them now).
    static func currentCode(of packages: [URL], afterRebuild: Bool, handedDown: String?, snapshot: CodeSnapshot? = nil,
                            buildID: String? = buildID, stamp: CodeStamp = CodeStamp(beside: runningExecutable),
                            builtAt: Date? = executableDate, executable: String = runningExecutable.lastPathComponent) -> CodeCheck {
        let newer = changedSources(packages: packages, builtAt: builtAt, executable: executable)
        let folders = packages.flatMap { codeFolders(of: $0, executable: executable) + [manifest(of: $0)].compactMap { $0 } }
        // Every code folder and manifest, not only those with newer files: the fingerprint stands for all the code.
        let read = snapshot.map { $0.fingerprint(of: folders) } ?? Fingerprint.ofFiles(in: folders)
        guard !folders.isEmpty, let code = read else {
            // No code to compare (an installed binary) or a file that could not be read (renamed mid-scan by
            // an editor's save): dates alone, and a rebuild just made is trusted.
            return CodeCheck(changed: afterRebuild ? [] : newer, code: nil)
        }
        // A binary without a build ID note is known by its date instead.
        let binary = buildID ?? builtAt.map { "built-\($0.timeIntervalSince1970)" } ?? "unknown"
        if afterRebuild {
            // Recorded only against the code the parent read before `swift build` ran.
            guard let handedDown else { return CodeCheck(changed: [], code: code) }
            if handedDown != code {
                return CodeCheck(changed: ["the code changed again while `swift build` ran"], code: code)
            }
            stamp.record(buildID: binary, code: code)
            return CodeCheck(changed: [], code: code)
        }
        let buildID = binary
        if stamp.contains(buildID: buildID, code: code) { return CodeCheck(changed: [], code: code) }
        if newer.isEmpty {
            guard stamp.knows(buildID: buildID) else {
                stamp.record(buildID: buildID, code: code)
                return CodeCheck(changed: [], code: code)
            }
            return CodeCheck(changed: [olderDatedChange], code: code)
        }
        return CodeCheck(changed: newer, code: code)
    }

    /// What `currentCode` says when the contents changed and no file is newer than the binary.
    static let olderDatedChange = "a file's contents, though none is newer than the binary: a copy that kept an older date, as `cp -p` or `rsync -t` make"

    /// The running binary's build ID, read from its image in memory; nil where there is none.
    static var buildID: String? {
        var text = [CChar](repeating: 0, count: 129)
        let length = Int(cstdio_build_id(&text, Int32(text.count)))
        guard length > 0 else { return nil }
        return String(decoding: text.prefix(2 * length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `<binary>.code` beside an executable: one "BUILD-ID FINGERPRINT" line for each code a binary of that
    /// path is known to have been built from (a binary whose relinking `swift build` skipped, when an edit
    /// changed no object code, goes with more than one). The last 64 lines are kept. Written whole, by
    /// rename; two runners writing at once can drop one's line, which only costs a `swift build` later.
    struct CodeStamp {
        var file: URL

        init(beside executable: URL) { file = URL(fileURLWithPath: executable.path + ".code") }
        init(file: URL) { self.file = file }

        var lines: [String] {
            ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func contains(buildID: String, code: String) -> Bool { lines.contains("\(buildID) \(code)") }

        func knows(buildID: String) -> Bool { lines.contains { $0.hasPrefix(buildID + " ") } }

        func record(buildID: String, code: String) {
            let line = "\(buildID) \(code)"
            let kept = lines.filter { $0 != line && $0.split(separator: " ").count == 2 }.suffix(63) + [line]
            try? (kept.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        }
    }

    /// The running executable's file (" (deleted)" dropped when a build replaced it meanwhile).
    static var runningExecutable: URL {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: running.replacingOccurrences(of: " (deleted)", with: ""))
    }

    /// When the running executable was written: `stat` follows `/proc/self/exe` to the file this process
    /// runs, even one a build has replaced since (the link itself is as old as the process).
    static var executableDate: Date? {
        var info = stat()
        guard stat("/proc/self/exe", &info) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }

    /// Returns when the binary's lessons are the files' (or cannot be compared) and no library code is
    /// newer than it; otherwise rebuilds and replaces this process with the new binary, or throws a
    /// one-line error saying why it cannot. Returns the files as it read them: the build's other keys
    /// come from the same reading (`CodeSnapshot`), so they name the code this check found the binary
    /// holds, even if a file is saved a moment later.
    @discardableResult
    static func ensure(_ course: Course) throws -> CodeSnapshot {
        let environment = CourseEnvironment.current
        guard let folder = course.folder else { return environment.codeSnapshot() }
        // The package the binary was built from, and the course's own when it is another package.
        let packages = [CourseEnvironment.packageFolder, folder].map(\.standardizedFileURL)
        let snapshot = environment.codeSnapshot(also: [packages[1]])
        let differences = differences(course) ?? Differences()
        let check = currentCode(of: packages[0] == packages[1] ? [packages[0]] : packages,
                                afterRebuild: environment.isRebuiltRunner, handedDown: environment[.rebuiltCode], snapshot: snapshot)
        let sources = check.changed
        guard !differences.isEmpty || !sources.isEmpty else { return snapshot }
        if environment.isRebuiltRunner {
            if differences.isEmpty {
                throw CLIError("the course's code changed again while `swift build` ran, so this binary may not hold it; run the command again")
            }
            throw CLIError("the lesson files still differ from this binary after `swift build` (\(differences.summary)); run `swift build` in \(folder.path) and read its output")
        }
        let what = differences.isEmpty ? "the course's code changed since this binary was built (\(sources.prefix(3).joined(separator: ", "))\(sources.count > 3 ? ", …" : ""))"
            : "the lessons changed since this binary was built (\(differences.summary))"
        if let holder = swiftPMAncestor(on: folder) {
            let command = "`\(holder.command.replacingOccurrences(of: "-", with: " "))` (process \(holder.pid))"
            throw CLIError("\(what), and `swift build` cannot rebuild it here: \(command), which started this runner, holds the lock on \(folder.path)/.build until it ends, so the build would wait forever. Run `lessons check --freshness-only` outside it first (`make test` does, before its tests): it rebuilds if needed and records the code this binary holds")
        }
        log("\(what.prefix(1).uppercased() + what.dropFirst()); running swift build…")
        guard let swift = executable(named: "swift") else {
            throw CLIError("\(what) and `swift` is not on PATH to rebuild it; run `swift build` first")
        }
        let build = run(swift, ["build"], in: folder)
        guard build.status == 0 else {
            FileHandle.standardError.write(Data(BuildOutput.authorsView(build.output, courseFolder: folder).utf8))
            throw CLIError("`swift build` failed, so nothing ran and the site was left as it was")
        }
        let binPath = run(swift, ["build", "--show-bin-path"], in: folder).output
            .split(separator: "\n").last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        let rebuilt = URL(fileURLWithPath: binPath).appendingPathComponent(runningExecutable.lastPathComponent).path
        guard FileManager.default.isExecutableFile(atPath: rebuilt) else {
            throw CLIError("`swift build` succeeded but \(rebuilt) is not there; run it yourself")
        }
        setenv(CourseEnvironment.Variable.rebuilt.rawValue, String(getpid()), 1)   // execv keeps the process id
        // The code as it was before `swift build` read it: what the rebuilt binary is recorded as built from.
        if let code = check.code {
            setenv(CourseEnvironment.Variable.rebuiltCode.rawValue, code, 1)
        } else {
            unsetenv(CourseEnvironment.Variable.rebuiltCode.rawValue)
        }
        let arguments = [rebuilt] + CommandLine.arguments.dropFirst()
        var argv = arguments.map { strdup($0) } + [nil]
        execv(rebuilt, &argv)
        throw CLIError("cannot start the rebuilt \(rebuilt): \(String(cString: strerror(errno)))")
    }

    static func executable(named name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a command to its end, its output and error together.
    static func run(_ executable: String, _ arguments: [String], in folder: URL) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (127, "cannot run \(executable): \(error.localizedDescription)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A SwiftPM process: its id and its command's name (`swift-test`, `swift-build`, ...).
    struct SwiftPMProcess: Equatable {
        var pid: pid_t
        var command: String
    }

    /// The SwiftPM command among the ancestors of `pid` (this process) that holds `package`'s default build
    /// folder: it works on that package (SwiftPM moves into the `--package-path` folder, or starts where it
    /// runs and looks up for the nearest `Package.swift`) and names no other scratch folder. It holds the
    /// lock on that folder until it ends (`swift test`, whose tests started this runner), so a `swift build`
    /// started here would wait for it forever, silently. nil when there is none, or `/proc` cannot tell
    /// (not Linux).
    static func swiftPMAncestor(on package: URL, of pid: pid_t = getpid()) -> SwiftPMProcess? {
        let target = package.resolvingSymlinksInPath().standardizedFileURL
        var current = pid
        for _ in 0..<64 {
            guard current > 1, let parent = ProcessTable.entry(of: current)?.parent, parent > 0 else { return nil }
            current = parent
            let name = ProcessTable.entry(of: current)?.name ?? ""
            guard ["swift-test", "swift-build", "swift-run", "swift-package"].contains(name),
                  let folder = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(current)/cwd") else { continue }
            // Its package as SwiftPM finds it: the nearest Package.swift at or above where it runs.
            let here = URL(fileURLWithPath: folder, isDirectory: true).resolvingSymlinksInPath().standardizedFileURL
            guard OutputFolder.nearestFolder(from: here, holdingAnyOf: ["Package.swift"])?.path == target.path else { continue }
            let arguments = ((try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(current)/cmdline"))) ?? Data())
                .split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            var scratch: String?
            for (i, argument) in arguments.enumerated() {
                for option in ["--scratch-path", "--build-path"] {
                    if argument == option, i + 1 < arguments.count { scratch = arguments[i + 1] }
                    if argument.hasPrefix(option + "=") { scratch = String(argument.dropFirst(option.count + 1)) }
                }
            }
            if let scratch, URL(fileURLWithPath: scratch, relativeTo: here).resolvingSymlinksInPath().standardizedFileURL.path
                != target.appendingPathComponent(".build").resolvingSymlinksInPath().standardizedFileURL.path {
                continue   // it builds elsewhere, and holds no lock on this package's .build
            }
            return SwiftPMProcess(pid: current, command: name)
        }
        return nil
    }
}

/// What `swift build` printed, as a lesson author wants to read it: each diagnostic once, and for
/// those in a lesson, the lesson's own lines with their numbers and a caret, instead of the
/// compiler's view of the generated Swift.
enum BuildOutput {
    static func authorsView(_ output: String, courseFolder: URL) -> String {
        let header = #/^(.+?):(\d+):(\d+): (error|warning|note): (.*)$/#
        var seen = Set<String>()
        var text = ""
        var lessonDiagnostics = 0
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let match = String(line).wholeMatch(of: header) else { continue }
            let file = String(match.1)
            guard file.hasPrefix("Lessons/") || file.contains("/Lessons/") || file.hasSuffix(".swift") else { continue }
            let key = String(line)
            guard seen.insert(key).inserted else { continue }
            text += key + "\n"
            guard file.hasSuffix(".md"), let number = Int(match.2), let column = Int(match.3) else { continue }
            lessonDiagnostics += 1
            let relative = file.range(of: "Lessons/").map { String(file[$0.lowerBound...]) } ?? file
            let url = courseFolder.appendingPathComponent(relative)
            guard let source = try? String(contentsOf: url, encoding: .utf8) else { continue }
            let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
            let width = String(number).count
            for n in max(1, number - 1)...number where n <= lines.count {
                text += "  " + String(n).leftPadded(to: width) + " | " + lines[n - 1] + "\n"
            }
            text += "  " + String(repeating: " ", count: width) + " | " + String(repeating: " ", count: max(0, column - 1)) + "^\n"
        }
        if text.isEmpty {
            // Nothing in a form we know: the last lines as they came.
            return output.split(separator: "\n").suffix(30).joined(separator: "\n") + "\n"
        }
        return text
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
