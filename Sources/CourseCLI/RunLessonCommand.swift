import ArgumentParser
import Foundation
import LessonCore
import LessonRuntime
import SiteWriter

/// Runs one lesson in this process; `build` starts one of these per lesson.
struct RunLesson: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run-lesson", shouldDisplay: false)

    @Argument var id: String
    @Option var folder: String
    @Option var prefix: String

    func run() throws {
        guard let compiled = Course.current.lesson(id: id) else { throw CLIError("no lesson '\(id)'") }
        let status = LessonChild.run(compiled, figureFolder: URL(fileURLWithPath: folder), figurePrefix: prefix)
        if status != 0 { throw ExitCode(status) }
    }
}
