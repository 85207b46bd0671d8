import Foundation
import MachineLearning
import XCTest

final class ModelArchiveTests: XCTestCase {
    var folder: URL!

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString)")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    func smallModel() throws -> (MLPClassifier, Dataset) {
        let data = PurchaseLike(classCount: 4, seed: 3).records(count: 120)
        return (MLPClassifier(hiddenLayers: [8], epochs: 2, batchSize: 40, seed: 1), data)
    }

    func testAModelSurvivesARoundTripUnchanged() throws {
        let (config, data) = try smallModel()
        let model = try config.fit(data)
        let url = folder.appendingPathComponent("m.milmodel")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try ModelArchive.save(.mlp(model), to: url)
        XCTAssertEqual(try ModelArchive.load(from: url), .mlp(model))
        let tree = try DecisionTree(maxDepth: 3).fit(data)
        try ModelArchive.save(.tree(tree), to: url)
        XCTAssertEqual(try ModelArchive.load(from: url), .tree(tree))
    }

    /// A forest file whose tree would send a walk in a loop (a node pointing to itself or back up the
    /// tree), or has no nodes, or a leaf of the wrong size, is refused when read, with the file and the
    /// node named; walking it would hang or read outside the tree.
    func testATreeThatWouldLoopOrIsMalformedIsRefusedWhenRead() throws {
        let (_, data) = try smallModel()
        let forest = try RandomForest(treeCount: 2, seed: 4).fit(data)
        let inner = try XCTUnwrap(forest.trees[1].nodes.firstIndex { $0.feature >= 0 })
        func refused(_ damage: (inout FittedForest) -> Void, _ expected: String, line: UInt = #line) throws {
            var bad = forest
            damage(&bad)
            let file = try ModelArchive.encode(.forest(bad))
            XCTAssertThrowsError(try ModelArchive.decode(file, path: "f.milmodel"), line: line) {
                XCTAssertTrue("\($0)".hasPrefix("f.milmodel: "), "\($0)", line: line)
                XCTAssertTrue("\($0)".contains(expected), "\($0)", line: line)
            }
        }
        try refused({ $0.trees[1].nodes[inner].left = inner }, "tree 2: node \(inner) points to")
        try refused({ $0.trees[1].nodes[inner].right = 0 }, "tree 2: node \(inner) points to")
        try refused({ $0.trees[0].nodes[0].left = $0.trees[0].nodes.count }, "tree 1: node 0 points to")
        try refused({ $0.trees[0].nodes = [] }, "tree 1 has no nodes")
        let leaf = try XCTUnwrap(forest.trees[0].nodes.firstIndex { $0.feature < 0 })
        try refused({ $0.trees[0].nodes[leaf].distribution = [1] }, "tree 1: leaf \(leaf) has 1 class frequencies")
        XCTAssertEqual(try ModelArchive.decode(try ModelArchive.encode(.forest(forest)), path: "f"), .forest(forest))
    }

    func testTheCacheReusesAModelOnlyWhenNothingChanged() throws {
        let (config, data) = try smallModel()
        let cache = ModelCache(directory: folder)
        let first = try cache.mlp(config, data: data)
        XCTAssertFalse(first.cached)
        let second = try cache.mlp(config, data: data)
        XCTAssertTrue(second.cached)
        XCTAssertEqual(first.model, second.model)
        var otherSeed = config
        otherSeed.seed = 2
        XCTAssertFalse(try cache.mlp(otherSeed, data: data).cached, "the seed is part of the key")
        var otherData = data
        otherData.features.values[0] = 1 - otherData.features.values[0]
        XCTAssertFalse(try cache.mlp(config, data: otherData).cached, "the data is part of the key")
    }

    func testTwoTrainersOfTheSameModelAtOnceTrainItOnceAndTheSecondLoadsIt() throws {
        let (config, data) = try smallModel()
        let cache = ModelCache(directory: folder)
        let key = ModelCache.key(configuration: String(describing: config), data: data)
        final class Count: @unchecked Sendable { let lock = NSLock(); var trained = 0, cached = 0 }
        let count = Count()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let result = try? cache.model(forKey: key) {
                count.lock.withLock { count.trained += 1 }
                Thread.sleep(forTimeInterval: 0.2)   // long enough for the others to arrive meanwhile
                return .mlp(try config.fit(data))
            }
            if result?.cached == true { count.lock.withLock { count.cached += 1 } }
        }
        XCTAssertEqual(count.trained, 1)
        XCTAssertEqual(count.cached, 3)
    }

    func testACorruptedCacheFileIsReportedAndRetrained() throws {
        let (config, data) = try smallModel()
        let cache = ModelCache(directory: folder)
        let original = try cache.mlp(config, data: data).model
        let file = try XCTUnwrap(FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .first { $0.pathExtension == "milmodel" })
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count - 10] ^= 0x01
        try bytes.write(to: file)
        var warnings: [String] = []
        let key = ModelCache.key(configuration: String(describing: config), data: data)
        let again = try cache.model(forKey: key, warn: { warnings.append($0) }) { .mlp(try config.fit(data)) }
        XCTAssertFalse(again.cached)
        XCTAssertEqual(again.model, .mlp(original), "retraining with the same seed gives the same model")
        XCTAssertEqual(warnings, ["model cache: \(file.path): corrupted: the checksum does not match; retraining it"])
        XCTAssertTrue(try cache.mlp(config, data: data).cached, "the damaged file was replaced")
    }

    func testForeignAndTruncatedFilesAreRejected() throws {
        XCTAssertThrowsError(try ModelArchive.decode(Data("hello\nworld".utf8), path: "x")) {
            XCTAssertEqual("\($0)", "x: not a model file (header 'hello')")
        }
        let (config, data) = try smallModel()
        let encoded = try ModelArchive.encode(.mlp(try config.fit(data)))
        XCTAssertThrowsError(try ModelArchive.decode(encoded.dropLast(5), path: "m")) {
            XCTAssertTrue("\($0)".hasPrefix("m: truncated or padded"), "\($0)")
        }
        let newer = Data(String(decoding: encoded, as: UTF8.self).replacingOccurrences(of: "MILMODEL 1 ", with: "MILMODEL 9 ").utf8)
        XCTAssertThrowsError(try ModelArchive.decode(newer, path: "m")) {
            XCTAssertEqual("\($0)", "m: model format version 9, but this program reads version 1")
        }
    }
}
