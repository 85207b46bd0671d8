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
