import Foundation
import XCTest

/// `lessons preview` driven as a browser would: pages and assets over HTTP, a traversal attempt,
/// two event streams, a save that reloads them, a compile error that shows and goes.
extension FixtureCourseTests {
    func testPreviewServesTheSiteReloadsOnSaveAndShowsErrorsInTheLessonsWords() throws {
        try assertFixtureBuilds()
        let fm = FileManager.default
        let site = try freshFolder("preview").appendingPathComponent("site")
        let file = Self.lessons.appendingPathComponent("01-passes.md")
        let original = try String(contentsOf: file, encoding: .utf8)
        defer {
            try? original.write(to: file, atomically: true, encoding: .utf8)
            removeLesson("09-bad.md")
            rebuildAfterRestoring()
            try? fm.removeItem(at: site.deletingLastPathComponent())
        }

        // A port that is taken: the preview says so and picks another.
        let busy = try TCPListener()
        let preview = try PreviewProcess(binary: Self.binary, arguments: ["preview", "-o", site.path, "--port", String(busy.port)],
                                         in: Self.course)
        defer { preview.stop() }
        let port = try XCTUnwrap(preview.waitForPort(), preview.output)
        XCTAssertNotEqual(port, busy.port)
        XCTAssertTrue(preview.output.contains("Port \(busy.port) is taken; using \(port)."), preview.output)

        // Pages, assets, content types; nothing outside the site.
        let index = try HTTP.get(port: port, path: "/")
        XCTAssertEqual(index.status, 200)
        XCTAssertEqual(index.headers["content-type"], "text/html; charset=utf-8")
        XCTAssertTrue(index.body.contains("new EventSource('/__preview/events')"), "pages get the live-reload script")
        let css = try HTTP.get(port: port, path: "/assets/style.css")
        XCTAssertEqual(css.status, 200)
        XCTAssertEqual(css.headers["content-type"], "text/css; charset=utf-8")
        for path in ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2f..%2fetc/passwd", "//etc/passwd", "/nope.html"] {
            let refused = try HTTP.get(port: port, path: path)
            XCTAssertEqual(refused.status, 404, path)
            XCTAssertFalse(refused.body.contains("root:"), path)
        }

        // Two browsers listen; a one-number edit reloads both, with the new number on the page.
        let first = try EventStream(port: port), second = try EventStream(port: port)
        XCTAssertTrue(first.waitFor("retry: 1000", timeout: 10) && second.waitFor("retry: 1000", timeout: 10), "both streams opened")
        let saved = Date()
        try original.replacingOccurrences(of: "[1.0, 2.0, 4.0]", with: "[1.0, 2.0, 7.0]").write(to: file, atomically: true, encoding: .utf8)
        XCTAssertTrue(first.waitFor("event: building", timeout: 30), first.text)
        XCTAssertTrue(first.waitFor("event: reload", timeout: 120), first.text)
        print("preview: save → reload event in \(String(format: "%.1f", Date().timeIntervalSince(saved))) s (swift build, then the lesson)")
        XCTAssertTrue(second.waitFor("event: reload", timeout: 10), second.text)
        XCTAssertTrue(try HTTP.get(port: port, path: "/01-passes.html").body.contains("mean 3.3333333333333335"))

        // A type error shows in the lesson's own words, and goes away with the fix.
        first.clear()
        try "# Bad\n\n```swift\nlet n: Int = \"seven\"\n```\n".write(to: Self.lessons.appendingPathComponent("09-bad.md"), atomically: true, encoding: .utf8)
        XCTAssertTrue(first.waitFor("Lessons/09-bad.md:4:14: error: cannot convert value of type 'String' to specified type 'Int'", timeout: 120), first.text)
        XCTAssertTrue(first.text.contains("data:   4 | let n: Int = \"seven\""), first.text)
        XCTAssertFalse(first.text.contains("event: reload"), "a failed compile keeps the pages as they are")
        first.clear()
        removeLesson("09-bad.md")
        XCTAssertTrue(first.waitFor("event: reload", timeout: 120), first.text)
        // After the fix the state the pages get no longer mentions the error (the fixture's failing cells remain).
        let fresh = try EventStream(port: port)
        XCTAssertTrue(fresh.waitFor("event: failed", timeout: 10), fresh.text)
        usleep(300_000)
        XCTAssertFalse(fresh.text.contains("09-bad"), fresh.text)
        XCTAssertTrue(fresh.text.contains("Lessons/02-traps.md:8-11 [explode]"), "failed cells are named in the overlay, with their lines\n\(fresh.text)")

        // Ctrl-C stops it.
        XCTAssertEqual(preview.interrupt(), 130, preview.output)
    }
}

/// The preview as a child process, its output collected as it comes.
final class PreviewProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var collected = Data()

    init(binary: String, arguments: [String], in folder: URL) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.lock.withLock { self?.collected.append(data) }
        }
        try process.run()
    }

    var output: String { lock.withLock { String(decoding: collected, as: UTF8.self) } }

    /// The port from `Serving … at http://127.0.0.1:PORT/`, once printed (nil after two minutes).
    func waitForPort() -> UInt16? {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && process.isRunning {
            if let match = output.firstMatch(of: #/at http://127\.0\.0\.1:(\d+)//#) { return UInt16(match.1) }
            usleep(100_000)
        }
        return nil
    }

    /// Sends SIGINT and returns the exit status (nil if it did not stop within ten seconds).
    func interrupt() -> Int32? {
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}

/// A minimal HTTP/1.1 client on a raw socket: the path goes out exactly as written (a browser or
/// URLSession would tidy `..` away before the server saw it).
enum HTTP {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    static func get(port: UInt16, path: String) throws -> Response {
        let socket = try TCPConnection(port: port)
        defer { socket.close() }
        try socket.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
        let raw = socket.readAll(timeout: 10)
        let text = String(decoding: raw, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestError("no HTTP response: \(text)") }
        let head = text[..<split.lowerBound].split(separator: "\r\n")
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: String(text[split.upperBound...]))
    }
}

/// A Server-Sent Events stream read on a thread of its own.
final class EventStream: @unchecked Sendable {
    private let connection: TCPConnection
    private let lock = NSLock()
    private var received = Data()

    init(port: UInt16) throws {
        connection = try TCPConnection(port: port)
        try connection.send("GET /__preview/events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n\r\n")
        let thread = Thread { [self] in
            while let chunk = connection.read(), !chunk.isEmpty { lock.withLock { received.append(chunk) } }
        }
        thread.start()
    }

    deinit { connection.close() }

    var text: String { lock.withLock { String(decoding: received, as: UTF8.self) } }
    func clear() { lock.withLock { received = Data() } }

    func waitFor(_ needle: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if text.contains(needle) { return true }
            usleep(50_000)
        }
        return text.contains(needle)
    }
}

final class TCPConnection: @unchecked Sendable {
    let fd: Int32

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else { Glibc.close(fd); throw TestError("cannot connect to 127.0.0.1:\(port)") }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw TestError("cannot send") }
    }

    /// The next bytes (nil or empty at the end).
    func read() -> Data? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = Glibc.read(fd, &buffer, buffer.count)
        return n > 0 ? Data(buffer[0..<n]) : nil
    }

    /// Everything until the server closes the connection.
    func readAll(timeout: Double) -> Data {
        var all = Data()
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        while let chunk = read(), !chunk.isEmpty { all.append(chunk) }
        return all
    }

    func close() { shutdown(fd, Int32(SHUT_RDWR)); Glibc.close(fd) }
}

/// A socket that listens on a free port of 127.0.0.1, to make that port busy.
final class TCPListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestError("cannot listen") }
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(fd) }
}

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
