import Foundation

/// Checks a written site: every internal link and image (`href`, `src`) must name a file in the site,
/// and every `#fragment` an `id` on that page. External links (with a scheme) are not followed: the site
/// is meant to work offline.
public enum LinkCheck {
    /// Problems as `page.html: broken link 'x.html'`, sorted; empty when the site is sound.
    public static func problems(in site: URL) throws -> [String] {
        let fm = FileManager.default
        // The pages at the top and the slide decks in `slides/`, as paths relative to the site; in a
        // sweep's site, the same for each seed's own site in `seeds/<seed>/`.
        var pages = try fm.contentsOfDirectory(atPath: site.path).filter { $0.hasSuffix(".html") }
        var folders = ["slides/"]
        let seeds = site.appendingPathComponent("seeds")
        for seed in ((try? fm.contentsOfDirectory(atPath: seeds.path)) ?? []) where !seed.hasPrefix(".") {
            folders += ["seeds/\(seed)/", "seeds/\(seed)/slides/"]
        }
        for folder in folders {
            if let names = try? fm.contentsOfDirectory(atPath: site.appendingPathComponent(folder).path) {
                pages += names.filter { $0.hasSuffix(".html") }.map { folder + $0 }
            }
        }
        pages.sort()
        var ids: [String: Set<String>] = [:]
        var texts: [String: String] = [:]
        for page in pages {
            let text = try String(contentsOf: site.appendingPathComponent(page), encoding: .utf8)
            texts[page] = text
            ids[page] = Set(attributeValues("id", in: text))
        }
        var problems: [String] = []
        for page in pages {
            let text = texts[page]!
            let folder = page.split(separator: "/").dropLast().map(String.init)
            for (attribute, kind) in [("href", "link"), ("src", "image")] {
                for target in attributeValues(attribute, in: text) {
                    if target.contains(":") || target.hasPrefix("//") { continue } // external: not checked
                    let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                    let file = parts[0].isEmpty ? page : resolve(parts[0].removingPercentEncoding ?? parts[0], from: folder)
                    if file.isEmpty || !fm.fileExists(atPath: site.appendingPathComponent(file).path) {
                        problems.append("\(page): broken \(kind) '\(target)'")
                    } else if parts.count == 2, !parts[1].isEmpty, file.hasSuffix(".html"), !(ids[file]?.contains(parts[1]) ?? false) {
                        problems.append("\(page): link '\(target)' names no element with id '\(parts[1])'")
                    }
                }
            }
        }
        return problems
    }

    /// `target` relative to the folder `from` (components), as a path inside the site; empty when it
    /// climbs out of the site.
    static func resolve(_ target: String, from folder: [String]) -> String {
        var components = folder
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !components.isEmpty else { return "" }
                components.removeLast()
            default: components.append(String(part))
            }
        }
        return components.joined(separator: "/")
    }

    /// The values of `name="…"` attributes in `html` (entities for & decoded).
    static func attributeValues(_ name: String, in html: String) -> [String] {
        var values: [String] = []
        var rest = Substring(html)
        let opener = " \(name)=\""
        while let start = rest.range(of: opener) {
            let after = rest[start.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            values.append(String(after[..<end]).replacingOccurrences(of: "&amp;", with: "&"))
            rest = after[after.index(after: end)...]
        }
        return values
    }
}
