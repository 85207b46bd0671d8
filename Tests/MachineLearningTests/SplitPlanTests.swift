import MachineLearning
import XCTest

final class SplitPlanTests: XCTestCase {
    func testTheMembershipSetupPassesItsAudit() throws {
        var plan = SplitPlan(poolSize: 1_000, seed: 4)
        let members = try plan.disjoint("target in", count: 200)
        let nonMembers = try plan.disjoint("target out", count: 200)
        _ = try plan.reserve("attacker", count: 500)
        let shadowA = try plan.sample("shadow 1 in", from: "attacker", count: 300)
        let shadowB = try plan.sample("shadow 2 in", from: "attacker", count: 300)
        XCTAssertEqual(try plan.audit(), 900)
        XCTAssertTrue(Set(members).isDisjoint(with: nonMembers))
        XCTAssertTrue(Set(members).isDisjoint(with: shadowA + shadowB))
        XCTAssertFalse(Set(shadowA).isDisjoint(with: shadowB), "300 + 300 of 500 must overlap")
    }

    func testTheAuditCatchesARecordInTwoRoles() throws {
        var plan = SplitPlan(poolSize: 10, seed: 1)
        let members = try plan.disjoint("target in", count: 5)
        plan.record("leaky shadow", indices: [members[2], 99])
        XCTAssertThrowsError(try plan.audit()) {
            XCTAssertEqual("\($0)", "SplitPlan audit: record \(members[2]) is in both 'target in' and 'leaky shadow'")
        }
    }

    func testAskingForMoreRecordsThanAreLeftFails() throws {
        var plan = SplitPlan(poolSize: 10, seed: 1)
        _ = try plan.disjoint("a", count: 8)
        XCTAssertThrowsError(try plan.disjoint("b", count: 3)) {
            XCTAssertEqual("\($0)", "SplitPlan: role 'b' needs 3 records but only 2 of 10 are left")
        }
    }

    func testTheSameSeedGivesTheSamePlan() throws {
        var a = SplitPlan(poolSize: 100, seed: 7), b = SplitPlan(poolSize: 100, seed: 7)
        XCTAssertEqual(try a.disjoint("x", count: 10), try b.disjoint("x", count: 10))
    }
}
