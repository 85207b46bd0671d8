@testable import MachineLearning
import XCTest

/// The clustered Purchase-like population. Tests run at -Onone, so they use a small clustering
/// (`fitCount` 4,000, 10 classes) where they need labels; the shape facts hold at that size too.
final class ShopperPopulationTests: XCTestCase {
    func small(_ classes: Int = 10, seed: UInt64 = 3) -> ShopperPopulation {
        var p = ShopperPopulation(classCount: classes, seed: seed)
        p.fitCount = 4_000
        return p
    }

    func testTheClusteringGivesBitForBitTheCentroidsAndLabelsItAlwaysGave() {
        // Recorded with the first, unvectorised implementation (835f710): a faster clustering must keep
        // every sum's order, or every class label of the course changes.
        let p = small()
        var f = Fingerprint()
        for c in p.centroids() { f.add(UInt64(c.bitPattern)) }
        for label in p.records(count: 500, first: 0).labels { f.add(UInt64(label)) }
        XCTAssertEqual(f.hex, "e216af86d55f1343")
    }

    /// Every lesson process clusters the same populations: the first stores the centroids in the model
    /// cache, the next reads them back (not recomputed: a planted file is what it gets), and a damaged
    /// file is recomputed, with the same bits as a clustering that never saw a store.
    func testCentroidsAreStoredByOneProcessAndReadByTheNext() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("centroids-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let p = small(seed: 41)
        func forget() { ShopperPopulation.centroidCache.withLock { $0[p] = nil } }   // as a new process starts
        forget()
        let unstored = p.centroids()
        forget()
        ShopperPopulation.centroidStore = ModelCache(directory: folder, salt: "test")
        defer { ShopperPopulation.centroidStore = nil; forget() }
        XCTAssertEqual(p.centroids().map(\.bitPattern), unstored.map(\.bitPattern))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".milmodel") }
        XCTAssertEqual(files.count, 1)
        let file = folder.appendingPathComponent(files[0])

        forget()
        let planted = Matrix(rows: 10, columns: p.featureCount, values: unstored.map { $0 + 1 })
        try ModelArchive.save(.clustering(planted), to: file)
        XCTAssertEqual(p.centroids(), planted.values, "read from the store, not clustered again")

        forget()
        try Data("MILMODEL 1 clustering 0 5\nbroken".utf8).write(to: file)
        XCTAssertEqual(p.centroids().map(\.bitPattern), unstored.map(\.bitPattern), "a damaged file is clustered again")
        XCTAssertEqual(try ModelArchive.load(from: file), .clustering(Matrix(rows: 10, columns: p.featureCount, values: unstored)),
                       "and stored again")
    }

    func testARecordIsTheSameWhicheverRangeItIsCutFrom() {
        let p = small()
        let whole = p.records(count: 12, first: 100), part = p.records(count: 4, first: 105)
        for r in 0..<4 {
            XCTAssertEqual(Array(whole.features.row(r + 5)), Array(part.features.row(r)))
            XCTAssertEqual(whole.labels[r + 5], part.labels[r])
        }
    }

    func testTheSameSeedGivesTheSameRecordsAndAnotherSeedDoesNot() {
        XCTAssertEqual(small(seed: 4).records(count: 50, first: 0).features, small(seed: 4).records(count: 50, first: 0).features)
        XCTAssertNotEqual(small(seed: 4).records(count: 50, first: 0).features, small(seed: 5).records(count: 50, first: 0).features)
    }

    func testRecordsAreSparseLikeShoppingBasketsAndProfilesAreUnequallyCommon() {
        let (x, profiles) = ShopperPopulation(classCount: 10, seed: 1).unlabelledRecords(count: 3_000)
        let density = Double(x.values.reduce(0, +)) / Double(x.values.count)
        XCTAssertEqual(density, 0.09, accuracy: 0.02, "about 9% of products bought, as measured on the reference generator")
        var uses: [Int: Int] = [:]
        for m in profiles { uses[m, default: 0] += 1 }
        XCTAssertGreaterThan(uses.values.max()!, 5, "weights ∝ rank^−0.5: the commonest profile is drawn many times")
        XCTAssertGreaterThan(uses.count, 1_000, "and most records still come from different profiles")
    }

    func testClassesAreClustersOfVeryDifferentSizes() {
        let data = small().records(count: 4_000, first: 0)
        let sizes = (0..<10).map { c in data.labels.filter { $0 == c }.count }
        XCTAssertEqual(sizes.reduce(0, +), 4_000)
        XCTAssertTrue(sizes.allSatisfy { $0 > 0 }, "spherical k-means leaves no class empty here: \(sizes)")
        XCTAssertGreaterThan(Double(sizes.max()!) / Double(sizes.min()!), 1.5, "uneven classes: \(sizes)")
        XCTAssertLessThan(Double(sizes.max()!) / 4_000, 0.4, "no catch-all cluster: \(sizes)")
    }

    func testEachRecordIsLabelledWithItsNearestCentroidByCosine() {
        let p = small()
        let data = p.records(count: 30, first: 7), c = p.centroids(), d = 600
        for r in 0..<30 {
            let row = Array(data.features.row(r)), ones = row.reduce(0, +)
            let scores = (0..<10).map { k -> Float in
                let norm = (0..<d).reduce(Float(0)) { $0 + c[k * d + $1] * c[k * d + $1] }
                let dot = (0..<d).reduce(Float(0)) { $0 + row[$1] * c[k * d + $1] }
                return norm - 2 * dot / ones.squareRoot()
            }
            XCTAssertEqual(data.labels[r], scores.indices.min { scores[$0] < scores[$1] }!)
        }
    }
}
