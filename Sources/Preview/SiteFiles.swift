import Foundation

/// Maps request paths to files of one site folder, and nothing else: a path that climbs out (`..`,
/// encoded or not), an absolute or backslashed path, a NUL, or a symbolic link leading outside the
/// folder gives nil (the server answers 404).
public struct SiteFiles: Sendable {
    /// The site folder with its symbolic links resolved.
    public let root: String

    public init(root: URL) {
        let path = root.standardizedFileURL.path
        root_: do {
            if let real = realpath(path, nil) {
                defer { free(real) }
                self.root = String(cString: real)
                break root_
            }
            self.root = path
        }
    }

    /// The file for `urlPath` (`/02-x.html`, `/assets/style.css`, `/` → `index.html`), or nil.
    public func file(forRequestPath urlPath: String) -> URL? {
        let pathOnly = urlPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard let decoded = pathOnly.removingPercentEncoding, !decoded.contains("\0"), !decoded.contains("\\") else { return nil }
        let parts = decoded.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.contains(where: { $0 == ".." || $0 == "." }) else { return nil }
        var candidate = root + (parts.isEmpty ? "" : "/" + parts.joined(separator: "/"))
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isFolder) else { return nil }
        if isFolder.boolValue { candidate += "/index.html" }
        // Wherever symbolic links lead, the file must be inside the site.
        guard let real = realpath(candidate, nil) else { return nil }
        defer { free(real) }
        let resolved = String(cString: real)
        guard resolved.hasPrefix(root + "/") else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        return URL(fileURLWithPath: resolved)
    }

    /// The content type for a file name, by its extension.
    public static func contentType(for name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "html", "htm": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "json": "application/json"
        case "png": "image/png"
        case "svg": "image/svg+xml"
        case "pdf": "application/pdf"
        case "jpg", "jpeg": "image/jpeg"
        case "md": "text/markdown; charset=utf-8"
        case "txt", "log": "text/plain; charset=utf-8"
        case "woff2": "font/woff2"
        default: "application/octet-stream"
        }
    }
}
