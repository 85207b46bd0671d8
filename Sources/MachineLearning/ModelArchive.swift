import CZlib
import Foundation

/// Any fitted model the course saves.
public enum SavedModel: Codable, Equatable, Sendable {
    case mlp(FittedMLP)
    case softmaxRegression(FittedSoftmaxRegression)
    case tree(FittedTree)
    case forest(FittedForest)
    /// k-means centroids, clusters × features (`ShopperPopulation.centroids`).
    case clustering(Matrix)
    /// One binary model per class, each on standardised inputs: a fitted membership attack.
    case perClass(PerClassModels)

    public var kind: String {
        switch self {
        case .mlp: "mlp"
        case .softmaxRegression: "softmax-regression"
        case .tree: "tree"
        case .forest: "forest"
        case .clustering: "clustering"
        case .perClass: "per-class"
        }
    }
}

/// Binary classifiers, one per class (nil where a class had nothing to learn), each reading its inputs
/// standardised by its own column means and scales: what a membership attack trains.
public struct PerClassModels: Codable, Equatable, Sendable {
    public struct Member: Codable, Equatable, Sendable {
        public var mean: [Float]
        public var scale: [Float]
        /// An `.mlp` or a `.softmaxRegression`.
        public var model: SavedModel

        public init(mean: [Float], scale: [Float], model: SavedModel) {
            self.mean = mean
            self.scale = scale
            self.model = model
        }
    }

    public var members: [Member?]
    /// P(member) answered for a class without a model.
    public var fallbackMemberProbability: Double

    public init(members: [Member?], fallbackMemberProbability: Double) {
        self.members = members
        self.fallbackMemberProbability = fallbackMemberProbability
    }
}

/// The on-disk format of a fitted model: a one-line header, then the model as JSON.
///
///     MILMODEL <format version> <kind> <CRC-32 of the payload, hex> <payload bytes>\n<payload>
///
/// Reading checks the magic word, the version, the length and the checksum, so a truncated,
/// corrupted or foreign file is rejected with a message rather than silently used.
public enum ModelArchive {
    public static let formatVersion = 1
    static let magic = "MILMODEL"

    public static func encode(_ model: SavedModel) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let payload = try encoder.encode(model)
        var data = Data("\(magic) \(formatVersion) \(model.kind) \(String(checksum(payload), radix: 16)) \(payload.count)\n".utf8)
        data.append(payload)
        return data
    }

    public static func decode(_ data: Data, path: String) throws -> SavedModel {
        func bad(_ message: String) -> DataError { DataError(path: path, message: message) }
        guard let newline = data.firstIndex(of: 0x0A),
              let header = String(data: data[data.startIndex..<newline], encoding: .utf8) else {
            throw bad("not a model file (no header line)")
        }
        let fields = header.split(separator: " ")
        guard fields.count == 5, fields[0] == magic else { throw bad("not a model file (header '\(header.prefix(40))')") }
        guard Int(fields[1]) == formatVersion else {
            throw bad("model format version \(fields[1]), but this program reads version \(formatVersion)")
        }
        let payload = data[(newline + 1)...]
        guard Int(fields[4]) == payload.count else {
            throw bad("truncated or padded: the header promises \(fields[4]) bytes, the file holds \(payload.count)")
        }
        guard UInt32(fields[3], radix: 16) == checksum(Data(payload)) else {
            throw bad("corrupted: the checksum does not match")
        }
        let model: SavedModel
        do {
            model = try JSONDecoder().decode(SavedModel.self, from: Data(payload))
        } catch {
            throw bad("the checksum matches but the model cannot be read: \(error)")
        }
        // A tree that would send a walk in a loop or outside itself is refused here, not hung on later.
        switch model {
        case let .tree(tree):
            if let problem = tree.structureProblem { throw bad("the tree \(problem)") }
        case let .forest(forest):
            for (t, tree) in forest.trees.enumerated() {
                if let problem = tree.structureProblem {
                    throw bad(problem.hasPrefix("has") ? "tree \(t + 1) \(problem)" : "tree \(t + 1): \(problem)")
                }
            }
        case let .perClass(set):
            for (c, member) in set.members.enumerated() {
                guard let member else { continue }
                guard member.mean.count == member.scale.count else {
                    throw bad("class \(c)'s attack model has \(member.mean.count) means and \(member.scale.count) scales")
                }
                let inputs: Int?
                switch member.model {
                case let .mlp(network): inputs = network.layers.first?.weights.rows
                case let .softmaxRegression(regression): inputs = regression.network.layers.first?.weights.rows
                default: throw bad("class \(c)'s attack model is a \(member.model.kind), not an MLP or a softmax regression")
                }
                // The standardiser's width is the model's: anything else would index past one of them.
                guard inputs == member.mean.count else {
                    throw bad("class \(c)'s attack model reads \(inputs ?? 0) inputs but is standardised over \(member.mean.count)")
                }
            }
        case .mlp, .softmaxRegression, .clustering: break
        }
        return model
    }

    public static func save(_ model: SavedModel, to url: URL) throws {
        // Host, process and a random part: nodes of a cluster sharing the cache can have the same pid.
        let unique = "\(ProcessInfo.processInfo.hostName).\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(unique).tmp")
        try encode(model).write(to: temporary)
        // rename(2) replaces the destination atomically: readers see the old file or the new one.
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw DataError(path: url.path, message: "cannot save the model: \(reason)")
        }
    }

    public static func load(from url: URL) throws -> SavedModel {
        try decode(try Data(contentsOf: url), path: url.path)
    }

    static func checksum(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { UInt32(crc32(0, $0.bindMemory(to: UInt8.self).baseAddress, uInt($0.count))) }
    }
}

/// 64-bit FNV-1a, for content keys (not for security): datasets, models, lesson results.
public struct Fingerprint: Sendable {
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        value = h
    }

    /// FNV-1a's step over little-endian 64-bit words (the last, partial word byte by byte), each product's
    /// high half folded back into its low half so that every input bit reaches every hash bit: an eighth
    /// of the multiplications of `add(_:)` for large arrays, and a different value for the same bytes.
    public mutating func add(words bytes: UnsafeRawBufferPointer) {
        var h = value
        let whole = bytes.count / 8
        for w in 0..<whole {
            h = (h ^ UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * w, as: UInt64.self))) &* 0x0000_0100_0000_01B3
            h ^= h >> 32
        }
        for byte in bytes[(8 * whole)...] { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        value = h
        add(UInt64(bytes.count))
    }

    public mutating func add(_ data: Data) {
        data.withUnsafeBytes { add($0) }
    }

    public mutating func add(_ text: String) {
        var copy = text
        copy.withUTF8 { add(UnsafeRawBufferPointer($0)) }
        add(UInt64(text.utf8.count))
    }

    public mutating func add(_ number: UInt64) {
        withUnsafeBytes(of: number.littleEndian) { add($0) }
    }

    public var hex: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// The fingerprint of every regular file under `folders` (path within its folder, then bytes), in
    /// sorted order, not following symbolic links; nil if a folder cannot be read.
    public static func ofFiles(in folders: [URL]) -> String? {
        var f = Fingerprint()
        for folder in folders {
            guard let files = files(in: folder) else { return nil }
            for file in files {
                guard let data = try? Data(contentsOf: file) else { return nil }
                f.add(file: String(file.path.dropFirst(folder.path.count)), data)
            }
        }
        return f.hex
    }

    /// The regular files under `folder` in the order `ofFiles` hashes them (by path), not following
    /// symbolic links and skipping hidden files; nil if the folder cannot be read. A regular file (or a
    /// link to one) given as `folder`, a package's `Package.swift`, is its own one file.
    public static func files(in folder: URL) -> [URL]? {
        let given = try? folder.resolvingSymlinksInPath().resourceValues(forKeys: [.isRegularFileKey])
        if given?.isRegularFile == true { return [folder] }
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey],
                                                              options: [.skipsHiddenFiles]) else { return nil }
        var files: [URL] = []
        for case let url as URL in enumerator {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
            if values?.isSymbolicLink == true { enumerator.skipDescendants(); continue }
            if values?.isRegularFile == true { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// One file of `ofFiles`: its path within the folder hashed, then its bytes.
    public mutating func add(file pathInFolder: String, _ data: Data) {
        add(pathInFolder)
        add(data)
    }
}

extension Dataset {
    /// A content hash of the features, labels and class count: two datasets with the same
    /// fingerprint are (with overwhelming probability) the same data.
    public var fingerprint: String {
        var f = Fingerprint()
        features.values.withUnsafeBytes { f.add($0) }
        labels.map { Int64($0).littleEndian }.withUnsafeBytes { f.add($0) }
        f.add(UInt64(classCount))
        f.add(UInt64(features.columns))
        return f.hex
    }
}

/// An exclusive `flock` on a file, held until `release()`; no lock at all when the file cannot be
/// opened (a read-only cache), which only costs the chance of training a model twice.
final class KeyLock {
    private var descriptor: Int32

    /// Takes the lock, calling `waiting` first when someone else holds it.
    init(_ file: URL, waiting: () -> Void = {}) {
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        descriptor = open(file.path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return }
        waiting()
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
    }

    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

/// Trained models kept on disk by content: the key hashes the training data, the model's
/// configuration (which includes its seed) and the archive format, so a later lesson or a rerun
/// reuses a model only if nothing it depends on changed. A damaged file is reported, retrained and
/// replaced; never used.
public struct ModelCache: Sendable {
    public let directory: URL
    /// Bump when training code changes in a way that changes results.
    public static let codeVersion = 1
    /// Mixed into every key: callers pass a fingerprint of the training code so that changing it
    /// retires every cached model.
    public let salt: String
    /// False to retrain every model (and refresh the stored copy) instead of loading it: `--no-cache`.
    public let readsStoredModels: Bool

    public init(directory: URL, salt: String = "", readsStoredModels: Bool = true) {
        self.directory = directory
        self.salt = salt
        self.readsStoredModels = readsStoredModels
    }

    /// The cache key for a model of `configuration` trained on `data`.
    public static func key(configuration: String, data: Dataset, extra: String = "") -> String {
        var f = Fingerprint()
        f.add("format \(ModelArchive.formatVersion) code \(codeVersion)")
        f.add(configuration)
        f.add(data.fingerprint)
        f.add(extra)
        return f.hex
    }

    /// The cache key for something computed from `configuration` alone (no training data).
    public static func key(configuration: String, extra: String = "") -> String {
        var f = Fingerprint()
        f.add("format \(ModelArchive.formatVersion) code \(codeVersion)")
        f.add(configuration)
        f.add(extra)
        return f.hex
    }

    public func url(forKey key: String) -> URL { directory.appendingPathComponent("\(key).milmodel") }

    /// The cached model for `key`, or `train()`'s, which is then stored. `warn` hears about damaged files.
    public func model(forKey key: String, warn: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) },
                      train: () throws -> SavedModel) throws -> (model: SavedModel, cached: Bool) {
        let url = url(forKey: key)
        // One trainer per key at a time, across threads and processes (two lessons of a build, two
        // tasks on a cluster): whoever comes second waits, then loads what the first stored.
        let lock = KeyLock(directory.appendingPathComponent("locks/\(key)")) {
            warn("model cache: another lesson is training this model (\(key.prefix(12))…); waiting to load it")
        }
        defer { lock.release() }
        if readsStoredModels, FileManager.default.fileExists(atPath: url.path) {
            do {
                return (try ModelArchive.load(from: url), true)
            } catch {
                warn("model cache: \(error); retraining it")
            }
        }
        let model = try train()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try ModelArchive.save(model, to: url)
        return (model, false)
    }

    /// An MLP trained on `data` with `configuration`, from the cache when it is there. `progress`
    /// hears each epoch of a training run (none when the model comes from the cache).
    public func mlp(_ configuration: MLPClassifier, data: Dataset, validation: Dataset? = nil,
                    progress: ((EpochRecord) -> Void)? = nil) throws -> (model: FittedMLP, cached: Bool) {
        let key = Self.key(configuration: String(describing: configuration), data: data,
                           extra: salt + (validation.map { "validation \($0.fingerprint)" } ?? ""))
        let (saved, cached) = try model(forKey: key) { .mlp(try configuration.fit(data, validation: validation, progress: progress)) }
        guard case .mlp(let fitted) = saved else {
            throw DataError(path: url(forKey: key).path, message: "holds a \(saved.kind), not an MLP")
        }
        return (fitted, cached)
    }
}
