import ArgumentParser
import Foundation

/// The seeds of a sweep, as `--seeds` takes them: numbers and ranges separated by commas
/// (`2017,1-9`), in the order given, each once. The first seed is the sweep's primary one: the site's
/// lesson pages show its run, as a one-seed build would.
struct SeedList: Equatable, CustomStringConvertible {
    let seeds: [UInt64]

    /// More seeds than this is almost surely a typo (`1-20170`), not a plan.
    static let limit = 1000

    init(_ seeds: [UInt64]) { self.seeds = seeds }

    static func parse(_ text: String) throws -> SeedList {
        var seeds: [UInt64] = []
        var seen = Set<UInt64>()
        func add(_ seed: UInt64) throws {
            guard seen.insert(seed).inserted else { return }
            seeds.append(seed)
            guard seeds.count <= limit else {
                throw ValidationError("--seeds names more than \(limit) seeds; run them in parts")
            }
        }
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { throw ValidationError("--seeds '\(text)' has an empty item; write seeds like 2017,1-9") }
            let ends = item.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(ends.count), let low = UInt64(ends[0]), let high = UInt64(ends[ends.count - 1]) else {
                throw ValidationError("--seeds: '\(item)' is not a seed (a whole number ≥ 0) or a range like 1-9")
            }
            guard low <= high else { throw ValidationError("--seeds: the range '\(item)' runs backwards; write \(high)-\(low)") }
            guard high - low < UInt64(limit) else {
                throw ValidationError("--seeds: the range '\(item)' has more than \(limit) seeds")
            }
            for seed in low...high { try add(seed) }
        }
        return SeedList(seeds)
    }

    var description: String { seeds.map(String.init).joined(separator: ",") }
}
