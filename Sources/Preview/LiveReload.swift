import FlyingSocks
import Foundation

/// What the preview tells open pages, as Server-Sent Events: `building` while a rebuild runs,
/// `failed` (with the error, in the author's words) when it did not work, `reload` when the new site
/// is in place. A page that connects gets the current state first, so a page opened while the last
/// build is broken shows the error at once.
public final class LiveReload: @unchecked Sendable {
    public enum State: Equatable, Sendable {
        case ready
        case building
        case failed(String)
    }

    private let lock = NSLock()
    /// Held while an event is captured and sent, so every client sees events in one order; never
    /// taken by a stream's termination handler (which takes `lock` only).
    private let sending = NSLock()
    private var clients: [UUID: AsyncStream<Data>.Continuation] = [:]
    private var state = State.ready
    /// How many reloads were sent (for tests and the console).
    public private(set) var reloads = 0

    public init() {}

    public var current: State { lock.withLock { state } }
    public var clientCount: Int { lock.withLock { clients.count } }

    /// A new client's event stream.
    func subscribe() -> AsyncStream<Data> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<Data>.makeStream(bufferingPolicy: .bufferingNewest(64))
        continuation.onTermination = { [weak self] _ in self?.lock.withLock { _ = self?.clients.removeValue(forKey: id) } }
        sending.withLock {
            let now = lock.withLock { () -> State in
                clients[id] = continuation
                return state
            }
            continuation.yield(Self.event("hello", "retry: 1000"))
            continuation.yield(Self.event(for: now))
        }
        return stream
    }

    public func building() { set(.building) }
    public func failed(_ message: String) { set(.failed(message)) }

    /// The new site is in place: every page reloads.
    public func reload() {
        sending.withLock {
            let targets = lock.withLock { () -> [AsyncStream<Data>.Continuation] in
                state = .ready
                reloads += 1
                return Array(clients.values)
            }
            send(Self.event("reload", ""), to: targets)
        }
    }

    /// Keeps idle connections open through proxies and timeouts.
    public func heartbeat() {
        sending.withLock { send(Data(": ping\n\n".utf8), to: lock.withLock { Array(clients.values) }) }
    }

    /// Ends every stream (the server is stopping).
    public func finishAll() {
        // Finishing runs each stream's termination handler, which takes the lock: not while holding it.
        let all = lock.withLock { () -> [AsyncStream<Data>.Continuation] in
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in all { client.finish() }
    }

    private func set(_ new: State) {
        sending.withLock {
            let targets = lock.withLock { () -> [AsyncStream<Data>.Continuation] in
                state = new
                return Array(clients.values)
            }
            send(Self.event(for: new), to: targets)
        }
    }

    /// Yields outside the lock: a stream that ends meanwhile runs its termination handler, which takes it.
    private func send(_ event: Data, to targets: [AsyncStream<Data>.Continuation]) {
        for client in targets { client.yield(event) }
    }

    static func event(for state: State) -> Data {
        switch state {
        case .ready: event("ready", "")
        case .building: event("building", "")
        case .failed(let message): event("failed", message)
        }
    }

    /// One SSE event; every line of `data` becomes a `data:` line.
    static func event(_ name: String, _ data: String) -> Data {
        if name == "hello" { return Data("\(data)\n\n".utf8) }
        let lines = data.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)" }
        return Data(("event: \(name)\n" + lines.joined(separator: "\n") + "\n\n").utf8)
    }
}

/// An event stream as the bytes of a chunked HTTP body.
struct EventBytes: AsyncBufferedSequence {
    typealias Element = UInt8
    let stream: AsyncStream<Data>

    func makeAsyncIterator() -> Iterator { Iterator(inner: stream.makeAsyncIterator()) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        var inner: AsyncStream<Data>.Iterator
        var pending = Data()

        mutating func next() async throws -> UInt8? {
            if pending.isEmpty { guard let chunk = await inner.next() else { return nil }; pending = chunk }
            return pending.popFirst()
        }

        mutating func nextBuffer(suggested count: Int) async throws -> Data? {
            if !pending.isEmpty { defer { pending = Data() }; return pending }
            while let chunk = await inner.next() {
                if !chunk.isEmpty { return chunk }
            }
            return nil
        }
    }
}
