import Foundation

/// Progress of long work in a lesson (epochs, a shadow fleet, synthesis), on the lesson's log.
///
/// When `lessons build` runs on a terminal it sets `MIL_TTY=1` and this draws a bar that redraws in
/// place, with the rate and the time left; otherwise (CI logs, files) it prints a plain line every
/// 10 seconds and one when the work is done, so logs stay readable.
public final class ProgressBar: @unchecked Sendable {
    public let label: String
    public let total: Int
    private var done = 0
    private let started = Date()
    private var lastPrinted: Date
    private let lock = NSLock()
    private let terminal = CourseEnvironment.current.drawsOnTerminal

    public init(_ label: String, total: Int) {
        self.label = label
        self.total = max(1, total)
        lastPrinted = terminal ? .distantPast : started
    }

    /// Marks `count` more units done and redraws when it is time to.
    public func advance(by count: Int = 1) {
        lock.lock(); defer { lock.unlock() }
        done = min(total, done + count)
        draw()
    }

    /// Sets the units done so far (for work that reports a running total) and redraws when it is time to.
    public func update(to count: Int) {
        lock.lock(); defer { lock.unlock() }
        guard count != done else { return }
        done = min(total, max(0, count))
        draw()
    }

    private func draw() {
        let now = Date(), elapsed = now.timeIntervalSince(started)
        let fraction = Double(done) / Double(total)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = rate > 0 ? Double(total - done) / rate : 0
        let numbers = "\(done)/\(total) · \(String(format: "%.1f", rate))/s · \(Self.duration(left)) left"
        if terminal {
            guard now.timeIntervalSince(lastPrinted) > 0.1 || done == total else { return }
            let width = 24, filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let line = "\r\u{1B}[K    │ \(label) ▕\(bar)▏ \(Int(fraction * 100))% · \(numbers)" + (done == total ? "\n" : "")
            FileHandle.standardError.write(Data(line.utf8))
        } else {
            // A line every 10 seconds and one at the end: short work prints one line, long work a few.
            guard done == total || now.timeIntervalSince(lastPrinted) >= 10 else { return }
            FileHandle.standardError.write(Data("\(label): \(Int(fraction * 100))% (\(numbers))\n".utf8))
        }
        lastPrinted = now
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 60 ? "\(Int(seconds.rounded())) s" : "\(Int(seconds / 60)) min \(Int(seconds.truncatingRemainder(dividingBy: 60))) s"
    }
}
