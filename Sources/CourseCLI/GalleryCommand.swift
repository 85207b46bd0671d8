import ArgumentParser
import Foundation
import LessonCore
import LessonRuntime
import SiteWriter

struct GalleryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery", abstract: "Draw every chart kind and diagram from realistic data into one folder.")

    @Option(name: .shortAndLong, help: "The folder to write the PNG and SVG files into.")
    var output = "_gallery"

    func run() throws {
        let folder = try OutputFolder.check(output, verb: "write the gallery to", replacing: false, suggestion: "_gallery")
        let files = try Gallery.write(to: folder, log: log)
        print("Wrote \(files.count) files to \(folder.path)")
    }
}
