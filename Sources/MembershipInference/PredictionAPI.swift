import Foundation
import MachineLearning

/// What a prediction API reveals of its model's probability vector: the mitigations of the paper's
/// section on defenses are output policies.
public enum OutputPolicy: Equatable, Sendable, CustomStringConvertible {
    /// The whole probability vector.
    case full
    /// The k most probable classes keep their probabilities; the others read 0.
    case topK(Int)
    /// Probabilities rounded to `decimals` digits.
    case rounded(decimals: Int)
    /// softmax(z / t) for the model's logits z; t > 1 flattens the vector, and ranking is kept.
    case temperature(Double)
    /// Only the predicted class: a one-hot vector.
    case labelOnly

    public var description: String {
        switch self {
        case .full: "full vector"
        case .topK(let k): "top-\(k)"
        case .rounded(let d): "rounded, d = \(d)"
        case .temperature(let t): "temperature \(t.formatted())"
        case .labelOnly: "label only"
        }
    }

    /// Applies the policy to probability rows in place.
    ///
    /// Temperature works from log-probabilities: log p = z − logsumexp(z), and the constant cancels in
    /// softmax, so softmax(log p / t) = softmax(z / t) exactly (probabilities that underflowed to 0 stay
    /// at the smallest float's logarithm).
    public func apply(to p: inout Matrix) {
        let k = p.columns
        switch self {
        case .full:
            return
        case .topK(let keep):
            // The `keep` columns that rank first (higher probability first, the lower index first among
            // equals) keep their values: found by one pass with a short ranked list, not a sort of the row.
            let keep = max(keep, 1)
            guard keep < k else { return }
            var kept: [Int] = []
            kept.reserveCapacity(keep + 1)
            var zeroed = [Bool](repeating: true, count: k)
            p.values.withUnsafeMutableBufferPointer { v in
                for r in 0..<p.rows {
                    let row = v.baseAddress! + r * k
                    kept.removeAll(keepingCapacity: true)
                    for c in 0..<k {
                        // Earlier columns rank first among equals, so c goes after every kept value >= its own.
                        guard kept.count < keep || row[c] > row[kept[keep - 1]] else { continue }
                        var at = kept.count
                        while at > 0 && row[c] > row[kept[at - 1]] { at -= 1 }
                        kept.insert(c, at: at)
                        if kept.count > keep { kept.removeLast() }
                    }
                    for c in kept { zeroed[c] = false }
                    for c in 0..<k where zeroed[c] { row[c] = 0 }
                    for c in kept { zeroed[c] = true }
                }
            }
        case .rounded(let decimals):
            let scale = pow(10, Double(decimals))
            for i in p.values.indices { p.values[i] = Float((Double(p.values[i]) * scale).rounded() / scale) }
        case .temperature(let t):
            for r in 0..<p.rows {
                var logits = (0..<k).map { Double(log(max(p[r, $0], Float.leastNonzeroMagnitude))) / t }
                let top = logits.max()!
                var sum = 0.0
                for c in 0..<k { logits[c] = exp(logits[c] - top); sum += logits[c] }
                for c in 0..<k { p[r, c] = Float(logits[c] / sum) }
            }
        case .labelOnly:
            let labels = argmaxRows(p)
            for r in 0..<p.rows {
                for c in 0..<k { p[r, c] = c == labels[r] ? 1 : 0 }
            }
        }
    }
}

/// A fitted model behind a prediction API: answers queries through an output policy and counts them.
/// The attacker sees only this.
public final class BlackBox: @unchecked Sendable {
    public let model: any ProbabilisticClassifier
    public let policy: OutputPolicy
    private let lock = NSLock()
    private var count = 0

    public init(_ model: any ProbabilisticClassifier, policy: OutputPolicy = .full) {
        self.model = model
        self.policy = policy
    }

    public var classCount: Int { model.classCount }

    /// The number of records queried so far.
    public var queryCount: Int { lock.lock(); defer { lock.unlock() }; return count }

    /// The API's answers for the records of `x`, one row each.
    public func query(_ x: Matrix) -> Matrix {
        lock.lock(); count += x.rows; lock.unlock()
        var p = model.probabilities(x)
        policy.apply(to: &p)
        return p
    }
}
