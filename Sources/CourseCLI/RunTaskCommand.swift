import ArgumentParser
import Foundation
import LessonCore
import LessonRuntime

/// One task of a Slurm job array (see `SlurmExecutor`): runs entry `index` of `units.json` as a
/// local build would (a child process, the same time limits) and marks it done.
struct RunTask: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run-task", shouldDisplay: false)

    @Argument var units: String
    @Argument var index: Int

    func run() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: units))
        let tasks = try JSONDecoder().decode([SlurmExecutor.Task].self, from: data)
        guard tasks.indices.contains(index) else { throw CLIError("\(units) has no task \(index)") }
        let task = tasks[index]
        guard let settings = task.settings else { throw CLIError("task \(index): unknown profile '\(task.profile)'") }
        guard let compiled = Course.current.lesson(id: task.lessonID) else {
            throw CLIError("task \(index): this build of the course has no lesson '\(task.lessonID)'")
        }
        guard FileManager.default.changeCurrentDirectoryPath(task.courseDirectory) else {
            throw CLIError("task \(index): cannot enter the course folder \(task.courseDirectory) on this node")
        }
        let results = URL(fileURLWithPath: task.results)
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        Interruption.shared.install()
        let lesson = try compiled.parsed()
        print("lessons run-task \(index): \(lesson.id), profile \(task.profile), seed \(task.seed), on \(ProcessInfo.processInfo.hostName)")
        let manifest = try LessonProcess.run(lesson: lesson, siteFolder: results, settings: settings, tagOutput: true,
                                             logShownAs: task.logShownAs)
        print("lessons run-task \(index): \(manifest.status.rawValue) in \(String(format: "%.1f", manifest.seconds)) s")
        // Last: the parent takes the result only once this file is there.
        guard FileManager.default.createFile(atPath: results.appendingPathComponent(SlurmExecutor.doneFile).path,
                                             contents: Data(manifest.status.rawValue.utf8)) else {
            throw WriteFailure(path: results.appendingPathComponent(SlurmExecutor.doneFile).path, errno: errno)
        }
    }
}
