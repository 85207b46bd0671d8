import Foundation

/// Tick positions for an axis: "nice" numbers, 1, 2 or 5 times a power of ten apart.
public enum Ticks {
    /// The step between about `count` ticks spanning `lower...upper`: 1, 2 or 5 × 10^k.
    public static func step(lower: Double, upper: Double, count: Int) -> Double {
        let span = max(upper - lower, 1e-12)
        let raw = span / Double(max(count, 1))
        let power = pow(10, floor(log10(raw)))
        let fraction = raw / power
        let nice: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        return nice * power
    }

    /// Ticks covering `lower...upper`, extended outward to whole steps.
    public static func nice(lower: Double, upper: Double, count: Int = 5) -> (ticks: [Double], lower: Double, upper: Double) {
        var lower = lower, upper = upper
        if lower == upper { lower -= 0.5; upper += 0.5 }
        let step = step(lower: lower, upper: upper, count: count)
        let first = floor(lower / step + 1e-9) * step
        let last = ceil(upper / step - 1e-9) * step
        var ticks: [Double] = []
        var i = 0
        while true {
            let value = first + Double(i) * step
            if value > last + step * 1e-6 { break }
            ticks.append(abs(value) < step * 1e-9 ? 0 : value)
            i += 1
        }
        return (ticks, first, last)
    }

    /// Labels for ticks with just enough decimals to tell neighbours apart.
    public static func labels(_ ticks: [Double]) -> [String] {
        guard ticks.count > 1 else { return ticks.map { format($0, decimals: 2) } }
        let step = abs(ticks[1] - ticks[0])
        let decimals = step >= 1 ? 0 : min(6, Int(ceil(-log10(step) - 1e-9)))
        return ticks.map { format($0, decimals: decimals) }
    }

    static func format(_ value: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", value).replacingOccurrences(of: "-", with: "\u{2212}")
    }
}
