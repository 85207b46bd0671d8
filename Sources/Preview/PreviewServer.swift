import FlyingFox
import FlyingSocks
import Foundation

/// Serves one site folder on 127.0.0.1 for `lessons preview`, with live reload.
///
/// FlyingFox (swhitty/FlyingFox) is the HTTP server: a small pure-Swift server on Swift concurrency
/// and BSD sockets that builds in seconds, where Hummingbird or Vapor would bring SwiftNIO and minutes
/// of build time to every clone, for a server that only ever talks to the author's own browser.
///
/// HTML pages get a few lines of inline script that listen to `/__preview/events` (Server-Sent
/// Events) and reload the page, or show a banner while a rebuild runs and an overlay with the error
/// when it failed. Nothing is loaded from the network.
public final class PreviewServer: @unchecked Sendable {
    public let files: SiteFiles
    public let live: LiveReload
    public private(set) var port: UInt16 = 0
    private var server: HTTPServer?
    private var task: Task<Void, Error>?

    public init(site: URL, live: LiveReload) {
        files = SiteFiles(root: site)
        self.live = live
    }

    /// Starts listening on 127.0.0.1:`port`, or on a free port if that one is taken (0: any free
    /// port); returns the port it listens on.
    public func start(port wanted: UInt16) throws -> UInt16 {
        let chosen = Self.isFree(wanted) ? wanted : 0
        let address = try sockaddr_in.inet(ip4: "127.0.0.1", port: chosen)
        let server = HTTPServer(address: address, timeout: 60, logger: .disabled)
        self.server = server
        let files = self.files, live = self.live
        let ready = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        task = Task {
            await server.appendRoute("GET /__preview/events") { _ in
                HTTPResponse(statusCode: .ok,
                             headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                             body: HTTPBodySequence(from: EventBytes(stream: live.subscribe())))
            }
            await server.appendRoute("*") { request in Self.respond(to: request, files: files) }
            try await server.run()
        }
        Task {
            do {
                try await server.waitUntilListening(timeout: 10)
                if case .ip4(_, let port) = await server.listeningAddress { outcome.set(port: port) }
            } catch {
                outcome.set(error: error)
            }
            ready.signal()
        }
        ready.wait()
        if let error = outcome.error { throw error }
        guard let port = outcome.port else { throw PreviewError("the server did not start listening") }
        self.port = port
        return port
    }

    /// Stops serving: open event streams end, then the server.
    public func stop() {
        live.finishAll()
        guard let server else { return }
        let done = DispatchSemaphore(value: 0)
        Task { await server.stop(timeout: 1); done.signal() }
        _ = done.wait(timeout: .now() + 3)
        task?.cancel()
    }

    static func respond(to request: HTTPRequest, files: SiteFiles) -> HTTPResponse {
        guard request.method == .GET || request.method == .HEAD else {
            return HTTPResponse(statusCode: .methodNotAllowed, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: Data("Only GET and HEAD.\n".utf8))
        }
        guard let file = files.file(forRequestPath: request.path), var data = try? Data(contentsOf: file) else {
            return HTTPResponse(statusCode: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: Data("Not found.\n".utf8))
        }
        let type = SiteFiles.contentType(for: file.lastPathComponent)
        if type.hasPrefix("text/html") { data = injectingLiveReload(data) }
        return HTTPResponse(statusCode: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: data)
    }

    /// The page with the live-reload script before `</body>`.
    static func injectingLiveReload(_ page: Data) -> Data {
        let html = String(decoding: page, as: UTF8.self)
        guard let end = html.range(of: "</body>", options: .backwards) else { return page }
        return Data((html[..<end.lowerBound] + script + html[end.lowerBound...]).utf8)
    }

    /// Listens for the preview's events: reload, a banner while building, an overlay on failure.
    static let script = """
        <script>
        (function () {
          var box = null;
          function show(text, failed) {
            if (!box) {
              box = document.createElement('div');
              box.id = 'lessons-preview';
              box.setAttribute('role', 'status');
              document.body.appendChild(box);
            }
            box.style.cssText = 'position:fixed;z-index:9999;left:1rem;right:1rem;bottom:1rem;max-height:70vh;overflow:auto;' +
              'margin:0;padding:1rem 1.2rem;border-radius:6px;font:14px/1.45 monospace;white-space:pre-wrap;' +
              'box-shadow:0 4px 24px rgba(0,0,0,.3);' +
              (failed ? 'background:#fff0f0;color:#7a0000;border-left:6px solid #c00;' : 'background:#fffbe6;color:#5c4400;border-left:6px solid #d49a00;');
            box.textContent = text;
            if (failed) {
              var close = document.createElement('button');
              close.textContent = '\\u00d7';
              close.setAttribute('aria-label', 'Hide until the next build');
              close.style.cssText = 'position:sticky;float:right;top:0;font:20px/1 sans-serif;border:0;background:none;color:inherit;cursor:pointer;';
              close.onclick = hide;
              box.insertBefore(close, box.firstChild);
            }
          }
          function hide() { if (box) { box.remove(); box = null; } }
          var events = new EventSource('/__preview/events');
          events.addEventListener('building', function () { show('Rebuilding\\u2026', false); });
          events.addEventListener('failed', function (e) { show(e.data, true); });
          events.addEventListener('ready', hide);
          events.addEventListener('reload', function () { location.reload(); });
        })();
        </script>

        """

    /// Whether nothing listens on 127.0.0.1:`port`.
    static func isFree(_ port: UInt16) -> Bool {
        guard port != 0 else { return true }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var _port: UInt16?
    private var _error: Error?
    var port: UInt16? { lock.withLock { _port } }
    var error: Error? { lock.withLock { _error } }
    func set(port: UInt16) { lock.withLock { _port = port } }
    func set(error: Error) { lock.withLock { _error = error } }
}

public struct PreviewError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
