import Foundation

/// Checks a written site: every internal link and image (`href`, `src`) must name a file in the site,
/// and every `#fragment` an `id` on that page. External links (with a scheme) are not followed: the site
/// is meant to work offline.
public enum LinkCheck {
    /// Problems as `page.html: broken link 'x.html'`, sorted; empty when the site is sound.
    public static func problems(in site: URL) throws -> [String] {
        let fm = FileManager.default
        let pages = try fm.contentsOfDirectory(atPath: site.path).filter { $0.hasSuffix(".html") }.sorted()
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
            for (attribute, kind) in [("href", "link"), ("src", "image")] {
                for target in attributeValues(attribute, in: text) {
                    if target.contains(":") || target.hasPrefix("//") { continue } // external: not checked
                    let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                    let file = parts[0].isEmpty ? page : parts[0]
                    let decoded = file.removingPercentEncoding ?? file
                    if !fm.fileExists(atPath: site.appendingPathComponent(decoded).path) {
                        problems.append("\(page): broken \(kind) '\(target)'")
                    } else if parts.count == 2, !parts[1].isEmpty, file.hasSuffix(".html"), !(ids[file]?.contains(parts[1]) ?? false) {
                        problems.append("\(page): link '\(target)' names no element with id '\(parts[1])'")
                    }
                }
            }
        }
        return problems
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
