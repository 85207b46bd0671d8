import ArgumentParser
import Foundation
import LessonCore
import LessonRuntime

/// One task of a Slurm job array (see `SlurmExecutor`): runs unit `unit` of `units.json` as a local
/// build would (a child process, the same time limits), into the attempt's result folder, and marks
/// it done.
struct RunTask: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run-task", shouldDisplay: false)

    @Argument var units: String
    @Argument var unit: Int
    @Argument var attempt: Int

    func run() throws {
        let file = URL(fileURLWithPath: units)
        let specs = try JSONDecoder().decode([SlurmExecutor.TaskSpec].self, from: Data(contentsOf: file))
        guard specs.indices.contains(unit) else { throw CLIError("\(units) has no unit \(unit)") }
        let spec = specs[unit]
        guard let compiled = Course.current.lesson(id: spec.lessonID) else {
            throw CLIError("unit \(unit): this build of the course has no lesson '\(spec.lessonID)'")
        }
        guard FileManager.default.changeCurrentDirectoryPath(spec.courseDirectory) else {
            throw CLIError("unit \(unit): cannot enter the course folder \(spec.courseDirectory) on this node")
        }
        // The environment the build started with (model cache, data paths), whatever the node's is.
        for (name, value) in spec.environment { setenv(name, value, 1) }
        let results = SlurmExecutor.results(in: file.deletingLastPathComponent(), unit: unit, attempt: attempt)
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        Interruption.shared.install()
        let lesson = try compiled.parsed()
        print("lessons run-task: unit \(unit) (attempt \(attempt)): \(lesson.id), profile \(spec.settings.profile.rawValue), seed \(spec.settings.seed), on \(ProcessInfo.processInfo.hostName)")
        let manifest = try LessonProcess.run(lesson: lesson, siteFolder: results, settings: spec.settings, tag: spec.name,
                                             logShownAs: spec.logShownAs)
        print("lessons run-task: \(manifest.status.rawValue) in \(String(format: "%.1f", manifest.seconds)) s")
        // Last: the build takes the result only once this file is there.
        let done = results.appendingPathComponent(SlurmExecutor.doneFile)
        guard FileManager.default.createFile(atPath: done.path, contents: Data(manifest.status.rawValue.utf8)) else {
            throw WriteFailure(path: done.path, errno: errno)
        }
    }
}
