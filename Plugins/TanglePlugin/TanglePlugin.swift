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
        for name in names {
            let input = lessonsFolder.appending(path: name)
            // One generated file per lesson file, named so that no two files can share it; the registry
            // command reports lessons whose ids collide, naming both files.
            let generated = output.appending(path: "Lesson_\(Self.fileNameEscaped(name)).swift")
            commands.append(.buildCommand(
                displayName: "Tangling Lessons/\(name)",
                executable: tangle.url,
                arguments: ["lesson", input.path, generated.path, "Lessons/\(name)"],
                inputFiles: [input],
                outputFiles: [generated]))
        }
        // The registry also names the package folder; it is rewritten (only when its text changes) on
        // every lesson edit, so it never lags behind the files.
        let registry = output.appending(path: "CourseRegistry.swift")
        commands.append(.buildCommand(
            displayName: "Listing \(names.count) lessons",
            executable: tangle.url,
            arguments: ["registry", registry.path, context.package.directoryURL.path] + names,
            inputFiles: names.map { lessonsFolder.appending(path: $0) },
            outputFiles: [registry]))
        return commands
    }

    /// `20-with spaces.md` → `20_2dwith_20spaces_2emd`: letters and digits kept, every other byte as
    /// `_` and two hex digits, so distinct file names give distinct generated files.
    static func fileNameEscaped(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber) { out.append(c) } else { out += "_" + String(byte, radix: 16) }
        }
        return out
    }
}
