/// Who plays which role in an experiment: named sets of record indices drawn from one pool, with an
/// audit that proves no record is in two roles that must be disjoint.
///
/// The membership-inference setup needs this guarantee: the target's members and non-members are
/// disjoint, and all of the attacker's (shadow) data is disjoint from the target's. Shadow sets may
/// overlap each other (the paper allows it): put them in one group declared `overlapping`.
public struct SplitPlan: Sendable {
    public struct Role: Sendable, Equatable {
        public let name: String
        public let group: String
        public let indices: [Int]
    }

    public let poolSize: Int
    public private(set) var roles: [Role] = []
    private var overlappingGroups: Set<String> = []
    private var unused: [Int]
    private var generator: SplitMix64

    /// A plan over records `0..<poolSize`, drawn in an order shuffled by `seed`.
    public init(poolSize: Int, seed: UInt64) {
        self.poolSize = poolSize
        generator = SplitMix64(seed: seed)
        unused = Array(0..<poolSize).shuffled(using: &generator)
    }

    /// Takes `count` records no other role has: they are this role's alone.
    public mutating func disjoint(_ name: String, count: Int) throws -> [Int] {
        guard count <= unused.count else {
            throw TrainingError("SplitPlan: role '\(name)' needs \(count) records but only \(unused.count) of \(poolSize) are left")
        }
        let taken = Array(unused.suffix(count))
        unused.removeLast(count)
        roles.append(Role(name: name, group: name, indices: taken))
        return taken
    }

    /// Reserves `count` records as a pool for `group` (the attacker's data, say) from which
    /// overlapping roles are then sampled with `sample`.
    public mutating func reserve(_ group: String, count: Int) throws -> [Int] {
        let taken = try disjoint(group, count: count)
        roles.removeLast()
        overlappingGroups.insert(group)
        roles.append(Role(name: "\(group) (pool)", group: group, indices: taken))
        return taken
    }

    /// A role of `count` records drawn (without repeats) from `group`'s reserved pool; roles of one
    /// group may share records.
    public mutating func sample(_ name: String, from group: String, count: Int) throws -> [Int] {
        guard let pool = roles.first(where: { $0.group == group && $0.name == "\(group) (pool)" }) else {
            throw TrainingError("SplitPlan: no pool named '\(group)'; reserve it first")
        }
        guard count <= pool.indices.count else {
            throw TrainingError("SplitPlan: role '\(name)' needs \(count) records but the '\(group)' pool has \(pool.indices.count)")
        }
        let taken = Array(pool.indices.shuffled(using: &generator).prefix(count))
        roles.append(Role(name: name, group: group, indices: taken))
        return taken
    }

    /// Records the roles of a plan made elsewhere (for example a dataset's fixed train/test files).
    public mutating func record(_ name: String, group: String? = nil, indices: [Int]) {
        roles.append(Role(name: name, group: group ?? name, indices: indices))
    }

    /// Throws if a record is in two roles of different groups, twice in one role, or in two roles of a
    /// group not declared overlapping. Returns the number of distinct records checked.
    @discardableResult
    public func audit() throws -> Int {
        var owner: [Int: Role] = [:]
        for role in roles {
            var seen = Set<Int>()
            for index in role.indices {
                guard seen.insert(index).inserted else {
                    throw TrainingError("SplitPlan audit: record \(index) appears twice in '\(role.name)'")
                }
                if let other = owner[index], other.name != role.name {
                    let allowed = other.group == role.group && overlappingGroups.contains(role.group)
                    if !allowed {
                        throw TrainingError("SplitPlan audit: record \(index) is in both '\(other.name)' and '\(role.name)'")
                    }
                } else {
                    owner[index] = role
                }
            }
        }
        return owner.count
    }
}
