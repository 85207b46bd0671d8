import Foundation
import PackagePlugin

/// Tangles every `Lessons/*.md` of the package into Swift, one generated file per lesson, plus a
/// registry listing them in file-name order.
///
/// One command per lesson means editing one lesson recompiles only that lesson. SwiftPM re-plans
/// these commands only when the target's folder changes, so the target keeps a symlink to
/// `../../Lessons`: a new lesson file then shows up on the next `swift build`.
@main
struct TanglePlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let lessonsFolder = context.package.directoryURL.appending(path: "Lessons")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: lessonsFolder.path)) ?? [])
            .filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }
            .sorted()
        let tangle = try context.tool(named: "Tangle")
        let output = context.pluginWorkDirectoryURL
        var commands: [Command] = []
        var ids: [String] = []
        for name in names {
            let id = String(name.dropLast(3))
            ids.append(id)
            let input = lessonsFolder.appending(path: name)
            let generated = output.appending(path: "Lesson_\(Self.identifier(id)).swift")
            commands.append(.buildCommand(
                displayName: "Tangling Lessons/\(name)",
                executable: tangle.url,
                arguments: ["lesson", input.path, generated.path, "Lessons/\(name)"],
                inputFiles: [input],
                outputFiles: [generated]))
        }
        commands.append(.buildCommand(
            displayName: "Listing \(ids.count) lessons",
            executable: tangle.url,
            arguments: ["registry", output.appending(path: "LessonRegistry.swift").path] + ids,
            inputFiles: [],
            outputFiles: [output.appending(path: "LessonRegistry.swift")]))
        return commands
    }

    static func identifier(_ id: String) -> String {
        String(id.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }
}
