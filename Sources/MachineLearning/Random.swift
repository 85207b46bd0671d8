import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator. Every random choice in
/// the course takes one of these, so the same seed gives the same numbers on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Double in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal sample (Box–Muller; one of the pair is discarded to keep the state simple).
    public mutating func nextGaussian() -> Double {
        var u = nextUnit()
        while u <= 0 { u = nextUnit() }
        let v = nextUnit()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// An independent generator for child `index`, so parallel work does not depend on scheduling.
    public func derived(_ index: UInt64) -> SplitMix64 {
        var copy = SplitMix64(seed: state ^ (index &* 0xD1B5_4A32_D192_ED03))
        _ = copy.next()
        return copy
    }
}

