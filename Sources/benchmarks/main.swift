// Benchmarks with figures printed, never timed unit tests. Run in release:
//
//   swift run -c release benchmarks train   one Purchase-100 network, 600-128-100 tanh, Adam, 100 epochs
//   swift run -c release benchmarks fleet   20 such networks, trained side by side on all cores
//   swift run -c release benchmarks chart   drawing and encoding one line chart
//   swift run -c release benchmarks data    reading the datasets shipped in Assets/data (MNIST subset, Adult)
//   swift run -c release benchmarks shoppers the clustered Purchase-like population: class sizes, the network's accuracy
//   swift run -c release benchmarks r6      lesson 7's output policies under every attack feature and classifier
//   swift run -c release benchmarks models  lesson 4's four kinds of model, once each at the paper profile's size
//
//   swift run -c release benchmarks targets --rounds 3 --course
//                                           the speed table (train, its ratio to numpy, fleet, attack,
//                                           synthesis, a cold quick course) against its targets, in one run
//   swift run -c release benchmarks versus OTHER train --rounds 5
//                                           this binary against another build's (OTHER, e.g. a clone at an
//                                           older commit) on one benchmark, alternating, in one run
//
// Each ends with one machine-readable line: RESULT name=... key=value ...
import Charts
import Dispatch
import Foundation
import MachineLearning
import MembershipInference

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func f(_ v: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", v) }

/// The anchors' workload: records [0, 10k) train, [10k, 20k) test, seed 0.
func purchaseData() -> (Dataset, Dataset) {
    let generator = PurchaseLike(seed: 0)
    return (generator.records(count: 10_000, first: 0), generator.records(count: 10_000, first: 10_000))
}

let network = MLPClassifier(hiddenLayers: [128], activation: .tanh, optimizer: .adam(learningRate: 0.001),
                            epochs: 100, batchSize: 100, l2: 1e-7, seed: 0, evaluateEachEpoch: false)
/// GEMM-equivalent FLOP per record per epoch, as the anchors count them (fwd + dW2 + dH + dW1).
let layerFlop: Double = 600 * 128 + 128 * 100
let flopPerRecord: Double = 2 * layerFlop + 4 * (128 * 100) + 2 * (600 * 128)

/// `--name value` from the command line, or nil.
func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: "--\(name)"), i + 1 < args.count else { return nil }
    return args[i + 1]
}

/// The paper's Purchase setup for K classes: target trained on records [0, 10k), non-members
/// [10k, 20k), the attacker's data [20k, 60k) — disjoint from the target's by construction.
struct PurchaseSetup {
    let target: FittedMLP, train: Dataset, nonMembers: Dataset, attacker: Dataset, recipe: MLPClassifier
    /// The shadows `init(classes:seed:shadows:)` was asked for (none by default).
    let shadows: [ShadowModel]

    /// The data and the target; with `shadowTraining`, its shadows too, trained in one pool with the
    /// target (the target first), as the lessons' experiments train them.
    init(classes: Int, seed: UInt64 = 0, shadows shadowTraining: ShadowTraining? = nil) throws {
        let generator = PurchaseLike(classCount: classes, seed: seed)
        let train = generator.records(count: 10_000, first: 0)
        nonMembers = generator.records(count: 10_000, first: 10_000)
        let attacker = generator.records(count: 40_000, first: 20_000)
        // The roles, audited: no record is both the target's and the attacker's.
        var plan = SplitPlan(poolSize: 60_000, seed: seed)
        plan.record("target in", indices: Array(0..<10_000))
        plan.record("target out", indices: Array(10_000..<20_000))
        plan.record("attacker", indices: Array(20_000..<60_000))
        try plan.audit()
        recipe = network
        if let shadowTraining {
            (target, shadows) = try shadowTraining.train(attackerData: attacker, recipe: ShadowTraining.mlpRecipe(network)) {
                try network.fit(train)
            }
        } else {
            target = try network.fit(train)
            shadows = []
        }
        self.train = train
        self.attacker = attacker
    }
}

/// Trains 20 shadows like the target, and per-class attack models on their answers.
func shadowAttack(_ setup: PurchaseSetup, attackerData: Dataset, policy: OutputPolicy = .full,
                  features: AttackFeatures = .logits, classifier: AttackClassifier = .mlp(),
                  recipe: MLPClassifier? = nil, shadows given: [ShadowModel]? = nil) throws -> FittedAttack {
    var shadows: [ShadowModel] = given ?? []
    let shadowTime = try seconds {
        if given == nil {
            shadows = try ShadowTraining(shadowCount: 20, trainingSize: 10_000, seed: 11)
                .train(attackerData: attackerData, recipe: ShadowTraining.mlpRecipe(recipe ?? setup.recipe))
        }
    }
    var attack: FittedAttack!
    let attackTime = try seconds {
        attack = try AttackModel(features: features, classifier: classifier, seed: 5).fit(AttackData(shadows: shadows, policy: policy))
    }
    print("  20 shadow models: \(f(shadowTime, 1)) s; attack models: \(f(attackTime, 1)) s")
    return attack
}

/// The `seconds=` of the RESULT line a benchmark run printed, or nil.
func resultSeconds(_ output: String) -> Double? {
    guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }),
          let field = line.split(separator: " ").first(where: { $0.hasPrefix("seconds=") }) else { return nil }
    return Double(field.dropFirst("seconds=".count))
}

/// Runs `binary` with `arguments` (and `environment` added to this process's, in `folder` if given) and
/// returns its exit status, standard output and wall seconds; standard error goes where this process's
/// goes. Throws if it cannot start.
func runBenchmark(_ binary: String, _ arguments: [String], environment: [String: String] = [:],
                  folder: URL? = nil) throws -> (status: Int32, output: String, seconds: Double) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    if let folder { process.currentDirectoryURL = folder }
    let pipe = Pipe()
    process.standardOutput = pipe
    let start = DispatchTime.now().uptimeNanoseconds
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

/// The median of a non-empty list.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

switch CommandLine.arguments.dropFirst().first ?? "train" {
case "versus":
    // A shared machine's speed drifts by a fifth within the hour, so two builds are compared in one run:
    // the other build's benchmark, then this one's, round after round; the figures are each side's
    // fastest and median, and their ratios. Both print their RESULT line's seconds.
    let arguments = Array(CommandLine.arguments.dropFirst(2))
    guard arguments.count >= 2, !arguments[1].hasPrefix("--") else {
        print("usage: benchmarks versus OTHER-BENCHMARKS-BINARY NAME [options] [--rounds N]")
        exit(2)
    }
    let other = arguments[0]
    var passed = Array(arguments.dropFirst())
    var rounds = 3
    if let i = passed.firstIndex(of: "--rounds") {
        guard i + 1 < passed.count, let n = Int(passed[i + 1]), n >= 1 else {
            print("benchmarks versus: --rounds takes a whole number of at least 1")
            exit(2)
        }
        rounds = n
        passed.removeSubrange(i...(i + 1))
    }
    guard FileManager.default.isExecutableFile(atPath: other) else {
        print("benchmarks versus: \(other) is not an executable file (give the other build's benchmarks binary)")
        exit(2)
    }
    let this = URL(fileURLWithPath: CommandLine.arguments[0]).path
    let resolvedThis = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? this
    var times: (other: [Double], this: [Double]) = ([], [])
    for round in 1...rounds {
        for (side, binary) in [("other", other), ("this", resolvedThis)] {
            // A wrong binary or benchmark name is the user's mistake: said in a line, not a crash report.
            guard let (status, output, _) = try? runBenchmark(binary, passed) else {
                print("benchmarks versus: \(binary) could not be started")
                exit(1)
            }
            guard status == 0 else {
                print(output, terminator: "")
                print("benchmarks versus: \(binary) \(passed.joined(separator: " ")) exited with status \(status)")
                exit(1)
            }
            guard let time = resultSeconds(output) else {
                print("benchmarks versus: \(binary) \(passed.joined(separator: " ")) printed no RESULT line with seconds=")
                exit(1)
            }
            if side == "other" { times.other.append(time) } else { times.this.append(time) }
            print("round \(round), \(side): \(f(time, 2)) s")
        }
    }
    let (minOther, minThis) = (times.other.min()!, times.this.min()!)
    let (medianOther, medianThis) = (median(times.other), median(times.this))
    print("\(passed.joined(separator: " ")): other \(f(minOther, 2)) s fastest, \(f(medianOther, 2)) s median; this \(f(minThis, 2)) s fastest, \(f(medianThis, 2)) s median")
    print("this / other: \(f(minThis / minOther)) (fastest), \(f(medianThis / medianOther)) (median), over \(rounds) round\(rounds == 1 ? "" : "s")")
    print("RESULT name=versus benchmark=\(passed[0]) rounds=\(rounds) other_min=\(f(minOther, 2)) this_min=\(f(minThis, 2)) other_median=\(f(medianOther, 2)) this_median=\(f(medianThis, 2)) ratio_min=\(f(minThis / minOther)) ratio_median=\(f(medianThis / medianOther))")
case "attack":
    // `--features NAME` runs one attack; by default the attack is chosen among per-class networks on
    // three feature sets by accuracy on a held-out shadow (never on the target).
    let classes = Int(option("classes") ?? "100")!
    let classifier: AttackClassifier = option("attack-model") == "logistic" ? .logisticRegression() : .mlp()
    let candidates = (option("features").map { [AttackFeatures(rawValue: $0)!] } ?? [.logits, .trueClassLogit, .trueClassAndRival])
        .map { AttackModel(features: $0, classifier: classifier, seed: 5) }
    var features = candidates[0].features
    var setup: PurchaseSetup!
    var evaluation: AttackEvaluation!
    var baseline: AttackEvaluation!
    let time = try seconds {
        // The target trains in the shadows' pool, as in the lessons' experiments.
        let setupTime = try seconds {
            setup = try PurchaseSetup(classes: classes, shadows: ShadowTraining(shadowCount: 20, trainingSize: 10_000, seed: 11))
        }
        let shadows = setup.shadows
        var answers: AttackData!
        let answerTime = seconds { answers = AttackData(shadows: shadows) }
        print("  data, target and 20 shadow models: \(f(setupTime, 1)) s; their answers: \(f(answerTime, 1)) s")
        var chosen = candidates[0]
        if candidates.count > 1 {
            var selection: (best: AttackModel, heldOut: [AttackEvaluation])!
            let selectionTime = try seconds { selection = try AttackModel.selectedOnHeldOutShadow(from: candidates, shadows: shadows, answers: answers) }
            print("  choosing among \(candidates.count) attacks on a held-out shadow: \(f(selectionTime, 1)) s")
            for (c, e) in zip(candidates, selection.heldOut) {
                print("  held-out shadow, \(c.features.rawValue): accuracy \(f(e.accuracy)), precision \(f(e.precision)), recall \(f(e.recall))")
            }
            chosen = selection.best
        }
        features = chosen.features
        var attack: FittedAttack!
        let attackTime = try seconds { attack = try chosen.fit(answers) }
        print("  the chosen attack's models: \(f(attackTime, 1)) s")
        let api = BlackBox(setup.target)
        let evaluationTime = try seconds {
            evaluation = try AttackTest.evaluate(attack, target: api, members: setup.train, nonMembers: setup.nonMembers)
        }
        print("  evaluation on the target: \(f(evaluationTime, 1)) s")
        let trainLoss = setup.target.lossAndAccuracy(on: setup.train).loss
        baseline = LossThresholdAttack.evaluate(target: api, averageTrainingLoss: trainLoss, members: setup.train, nonMembers: setup.nonMembers)
    }
    print("Purchase-\(classes): target train \(f(setup.target.accuracy(on: setup.train))), test \(f(setup.target.accuracy(on: setup.nonMembers))); 20 shadows; per-class attack on \(features.rawValue)")
    print(evaluation.summary)
    print("precision \(f(evaluation.precision)), recall \(f(evaluation.recall)), accuracy \(f(evaluation.accuracy)), AUC \(f(evaluation.roc.auc)), TPR@1%FPR \(f(evaluation.roc.truePositiveRate(atFalsePositiveRate: 0.01))), TPR@0.1%FPR \(f(evaluation.roc.truePositiveRate(atFalsePositiveRate: 0.001)))")
    print("loss-threshold attack (Yeom et al.): precision \(f(baseline.precision)), recall \(f(baseline.recall)), AUC \(f(baseline.roc.auc))")
    print("whole pipeline: \(f(time, 1)) s")
    print("RESULT name=attack classes=\(classes) precision=\(f(evaluation.precision)) recall=\(f(evaluation.recall)) auc=\(f(evaluation.roc.auc)) seconds=\(f(time, 1))")
case "train":
    // `--fair-coins` keeps the labels and draws every feature by a fair coin (seed 0), as Algorithm 1's
    // records start: half the inputs are set, too many for the sparse first layer. `--density D` sets
    // each feature with probability D instead.
    var (train, test) = purchaseData()
    var density: Double? = CommandLine.arguments.contains("--fair-coins") ? 0.5 : nil
    if density == nil, CommandLine.arguments.contains("--density") {
        guard let given = option("density"), let d = Double(given), (0...1).contains(d) else {
            print("benchmarks train: --density takes a probability from 0 to 1, got \(option("density") ?? "nothing")")
            exit(2)
        }
        density = d
    }
    if let density {
        var coins = SplitMix64(seed: 0)
        train.features.values = train.features.values.map { _ in coins.nextUnit() < density ? 1 : 0 }
    }
    var model: FittedMLP!
    let time = try seconds { model = try network.fit(train) }
    let trainAccuracy = model.accuracy(on: train), testAccuracy = model.accuracy(on: test)
    let samples = Double(train.count * network.epochs)
    print("Purchase-100 MLP 600-128(tanh)-100, Adam 1e-3, batch 100, L2 1e-7, 100 epochs, 10,000 records")
    print("kernels: \(MachineLearningInfo.kernels), product \(MachineLearningInfo.product)")
    print("wall \(f(time, 2)) s, \(Int(samples / time)) samples/s, \(f(samples * flopPerRecord / time / 1e9, 1)) GFLOP/s (dense-equivalent)")
    print("train accuracy \(f(trainAccuracy)), test accuracy \(f(testAccuracy))")
    var weightBits = Fingerprint()
    for layer in model.layers { for w in layer.weights.values + layer.biases { weightBits.add(UInt64(w.bitPattern)) } }
    print("weights fingerprint \(weightBits.hex) (the same seed and data give the same bits on any path)")
    print("RESULT name=train seconds=\(f(time, 2)) samples_per_second=\(Int(samples / time)) gflops=\(f(samples * flopPerRecord / time / 1e9, 1)) train_accuracy=\(f(trainAccuracy)) test_accuracy=\(f(testAccuracy))")
case "fleet":
    let (train, test) = purchaseData()
    let count = 20
    let configs = (0..<count).map { i -> MLPClassifier in var c = network; c.seed = UInt64(i); return c }
    var models: [FittedMLP] = []
    let time = try seconds { models = try TrainingPool().fit(configs, on: train) }
    let accuracies = models.map { $0.accuracy(on: test) }
    print("\(count) Purchase-100 networks on \(TrainingPool().workers) workers: \(f(time, 1)) s in all, \(f(time / Double(count), 2)) s per model")
    print("test accuracy min \(f(accuracies.min()!)) max \(f(accuracies.max()!))")
    print("RESULT name=fleet models=\(count) seconds=\(f(time, 1)) seconds_per_model=\(f(time / Double(count), 2)) min_test_accuracy=\(f(accuracies.min()!))")
case "synthesis":
    // Algorithm 1 against the Purchase-100 target, then the attack trained on synthetic shadows.
    let perClass = Int(option("per-class") ?? "300")!
    let density = option("start-density").map { Double($0)! }
    let setup = try PurchaseSetup(classes: 100)
    let api = BlackBox(setup.target)
    var result: ModelBasedSynthesis.Result!
    let synthesisTime = try seconds {
        result = try ModelBasedSynthesis(startDensity: density, seed: 3)
            .synthesize(counts: Array(repeating: perClass, count: 100), featureCount: 600, target: api)
    }
    let t = result.trace
    let synthDensity = Double(result.data.features.values.reduce(0, +)) / Double(max(1, result.data.features.values.count))
    let realDensity = Double(setup.attacker.features.values.reduce(0, +)) / Double(setup.attacker.features.values.count)
    print("synthesized \(result.data.count) of \(t.requested.reduce(0, +)) records (yield \(f(t.yield))) in \(f(synthesisTime, 1)) s, start: \(density.map { "density \($0)" } ?? "fair coins (as published)")")
    print("queries: \(t.queries) in all, \(f(t.queriesPerRecord, 1)) per record on successful attempts, \(f(t.totalQueriesPerRecord, 1)) counting failures; acceptances \(t.acceptances), halvings \(t.halvings), failed attempts \(t.failedAttempts), abandoned \(t.abandoned)")
    print("per-class yield: min \(t.produced.min()!) max \(t.produced.max()!) of \(perClass)")
    print("density of ones: synthetic \(f(synthDensity, 4)), real \(f(realDensity, 4))")
    let synthetic = try shadowAttack(setup, attackerData: result.data)
    let syntheticEval = try AttackTest.evaluate(synthetic, target: api, members: setup.train, nonMembers: setup.nonMembers)
    let real = try shadowAttack(setup, attackerData: setup.attacker)
    let realEval = try AttackTest.evaluate(real, target: api, members: setup.train, nonMembers: setup.nonMembers)
    print("attack with synthetic shadows: precision \(f(syntheticEval.precision)), recall \(f(syntheticEval.recall)), AUC \(f(syntheticEval.roc.auc))")
    print("attack with real shadows:      precision \(f(realEval.precision)), recall \(f(realEval.recall)), AUC \(f(realEval.roc.auc))")
    print("RESULT name=synthesis yield=\(f(t.yield)) queries_per_record=\(f(t.queriesPerRecord, 1)) precision=\(f(syntheticEval.precision)) real_precision=\(f(realEval.precision)) synthetic_density=\(f(synthDensity, 4)) real_density=\(f(realDensity, 4)) seconds=\(f(synthesisTime, 1))")
case "mitigations":
    // R6: one Purchase-100 target behind each output policy, then retrained with L2.
    let setup = try PurchaseSetup(classes: 100)
    let shadows = try ShadowTraining(shadowCount: 20, trainingSize: 10_000, seed: 11)
        .train(attackerData: setup.attacker, recipe: ShadowTraining.mlpRecipe(setup.recipe))
    let deck: [String: String] = [
        "full vector": "0.66 / 0.92 / 0.87 / 1.00", "top-3": "0.66 / 0.92 / 0.87 / 0.99", "top-1": "0.66 / 0.89 / 0.83 / 1.00",
        "label only": "0.66 / 0.66 / 0.60 / 0.99", "rounded, d = 3": "0.66 / 0.92 / 0.87 / 0.99", "rounded, d = 1": "0.66 / 0.89 / 0.83 / 1.00",
        "temperature 5": "0.66 / 0.88 / 0.86 / 0.93", "temperature 20": "0.66 / 0.84 / 0.83 / 0.86",
        "L2 0.0001": "0.68 / 0.87 / 0.81 / 0.96", "L2 0.001": "0.72 / 0.77 / 0.73 / 0.86", "L2 0.01": "0.63 / 0.53 / 0.54 / 0.52"]
    print("mitigation          test acc  attack acc  precision  recall    | deck: test / attack acc / precision / recall")
    func row(_ name: String, test: Double, _ e: AttackEvaluation) {
        let padded = name.padding(toLength: 18, withPad: " ", startingAt: 0)
        print("\(padded)  \(f(test))     \(f(e.accuracy))       \(f(e.precision))      \(f(e.recall))     | \(deck[name] ?? "")")
        print("RESULT name=mitigation policy=\(name.replacingOccurrences(of: " ", with: "_")) test_accuracy=\(f(test)) attack_accuracy=\(f(e.accuracy)) precision=\(f(e.precision)) recall=\(f(e.recall))")
    }
    let testAccuracy = setup.target.accuracy(on: setup.nonMembers)
    let policies: [OutputPolicy] = [.full, .topK(3), .topK(1), .labelOnly, .rounded(decimals: 3), .rounded(decimals: 1), .temperature(5), .temperature(20)]
    for policy in policies {
        let attack = try shadowAttack(setup, attackerData: setup.attacker, policy: policy, shadows: shadows)
        let api = BlackBox(setup.target, policy: policy)
        row(policy.description, test: testAccuracy, try AttackTest.evaluate(attack, target: api, members: setup.train, nonMembers: setup.nonMembers))
    }
    for l2 in [1e-4, 1e-3, 1e-2] {
        var recipe = network
        recipe.l2 = l2
        let target = try recipe.fit(setup.train)
        let attack = try shadowAttack(setup, attackerData: setup.attacker, recipe: recipe)
        row("L2 \(l2)", test: target.accuracy(on: setup.nonMembers),
            try AttackTest.evaluate(attack, target: BlackBox(target), members: setup.train, nonMembers: setup.nonMembers))
    }
case "r6":
    // Which attack features make which output policy cost precision? The lesson-7 setup (Purchase-100
    // stand-in, `--size` records, `--epochs`, `--shadows` shadows), one target and one set of shadows,
    // then every policy under every attack (features × classifier). "held-out" is the attack trained on
    // all shadows but the last and tested on the last one: a choice made there never looks at the target.
    let size = Int(option("size") ?? "2500")!, epochs = Int(option("epochs") ?? "25")!
    let shadowCount = Int(option("shadows") ?? "4")!, seed = UInt64(option("seed") ?? "2017")!
    let population = PurchaseLike(classCount: 100, seed: seed)
    let members = population.records(count: size, first: 0), nonMembers = population.records(count: size, first: size)
    let attackerData = population.records(count: 4 * size, first: 2 * size)
    let recipe = MLPClassifier(epochs: epochs, l2: 1e-7, seed: seed)
    let target = try recipe.fit(members)
    let shadows = try ShadowTraining(shadowCount: shadowCount, trainingSize: size, seed: seed)
        .train(attackerData: attackerData, recipe: ShadowTraining.mlpRecipe(recipe))
    let policies: [OutputPolicy] = [.full, .topK(3), .topK(1), .labelOnly, .rounded(decimals: 3), .rounded(decimals: 1), .temperature(5), .temperature(20)]
    let deck = [0.87, 0.87, 0.83, 0.60, 0.87, 0.83, 0.86, 0.83]
    print("Purchase-100 stand-in, \(size) records, \(epochs) epochs, \(shadowCount) shadows, seed \(seed): test accuracy \(f(target.accuracy(on: nonMembers)))")
    print("precision on the target (held-out shadow) per policy; deck: " + zip(policies, deck).map { "\($0.0) \($0.1)" }.joined(separator: ", "))
    let attacks: [(String, AttackFeatures, AttackClassifier)] = AttackFeatures.allCases.flatMap { features in
        [("\(features.rawValue), logistic", features, AttackClassifier.logisticRegression()), ("\(features.rawValue), MLP", features, .mlp())]
    }
    for (name, features, classifier) in attacks {
        var cells: [String] = []
        var precisions: [Double] = []
        for policy in policies {
            let model = AttackModel(features: features, classifier: classifier, seed: 5)
            let onTarget = try AttackTest.evaluate(try model.fit(AttackData(shadows: shadows, policy: policy)), target: BlackBox(target, policy: policy),
                                                   members: members, nonMembers: nonMembers)
            let last = shadows[shadows.count - 1]
            let heldOut = try AttackTest.evaluate(try model.fit(AttackData(shadows: Array(shadows.dropLast()), policy: policy)),
                                                  target: BlackBox(last.model, policy: policy), members: last.membersIn, nonMembers: last.membersOut)
            precisions.append(onTarget.precision)
            cells.append("\(f(onTarget.precision)) (\(f(heldOut.precision)))")
        }
        let drops = precisions.dropFirst().map { precisions[0] - $0 }
        let large = zip(policies.dropFirst(), drops).filter { $0.1 >= 0.05 }.map { $0.0.description }
        print("\(name.padding(toLength: 26, withPad: " ", startingAt: 0)) " + zip(policies, cells).map { "\($0.0): \($0.1)" }.joined(separator: "  "))
        print("    drops ≥ 0.05: \(large.isEmpty ? "none" : large.joined(separator: ", "))")
        print("RESULT name=r6 attack=\(name.replacingOccurrences(of: " ", with: "")) " + zip(policies, precisions).map { "\($0.0.description.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: ",", with: ""))=\(f($0.1))" }.joined(separator: " "))
    }
case "shoppers":
    // The clustered Purchase-like population: its shape, and the paper's network on it.
    let classes = Int(option("classes") ?? "100")!, size = Int(option("size") ?? "10000")!
    let epochs = Int(option("epochs") ?? "100")!, seed = UInt64(option("seed") ?? "0")!
    let population = ShopperPopulation(classCount: classes, seed: seed)
    var fit = Dataset(features: Matrix(rows: 0, columns: 600), labels: [], classCount: classes)
    let clustering = seconds { fit = population.records(count: 20_000, first: ShopperPopulation.fitFirst) }
    let sizes = (0..<classes).map { c in fit.labels.filter { $0 == c }.count }.sorted()
    let density = Double(fit.features.values.reduce(0, +)) / Double(fit.features.values.count)
    print("ShopperPopulation K = \(classes), seed \(seed): density \(f(density)); class sizes in 20,000 records min / median / max \(sizes.first!) / \(sizes[sizes.count / 2]) / \(sizes.last!); profiles + clustering + labelling \(f(clustering, 1)) s")
    let train = population.records(count: size, first: 0), test = population.records(count: size, first: size)
    var recipe = network
    recipe.epochs = epochs
    var model: FittedMLP!
    let time = try seconds { model = try recipe.fit(train) }
    print("600-128-\(classes) tanh, \(size) records, \(epochs) epochs: train \(f(model.accuracy(on: train))), test \(f(model.accuracy(on: test))) in \(f(time, 1)) s")
    print("RESULT name=shoppers classes=\(classes) density=\(f(density)) min_class=\(sizes.first!) median_class=\(sizes[sizes.count / 2]) max_class=\(sizes.last!) train_accuracy=\(f(model.accuracy(on: train))) test_accuracy=\(f(model.accuracy(on: test)))")
case "data":
    // Reading the real datasets that ship in Assets/data, as lessons 2–5 do.
    let folder = option("assets") ?? "Assets/data"
    var mnist = Dataset(features: Matrix(rows: 0, columns: 784), labels: [], classCount: 10)
    let mnistTime = try seconds { mnist = try LabelledCSV.mnist(path: "\(folder)/mnist_5k.csv.gz") }
    var adultCount = 0
    let adultTime = try seconds {
        let adult = try AdultDataset.load(trainPath: "\(folder)/adult.data.gz", testPath: "\(folder)/adult.test.gz")
        adultCount = adult.train.count + adult.test.count
    }
    let checksum = mnist.features.values.reduce(0.0) { $0 + Double($1) }
    print("MNIST subset: \(mnist.count) images in \(f(mnistTime, 2)) s (pixel sum \(f(checksum, 4))); Adult: \(adultCount) records in \(f(adultTime, 2)) s")
    print("RESULT name=data mnist_seconds=\(f(mnistTime, 2)) adult_seconds=\(f(adultTime, 2)) mnist_pixel_sum=\(f(checksum, 4))")
case "models":
    // One of each of lesson 4's models on 10,000 Purchase-100 records (the paper profile trains 21 of each).
    let (train, test) = purchaseData()
    let kinds: [(String, () throws -> any ProbabilisticClassifier)] = [
        ("random forest, 100 trees", { try RandomForest(treeCount: 100, seed: 1).fit(train) }),
        ("softmax regression, 10 passes", { try SoftmaxRegression(learningRate: 0.1, epochs: 10, batchSize: 100, l2: 1e-6, seed: 1, evaluateEachEpoch: false).fit(train) }),
        ("softmax regression, 100 passes", { try SoftmaxRegression(learningRate: 0.1, epochs: 100, batchSize: 100, l2: 1e-4, seed: 1, evaluateEachEpoch: false).fit(train) }),
        ("neural network, 100 epochs", { try MLPClassifier(epochs: 100, l2: 1e-7, seed: 1, evaluateEachEpoch: false).fit(train) }),
    ]
    var figures: [String] = []
    for (index, (name, fit)) in kinds.enumerated() {
        var model: (any ProbabilisticClassifier)?
        let time = try seconds { model = try fit() }
        var trainAccuracy = 0.0, testAccuracy = 0.0
        let predicting = seconds { trainAccuracy = model!.accuracy(on: train); testAccuracy = model!.accuracy(on: test) }
        // One record at a time, as Algorithm 1 queries a target.
        let one = test.features.rows(Array(0..<100))
        let single = seconds { for r in 0..<100 { _ = model!.probabilities(one.rows([r])) } } / 100
        print("\(name): \(f(time, 2)) s to train, \(f(predicting, 2)) s to predict 2 × \(train.count) records, \(f(single * 1e3, 3)) ms for one; train \(f(trainAccuracy)), test \(f(testAccuracy))")
        figures.append("model\(index)_seconds=\(f(time, 2)) model\(index)_predict_seconds=\(f(predicting, 2)) model\(index)_one_ms=\(f(single * 1e3, 3))")
    }
    print("RESULT name=models \(figures.joined(separator: " "))")
case "small-mlp":
    // The shape of one per-class attack model: 4,000 records of 100 inputs (`--inputs 2` for the
    // true class's logit and its rival), 64 ReLU, 2 outputs.
    let inputs = Int(option("inputs") ?? "100")!
    let data = GaussianClusters.make(count: 4_000, featureCount: inputs, classCount: 2, separation: 0.5, seed: 1)
    let epochs = Int(option("epochs") ?? "80")!, batch = Int(option("batch") ?? "32")!
    let config = MLPClassifier(hiddenLayers: [64], activation: .relu, optimizer: .adam(learningRate: 0.001),
                               epochs: epochs, batchSize: batch, seed: 1, evaluateEachEpoch: false)
    let time = try seconds { _ = try config.fit(data) }
    let samples = Double(4_000 * epochs)
    print("small MLP \(inputs)-64-2, \(epochs) epochs, batch \(batch): \(f(time, 2)) s, \(Int(samples / time)) samples/s, \(f(time / Double(4_000 * epochs / batch) * 1e6, 1)) µs per step")
    print("RESULT name=small-mlp seconds=\(f(time, 2))")
case "chart":
    let chart = LineChart(title: "Accuracy per epoch", xLabel: "epoch", yLabel: "accuracy",
                          series: [LineSeries(name: "train", values: (0..<100).map { 1 - 0.5 / Double($0 + 1) }),
                                   LineSeries(name: "test", values: (0..<100).map { 0.66 - 0.3 / Double($0 + 1) })],
                          yRange: 0...1)
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("bench-chart.png")
    _ = try chart.render() // warm up fonts
    let runs = 20
    let time = try seconds { for _ in 0..<runs { try chart.render().write(to: url) } } / Double(runs)
    print("line chart 1600x1000 drawn and encoded: \(f(time * 1000, 1)) ms")
    print("RESULT name=chart milliseconds=\(f(time * 1000, 1))")
case "texas":
    // Calibration run for the Texas-like generator: the Purchase network recipe on 10,000 records.
    let lift = CommandLine.arguments.count > 2 ? Double(CommandLine.arguments[2])! : 0.045
    let generator = PurchaseLike.texasLike(seed: 0, lift: lift)
    let train = generator.records(count: 10_000), test = generator.records(count: 10_000, first: 10_000)
    var model: FittedMLP!
    let time = try seconds { model = try network.fit(train) }
    print("Texas-like (lift \(lift)): density \(f(Double(train.features.values.reduce(0, +)) / Double(train.features.values.count), 4)), train \(f(model.accuracy(on: train))), test \(f(model.accuracy(on: test))), \(f(time, 1)) s")
    print("RESULT name=texas lift=\(lift) seconds=\(f(time, 1)) train_accuracy=\(f(model.accuracy(on: train))) test_accuracy=\(f(model.accuracy(on: test)))")
case "preview":
    try previewLatency()
case "targets":
    // Issue 16's speed table in one sitting: `--rounds N` (1), `--numpy PATH` to train_numpy.py (default:
    // ../shared/bench/train_numpy.py if it is there), `--course` to time a cold quick build as well.
    var targets = SpeedTargets()
    if let given = option("rounds") {
        guard let n = Int(given), n >= 1 else {
            print("benchmarks targets: --rounds takes a whole number of at least 1, got \(given)")
            exit(2)
        }
        targets.rounds = n
    }
    let script = option("numpy") ?? "../shared/bench/train_numpy.py"
    if FileManager.default.fileExists(atPath: script) {
        targets.numpyScript = URL(fileURLWithPath: script).standardizedFileURL.path
    } else if option("numpy") != nil {
        print("benchmarks targets: --numpy \(script): no such file")
        exit(2)
    }
    targets.includesCourse = CommandLine.arguments.contains("--course")
    do {
        try targets.run()
    } catch {
        print("benchmarks targets: \(error)")
        exit(1)
    }
default:
    print("usage: benchmarks train|fleet|synthesis|mitigations|attack|small-mlp|chart|texas [lift]|preview|targets [--rounds N] [--numpy PATH] [--course]|versus OTHER NAME [--rounds N]")
    exit(2)
}
