import ArgumentParser
import Foundation
import LessonCore
import LessonRuntime
import SiteWriter

struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove the site folder.")

    @Option(name: .shortAndLong, help: "The site folder to remove (only a folder `lessons build` wrote).")
    var output = "_site"

    func run() throws {
        let folder = try OutputFolder.check(output, verb: "remove")
        guard FileManager.default.fileExists(atPath: folder.path) else {
            print("Nothing to remove: \(folder.path) does not exist.")
            return
        }
        do {
            try FileManager.default.removeItem(at: folder)
        } catch {
            throw CLIError("cannot remove \(folder.path): \(error.localizedDescription)")
        }
        print("Removed \(folder.path).")
    }
}
