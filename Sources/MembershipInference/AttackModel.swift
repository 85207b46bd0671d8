import Foundation
import MachineLearning

/// How a prediction vector is turned into the attack model's input.
///
/// Membership shows in confidences very close to 1 (0.9999 versus 0.99), which a model reading raw
/// probabilities can hardly tell apart; on log-probabilities or logits the difference is large.
/// Measured here on Purchase-like data: logistic regression on raw vectors reaches precision about
/// 0.69 with real shadows, on logits about 0.79.
public enum AttackFeatures: String, Sendable, CaseIterable {
    /// The probability vector as the API returns it.
    case probabilities
    /// log p_j (p clamped at 1e-12).
    case logProbabilities
    /// log p_j − log(1 − p_j), with 1 − p_j computed as the sum of the other probabilities so that
    /// values near 1 keep their precision.
    case logits
    /// Only the logit of the record's own class: one number per record, the confidence in the true
    /// label. (Each per-class attack model knows which class that is.)
    case trueClassLogit
    /// The true class's logit and its strongest rival's: how sure the model is of the right answer,
    /// and of the best wrong one (a member is often sure of one and not the other).
    case trueClassAndRival

    /// The columns of `transform`'s output a per-class model for class `c` uses.
    public func columns(of x: Matrix, forClass c: Int) -> Matrix {
        switch self {
        case .trueClassLogit:
            return Matrix(rows: x.rows, columns: 1, values: (0..<x.rows).map { x[$0, c] })
        case .trueClassAndRival:
            var values: [Float] = []
            values.reserveCapacity(2 * x.rows)
            for r in 0..<x.rows {
                var rival = -Float.infinity
                for j in 0..<x.columns where j != c { rival = max(rival, x[r, j]) }
                values += [x[r, c], rival]
            }
            return Matrix(rows: x.rows, columns: 2, values: values)
        default:
            return x
        }
    }

    public func transform(_ p: Matrix) -> Matrix {
        var out = p
        let k = p.columns
        for r in 0..<p.rows {
            switch self {
            case .probabilities: break
            case .logProbabilities:
                for c in 0..<k { out[r, c] = Float(log(max(Double(p[r, c]), RowLogits.floor))) }
            case .logits, .trueClassLogit, .trueClassAndRival:
                let row = RowLogits(p, row: r)
                for c in 0..<k { out[r, c] = row.logit(c) }
            }
        }
        return out
    }

    /// What the per-class model for class `c` reads of the API's answers `p` for `rows` (records of
    /// class `c`): `columns(of: transform(p).rows(rows), forClass: c)`, bit for bit, without computing
    /// the logits nobody reads. The true class's logit and its rival's take at most three logits per
    /// record, not one per class: apart from the top column, which has a formula of its own, a column's
    /// logit never falls as its probability rises (each step of the formula is monotonic and so is
    /// rounding), so the rival is the larger of the top column's logit (when that is not `c`) and the
    /// logit of the most probable remaining column.
    public func inputs(_ p: Matrix, rows: [Int], forClass c: Int) -> Matrix {
        switch self {
        case .probabilities, .logProbabilities, .logits:
            return columns(of: transform(p.rows(rows)), forClass: c)
        case .trueClassLogit:
            return Matrix(rows: rows.count, columns: 1, values: rows.map { RowLogits(p, row: $0).logit(c) })
        case .trueClassAndRival:
            var values: [Float] = []
            values.reserveCapacity(2 * rows.count)
            for r in rows {
                let row = RowLogits(p, row: r)
                var rival = -Float.infinity
                if row.top != c { rival = max(rival, row.logit(row.top)) }
                var next: Int? = nil
                for j in 0..<p.columns where j != c && j != row.top && (next.map { p[r, j] > p[r, $0] } ?? true) { next = j }
                if let next { rival = max(rival, row.logit(next)) }
                values += [row.logit(c), rival]
            }
            return Matrix(rows: rows.count, columns: 2, values: values)
        }
    }
}

/// One prediction vector's logits, log p_j − log(rest_j): the sums they need are taken once per row.
struct RowLogits {
    static let floor = 1e-12
    let p: Matrix, r: Int
    let total: Double, top: Int, othersOfTop: Double, hidden: Double

    init(_ p: Matrix, row r: Int) {
        self.p = p
        self.r = r
        let k = p.columns
        var total = 0.0
        for c in 0..<k { total += Double(p[r, c]) }
        top = (0..<k).max { p[r, $0] < p[r, $1] }!
        var othersOfTop = 0.0
        for c in 0..<k where c != top { othersOfTop += Double(p[r, c]) }
        self.total = total
        self.othersOfTop = othersOfTop
        // Mass the API hid (top-k, rounding) still belongs to "not c"; below 1e-5 it is
        // only the float sum's rounding, and adding it would erase the precision near 1.
        hidden = 1 - total > 1e-5 ? 1 - total : 0
    }

    func logit(_ c: Int) -> Float {
        let pc = Double(p[r, c])
        let rest = (c == top ? othersOfTop : total - pc) + hidden
        return Float(log(max(pc, Self.floor)) - log(max(rest, Self.floor)))
    }
}

/// The classifier each per-class attack model is.
public enum AttackClassifier: Sendable, Equatable {
    /// A small neural network, as the paper's attack models were (the default).
    case mlp(hiddenLayers: [Int] = [64], epochs: Int = 80, learningRate: Double = 0.001)
    /// Softmax (logistic) regression, as the original code used.
    case logisticRegression(epochs: Int = 50, learningRate: Double = 0.01, l2: Double = 1e-6)
}

/// Prediction vectors labelled by membership: what shadow models teach the attack.
public struct AttackData: Sendable {
    /// One prediction vector per record.
    public var predictions: Matrix
    /// Each record's true class (selects the attack model).
    public var classes: [Int]
    /// True for members ("in"), false for non-members ("out").
    public var membership: [Bool]

    public init(predictions: Matrix, classes: [Int], membership: [Bool]) {
        self.predictions = predictions
        self.classes = classes
        self.membership = membership
    }

    /// The same answers as the API would give them under `policy`: the shadows' full answers are
    /// computed once and each policy applied to a copy, rather than querying every shadow again.
    public func applying(_ policy: OutputPolicy) -> AttackData {
        var p = predictions
        policy.apply(to: &p)
        return AttackData(predictions: p, classes: classes, membership: membership)
    }

    /// The shadows' answers on their own "in" records (members) and "out" records (non-members),
    /// through `policy` (the same output policy as the target's API). Two shadows answer at a time
    /// (each answer depends on its own model and records only), and the answers go in shadow order.
    /// Each worker copies out one record set at a time (members, then non-members): two at once in
    /// all, as many as one shadow's two sets were when shadows answered one by one (Texas: 0.25 GB each).
    public init(shadows: [ShadowModel], policy: OutputPolicy = .full) {
        // The body cannot throw: `try!` only satisfies `map`'s signature.
        var answers = try! TrainingPool().map(shadows.count) { s -> [(p: Matrix, labels: [Int], member: Bool)] in
            let shadow = shadows[s]
            return [true, false].map { member in
                let data = member ? shadow.membersIn : shadow.membersOut
                var p = shadow.model.probabilities(data.features)
                policy.apply(to: &p)
                return (p, data.labels, member)
            }
        }.flatMap { $0 }
        var values: [Float] = [], classes: [Int] = [], membership: [Bool] = []
        values.reserveCapacity(answers.reduce(0) { $0 + $1.p.values.count })
        let columns = answers.first?.p.columns ?? 0
        for i in answers.indices {
            values += answers[i].p.values
            classes += answers[i].labels
            membership += Array(repeating: answers[i].member, count: answers[i].labels.count)
            answers[i].p = Matrix(rows: 0, columns: columns) // copied: let it go
        }
        self.init(predictions: Matrix(rows: classes.count, columns: columns, values: values),
                  classes: classes, membership: membership)
    }

    public var count: Int { classes.count }

    /// A content hash of every answer's bits, class and membership: equal for the same shadows' answers
    /// under the same policy. Read eight bytes at a time (the byte-wise hash took a fifth of a second
    /// for Purchase-100's 400,000 answers).
    public var fingerprint: String {
        var f = Fingerprint()
        f.add(UInt64(predictions.rows))
        f.add(UInt64(predictions.columns))
        predictions.values.withUnsafeBytes { f.add(words: $0) }
        classes.map { Int64($0).littleEndian }.withUnsafeBytes { f.add(words: $0) }
        membership.map { UInt8($0 ? 1 : 0) }.withUnsafeBytes { f.add(words: $0) }
        return f.hex
    }
}

/// One binary attack model per class, each trained on the shadows' prediction vectors for records of
/// that class; the class of the queried record selects the model.
///
/// The default input is every class's logit: the whole vector, as the paper's attack reads it. A held-out
/// shadow prefers the true class's and its strongest rival's logits at the paper's size (`benchmarks
/// attack`: accuracy 0.906 against 0.851 for all logits; precision on the target 0.863), and
/// `selectedOnHeldOutShadow` makes that choice where a lesson wants the strongest attack; comparisons
/// of model types and output policies need the whole vector, which two numbers cannot show.
public struct AttackModel: Sendable {
    public var features: AttackFeatures
    public var classifier: AttackClassifier
    public var seed: UInt64

    public init(features: AttackFeatures = .logits, classifier: AttackClassifier = .mlp(), seed: UInt64 = 0) {
        self.features = features
        self.classifier = classifier
        self.seed = seed
    }

    /// Trains the per-class models concurrently. With a `cache`, an attack this configuration already
    /// trained on the same answers (the same shadows under the same policy: lessons 3, 5 and 7 all attack
    /// the Purchase-100 experiment) is loaded instead; its key hashes the configuration and every answer.
    public func fit(_ data: AttackData, pool: TrainingPool = TrainingPool(), cache: ModelCache?) throws -> FittedAttack {
        guard let cache else { return try fit(data, pool: pool) }
        let timing = WorkClock.start(.attack)
        defer { timing.stop() }
        let key = ModelCache.key(configuration: "attack \(self)", extra: cache.salt + " answers \(data.fingerprint)")
        let (saved, _) = try cache.model(forKey: key) { .perClass(try fit(data, pool: pool).saved) }
        guard case .perClass(let models) = saved else {
            throw DataError(path: cache.url(forKey: key).path, message: "holds a \(saved.kind), not an attack")
        }
        return try FittedAttack(features: features, saved: models, path: cache.url(forKey: key).path)
    }

    /// Trains the per-class models concurrently.
    public func fit(_ data: AttackData, pool: TrainingPool = TrainingPool()) throws -> FittedAttack {
        let timing = WorkClock.start(.attack)
        defer { timing.stop() }
        let k = data.predictions.columns
        var grouped = [[Int]](repeating: [], count: k)
        for (i, c) in data.classes.enumerated() { grouped[c].append(i) }
        let byClass = grouped, classifier = self.classifier, seed = self.seed
        let features = self.features
        let models: [PerClass?] = try pool.map(k) { c in
            let rows = byClass[c]
            let members = rows.filter { data.membership[$0] }.count
            guard members > 0, members < rows.count else { return nil } // nothing to learn: fall back
            let subset = features.inputs(data.predictions, rows: rows, forClass: c)
            let scaler = Standardizer(subset)
            let training = Dataset(features: scaler.apply(subset), labels: rows.map { data.membership[$0] ? 1 : 0 }, classCount: 2)
            let model: any ProbabilisticClassifier
            switch classifier {
            case let .mlp(hidden, epochs, lr):
                model = try MLPClassifier(hiddenLayers: hidden, activation: .relu, optimizer: .adam(learningRate: lr),
                                          epochs: epochs, batchSize: 32, seed: seed &+ UInt64(c), evaluateEachEpoch: false).fit(training)
            case let .logisticRegression(epochs, lr, l2):
                var regression = SoftmaxRegression(learningRate: lr, epochs: epochs, batchSize: 100, l2: l2, seed: seed &+ UInt64(c))
                regression.evaluateEachEpoch = false // its history is never read
                model = try regression.fit(training)
            }
            return PerClass(scaler: scaler, model: model)
        }
        let memberRate = Double(data.membership.filter { $0 }.count) / Double(max(1, data.count))
        return FittedAttack(features: features, models: models, fallbackMemberProbability: memberRate)
    }

    struct PerClass: Sendable {
        var scaler: Standardizer
        var model: any ProbabilisticClassifier
    }
}

/// Per-column standardisation fitted on the attack model's training inputs.
struct Standardizer: Sendable {
    var mean: [Float], scale: [Float]

    /// A standardisation read back from the model cache.
    init(mean: [Float], scale: [Float]) {
        self.mean = mean
        self.scale = scale
    }

    /// Each column's sums run down its rows in order, as a column-by-column loop would add them; the rows
    /// are walked once each, along memory.
    init(_ x: Matrix) {
        let n = Float(max(1, x.rows)), k = x.columns
        var sum = [Float](repeating: 0, count: k)
        x.values.withUnsafeBufferPointer { v in
            for r in 0..<x.rows { for c in 0..<k { sum[c] += v[r * k + c] } }
        }
        let m = sum.map { $0 / n }
        var squares = [Float](repeating: 0, count: k)
        x.values.withUnsafeBufferPointer { v in
            for r in 0..<x.rows { for c in 0..<k { let d = v[r * k + c] - m[c]; squares[c] += d * d } }
        }
        mean = m
        scale = squares.map { let variance = $0 / n; return variance > 1e-12 ? 1 / variance.squareRoot() : 1 }
    }

    func apply(_ x: Matrix) -> Matrix {
        var out = x
        let k = x.columns
        out.values.withUnsafeMutableBufferPointer { o in
            for r in 0..<x.rows { for c in 0..<k { o[r * k + c] = (o[r * k + c] - mean[c]) * scale[c] } }
        }
        return out
    }
}

/// A trained attack: per class, the probability that a record with this prediction vector is a member.
public struct FittedAttack: Sendable {
    public var features: AttackFeatures
    var models: [AttackModel.PerClass?]
    /// Used for a class whose shadow data had only members or only non-members.
    public var fallbackMemberProbability: Double

    /// The per-class models as the model cache stores them.
    var saved: PerClassModels {
        get throws {
            try PerClassModels(members: models.map { perClass in
                try perClass.map { perClass in
                    let model: SavedModel
                    switch perClass.model {
                    case let mlp as FittedMLP: model = .mlp(mlp)
                    case let regression as FittedSoftmaxRegression: model = .softmaxRegression(regression)
                    case let other: throw TrainingError("FittedAttack: cannot save a per-class \(type(of: other))")
                    }
                    return .init(mean: perClass.scaler.mean, scale: perClass.scaler.scale, model: model)
                }
            }, fallbackMemberProbability: fallbackMemberProbability)
        }
    }

    /// P(member) for each (prediction vector, class) pair.
    public func memberProbability(predictions: Matrix, classes: [Int]) -> [Double] {
        memberScores(predictions: predictions, classes: classes).map { 1 / (1 + exp(-$0)) }
    }

    /// The attack's log-odds of membership, log P(member) − log P(non-member), for each pair: 0 is the
    /// 0.5 decision threshold. Log-odds keep apart scores whose probabilities both round to 1 in
    /// float32, so the ROC curve has no artificial ties at the top.
    public func memberScores(predictions: Matrix, classes: [Int]) -> [Double] {
        let fallback = log(fallbackMemberProbability) - log(1 - fallbackMemberProbability)
        var out = [Double](repeating: fallback, count: classes.count)
        var byClass: [Int: [Int]] = [:]
        for (i, c) in classes.enumerated() { byClass[c, default: []].append(i) }
        for (c, rows) in byClass {
            guard c < models.count, let perClass = models[c] else { continue }
            let p = perClass.model.probabilities(perClass.scaler.apply(features.inputs(predictions, rows: rows, forClass: c)))
            let tiny = Double(Float.leastNonzeroMagnitude)
            for (j, i) in rows.enumerated() { out[i] = log(max(Double(p[j, 1]), tiny)) - log(max(Double(p[j, 0]), tiny)) }
        }
        return out
    }
}

extension AttackModel {
    /// Chooses among `candidates` the attack that is most accurate on a shadow model it was not trained
    /// on: each is fitted on all shadows but the last and tested on the last one's members and
    /// non-members (an even mix). The choice never looks at the target, so it cannot flatter the
    /// target's numbers. Returns the winner and every candidate's held-out result, in order.
    public static func selectedOnHeldOutShadow(from candidates: [AttackModel], shadows: [ShadowModel],
                                               policy: OutputPolicy = .full) throws -> (best: AttackModel, heldOut: [AttackEvaluation]) {
        guard shadows.count >= 2 else {
            throw TrainingError("AttackModel.selectedOnHeldOutShadow: needs at least two shadow models, one to hold out")
        }
        return try selected(from: candidates, training: AttackData(shadows: Array(shadows.dropLast()), policy: policy),
                            heldOut: shadows.last!, policy: policy)
    }

    /// The same choice from `answers`, all the shadows' answers as `AttackData(shadows: shadows, policy:
    /// policy)` gives them (the attack's own training set): the shadows but the last answered first, in
    /// order, so their answers are its first rows and are not computed again.
    public static func selectedOnHeldOutShadow(from candidates: [AttackModel], shadows: [ShadowModel], answers: AttackData,
                                               policy: OutputPolicy = .full) throws -> (best: AttackModel, heldOut: [AttackEvaluation]) {
        guard let last = shadows.last, shadows.count >= 2 else {
            throw TrainingError("AttackModel.selectedOnHeldOutShadow: needs at least two shadow models, one to hold out")
        }
        let rows = shadows.reduce(0) { $0 + $1.inIndices.count + $1.outIndices.count }
        guard answers.count == rows, Array(answers.classes.suffix(last.outIndices.count)) == last.outIndices.map({ last.source.labels[$0] }) else {
            throw TrainingError("AttackModel.selectedOnHeldOutShadow: the answers (\(answers.count) records) are not these \(shadows.count) shadows' (\(rows) records)")
        }
        let kept = rows - last.inIndices.count - last.outIndices.count
        let training = AttackData(predictions: answers.predictions.rows(Array(0..<kept)), classes: Array(answers.classes[..<kept]),
                                  membership: Array(answers.membership[..<kept]))
        return try selected(from: candidates, training: training, heldOut: last, policy: policy)
    }

    private static func selected(from candidates: [AttackModel], training: AttackData, heldOut last: ShadowModel,
                                 policy: OutputPolicy) throws -> (best: AttackModel, heldOut: [AttackEvaluation]) {
        guard !candidates.isEmpty else { throw TrainingError("AttackModel.selectedOnHeldOutShadow: no candidate attacks") }
        let results = try candidates.map { attack in
            try AttackTest.evaluate(try attack.fit(training), target: BlackBox(last.model, policy: policy),
                                    members: last.membersIn, nonMembers: last.membersOut)
        }
        let best = results.indices.max { results[$0].accuracy < results[$1].accuracy || (results[$0].accuracy == results[$1].accuracy && $0 > $1) }!
        return (candidates[best], results)
    }
}

extension FittedAttack {
    /// The attack `saved` holds, reading its inputs as `features`; `path` names the file in errors.
    init(features: AttackFeatures, saved: PerClassModels, path: String) throws {
        self.features = features
        fallbackMemberProbability = saved.fallbackMemberProbability
        models = try saved.members.map { member in
            try member.map { member in
                let model: any ProbabilisticClassifier
                switch member.model {
                case let .mlp(mlp): model = mlp
                case let .softmaxRegression(regression): model = regression
                default: throw DataError(path: path, message: "an attack model that is a \(member.model.kind)")
                }
                return AttackModel.PerClass(scaler: Standardizer(mean: member.mean, scale: member.scale), model: model)
            }
        }
    }
}
