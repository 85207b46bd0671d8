import Foundation

/// `benchmarks preview`: how long a one-number edit takes to reach an open page under
/// `lessons preview` (save → the reload event), next to what the preview itself reports for the
/// rebuild (`swift build` plus running the edited lesson). Edits lesson 1's seed and puts it back.
func previewLatency() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let lesson = root.appendingPathComponent("Lessons/01-membership-game.md")
    let original = try String(contentsOf: lesson, encoding: .utf8)
    guard original.contains("let seed: UInt64 = 2017") else { throw BenchError("lesson 1 no longer has `let seed: UInt64 = 2017`") }
    defer { try? original.write(to: lesson, atomically: true, encoding: .utf8) }
    let site = FileManager.default.temporaryDirectory.appendingPathComponent("bench-preview-\(getpid())")
    defer { try? FileManager.default.removeItem(at: site) }

    print("swift build (debug), so the preview starts from a current binary…")
    guard shell("/usr/bin/env", ["swift", "build"], in: root) == 0 else { throw BenchError("swift build failed") }
    let preview = Process()
    preview.executableURL = root.appendingPathComponent(".build/debug/lessons")
    preview.arguments = ["preview", "--profile", "smoke", "-o", site.path, "--port", "0"]
    preview.currentDirectoryURL = root
    let output = Pipe()
    preview.standardOutput = output
    preview.standardError = output
    let log = Collected()
    output.fileHandleForReading.readabilityHandler = { log.append($0.availableData) }
    try preview.run()
    defer { kill(preview.processIdentifier, SIGINT); preview.waitUntilExit() }

    var port: UInt16?
    let deadline = Date().addingTimeInterval(600)
    while port == nil && Date() < deadline && preview.isRunning {
        if let m = log.text.firstMatch(of: #/at http://127\.0\.0\.1:(\d+)//#) { port = UInt16(m.1) }
        usleep(100_000)
    }
    guard let port else { throw BenchError("the preview did not start:\n\(log.text)") }
    let events = try RawEventStream(port: port)
    var latencies: [Double] = [], builds: [Double] = []
    for (round, seed) in ["2018", "2017", "2019", "2017"].enumerated() {
        let before = log.text.components(separatedBy: "Rebuilt in ").count
        events.clear()
        let saved = Date()
        try original.replacingOccurrences(of: "let seed: UInt64 = 2017", with: "let seed: UInt64 = \(seed)")
            .write(to: lesson, atomically: true, encoding: .utf8)
        while !events.text.contains("event: reload") {
            guard Date().timeIntervalSince(saved) < 600 else { throw BenchError("no reload after 600 s:\n\(log.text.suffix(2_000))") }
            usleep(5_000)
        }
        let latency = Date().timeIntervalSince(saved)
        var reported: Double?
        while reported == nil && Date().timeIntervalSince(saved) < latency + 5 {
            let parts = log.text.components(separatedBy: "Rebuilt in ")
            if parts.count > before, let value = Double(parts[before].prefix(while: { $0 == "." || $0.isNumber })) { reported = value }
            usleep(10_000)
        }
        latencies.append(latency)
        builds.append(reported ?? .nan)
        print("edit \(round + 1) (seed \(seed)): save → reload event \(String(format: "%.2f", latency)) s; the preview's rebuild (swift build + lesson 1) \(String(format: "%.2f", reported ?? .nan)) s")
    }
    let mean = latencies.reduce(0, +) / Double(latencies.count)
    let build = builds.reduce(0, +) / Double(builds.count)
    print("mean: \(String(format: "%.2f", mean)) s to the reload event, of which the rebuild \(String(format: "%.2f", build)) s; the watcher and server add \(String(format: "%.2f", mean - build)) s")
    print("RESULT name=preview save_to_reload_seconds=\(String(format: "%.2f", mean)) rebuild_seconds=\(String(format: "%.2f", build)) overhead_seconds=\(String(format: "%.2f", mean - build))")
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) { lock.withLock { data.append(more) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

@discardableResult
func shell(_ executable: String, _ arguments: [String], in folder: URL) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = folder
    guard (try? process.run()) != nil else { return 127 }
    process.waitUntilExit()
    return process.terminationStatus
}

/// The preview's event stream over a plain socket.
final class RawEventStream: @unchecked Sendable {
    private let fd: Int32
    private let received = Collected()

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let fd = self.fd
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw BenchError("cannot connect to the preview") }
        let request = Array("GET /__preview/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        _ = write(fd, request, request.count)
        let received = self.received
        Thread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                received.append(Data(buffer[0..<n]))
            }
        }.start()
    }

    deinit { close(fd) }

    private var mark = 0
    var text: String { String(received.text.dropFirst(mark)) }
    func clear() { mark = received.text.count }
}
