import Foundation
import LessonCore
import MachineLearning
import MembershipInference

/// One run of the paper's experiment on a Purchase-like population: a target MLP, shadow models of
/// the same recipe and size on the attacker's disjoint data, per-class attack models, and the
/// balanced test on the target's members and non-members.
///
/// Lessons call this for sweeps (sizes, classes, mitigations) after lesson 2 has built the pipeline
/// step by step.
public struct MembershipExperiment: Sendable {
    /// Purchase-like (independent features) or shoppers (clustered); anything that numbers its records.
    public var population: any RecordPopulation
    public var trainingSize: Int
    public var recipe: MLPClassifier
    public var shadowCount: Int
    public var attack: AttackModel
    public var seed: UInt64

    public init(population: any RecordPopulation, trainingSize: Int, recipe: MLPClassifier, shadowCount: Int,
                attack: AttackModel = AttackModel(), seed: UInt64) {
        self.population = population
        self.trainingSize = trainingSize
        self.recipe = recipe
        self.shadowCount = shadowCount
        self.attack = attack
        self.seed = seed
    }

    /// What one run measured: the target, the records it is attacked on, and the shadows' answers.
    ///
    /// Not the attacker's data or the shadow models (which hold that data): lessons keep a result per
    /// point of a sweep, and at the paper's size the attacker's records are two thirds of a run's memory
    /// (Texas: 40,000 × 6,170 floats, about 1 GB), which lesson 3 would otherwise hold for every dataset.
    public struct Result: Sendable {
        public var target: FittedMLP
        public var members: Dataset
        public var nonMembers: Dataset
        /// The shadows' full answers, labelled in/out: `shadowAnswers.applying(policy)` is the attack's
        /// training data under any output policy, without querying the shadows again.
        public var shadowAnswers: AttackData
        /// The experiment's own attack on the target through `policy`.
        public var evaluation: AttackEvaluation
        /// The output policy the run's attack and `evaluation` used.
        public var policy: OutputPolicy
        public var trainAccuracy: Double
        public var testAccuracy: Double
        public var gap: Double { trainAccuracy - testAccuracy }
    }

    /// The target's members are records [0, n), its non-members [n, 2n), the attacker's data
    /// [2n, 2n + 4n): disjoint by construction, and audited.
    public func data() throws -> (members: Dataset, nonMembers: Dataset, attacker: Dataset) {
        let n = trainingSize
        var plan = SplitPlan(poolSize: 6 * n, seed: seed)
        plan.record("target in", indices: Array(0..<n))
        plan.record("target out", indices: Array(n..<(2 * n)))
        plan.record("attacker", indices: Array((2 * n)..<(6 * n)))
        try plan.audit()
        return (population.records(count: n, first: 0), population.records(count: n, first: n),
                population.records(count: 4 * n, first: 2 * n))
    }

    /// Runs the experiment; `policy` is the target API's output policy (the shadows' answers go
    /// through the same policy, as the attacker knows the API).
    public func run(policy: OutputPolicy = .full, shadowData: Dataset? = nil) throws -> Result {
        try Self.runAll([self], policy: policy, shadowData: shadowData.map { [$0] })[0]
    }

    /// Runs several experiments, as `run` runs each, with all their models training in one pool: two cores
    /// stay busy to the end of the last fleet, not only to the end of each (`ShadowTraining.train(_:pool:)`).
    /// `shadowData`, if given, holds each experiment's shadow data. Every experiment's records are held
    /// until the last attack has run: a sweep's memory is the sum of its points' data.
    public static func runAll(_ experiments: [MembershipExperiment], policy: OutputPolicy = .full,
                              shadowData: [Dataset]? = nil) throws -> [Result] {
        if let shadowData, shadowData.count != experiments.count {
            throw TrainingError("MembershipExperiment.runAll: \(shadowData.count) shadow data sets for \(experiments.count) experiments")
        }
        return try run(experiments.indices.map { i in
            let e = experiments[i], (members, nonMembers, attacker) = try e.data()
            return Setup(members: members, nonMembers: nonMembers, attacker: shadowData?[i] ?? attacker, recipe: e.recipe,
                         shadowCount: e.shadowCount, attack: e.attack, seed: e.seed)
        }, policy: policy)
    }

    /// The experiment on any data: `members` train the target, `nonMembers` are held out, and the
    /// shadows train on `attacker` (disjoint from both; the caller guarantees it).
    public static func run(members: Dataset, nonMembers: Dataset, attacker: Dataset, recipe: MLPClassifier, shadowCount: Int,
                           attack: AttackModel = AttackModel(), seed: UInt64, policy: OutputPolicy = .full) throws -> Result {
        try run([Setup(members: members, nonMembers: nonMembers, attacker: attacker, recipe: recipe, shadowCount: shadowCount,
                       attack: attack, seed: seed)], policy: policy)[0]
    }

    /// One experiment's records and settings.
    public struct Setup: Sendable {
        public var members: Dataset, nonMembers: Dataset, attacker: Dataset
        public var recipe: MLPClassifier
        public var shadowCount: Int
        public var attack: AttackModel
        public var seed: UInt64

        public init(members: Dataset, nonMembers: Dataset, attacker: Dataset, recipe: MLPClassifier, shadowCount: Int,
                    attack: AttackModel = AttackModel(), seed: UInt64) {
            self.members = members
            self.nonMembers = nonMembers
            self.attacker = attacker
            self.recipe = recipe
            self.shadowCount = shadowCount
            self.attack = attack
            self.seed = seed
        }
    }

    /// The experiments on their data: every target and shadow trains in one pool, each target first in
    /// its fleet; then each experiment's attack runs and is tested, in order. The first experiment that
    /// failed reports its error. (One run after another would not have trained the later experiments;
    /// here they have trained, and are in the model cache.)
    public static func run(_ setups: [Setup], policy: OutputPolicy = .full) throws -> [Result] {
        let cache = CourseModelCache.shared
        let recipes = setups.map { setup -> MLPClassifier in
            var recipe = setup.recipe
            recipe.seed = setup.seed
            recipe.evaluateEachEpoch = false
            return recipe
        }
        // One bar for all the fleets, counted in epochs: models train in parallel, and a cached model counts
        // as all its epochs at once.
        let what = setups.count == 1
            ? "target and \(setups[0].shadowCount) shadow models (\(setups[0].members.count) records, K = \(setups[0].members.classCount))"
            : "\(setups.count) targets and \(setups.reduce(0) { $0 + $1.shadowCount }) shadow models"
        let bar = ProgressBar("\(what), epochs", total: zip(setups, recipes).reduce(0) { $0 + ($1.0.shadowCount + 1) * $1.1.epochs })
        let fleets = zip(setups, recipes).map { setup, recipe in
            let members = setup.members
            return ShadowTraining.Fleet(ShadowTraining(shadowCount: setup.shadowCount, trainingSize: members.count, seed: setup.seed &+ 1),
                                        attackerData: setup.attacker, recipe: CourseModelCache.cachedRecipe(recipe, progress: bar)) {
                do {
                    let (target, cached) = try cache.mlp(recipe, data: members, progress: { _ in bar.advance() })
                    if cached { bar.advance(by: recipe.epochs) }
                    return target
                } catch {
                    throw TrainingError("target model (\(members.count) records, K = \(members.classCount)): \(error)")
                }
            }
        }
        // Each experiment's error (training, then its attack) in order, as one run after another reports it.
        return try zip(setups, ShadowTraining.trainEach(fleets)).map { setup, trained in
            let (target, shadows) = try trained.get()
            let answers = AttackData(shadows: shadows)
            let fitted = try setup.attack.fit(answers.applying(policy), cache: cache)
            let evaluation = try AttackTest.evaluate(fitted, target: BlackBox(target, policy: policy),
                                                     members: setup.members, nonMembers: setup.nonMembers)
            return Result(target: target, members: setup.members, nonMembers: setup.nonMembers, shadowAnswers: answers,
                          evaluation: evaluation, policy: policy, trainAccuracy: target.accuracy(on: setup.members),
                          testAccuracy: target.accuracy(on: setup.nonMembers))
        }
    }
}

/// Prints a one-line progress note to stderr (the lesson's log, not the page).
public func progress(_ message: String) {
    let prefix = CourseEnvironment.current.drawsOnTerminal ? "    │ " : ""
    FileHandle.standardError.write(Data((prefix + message + "\n").utf8))
}

/// The path of a file shipped in the course's `Assets/` folder (`"data/adult.data.gz"`): looked up in
/// the course's folder (where `lessons build` was started), then in the package this binary was built from.
public func assetPath(_ relative: String) throws -> String {
    if let file = CourseEnvironment.current.courseFile("Assets/\(relative)") { return file.path }
    throw DataError(path: "Assets/\(relative)", message: "missing data file; it ships with the course in Assets/\(relative) — restore it with `git checkout -- Assets/\(relative)`")
}

/// The folder of real datasets the user supplied with `lessons build --data-dir DIR` (laid out like
/// the course's `../shared/data`: `location/bangkok`, `mnist/train-images.idx3-ubyte.gz`, …), if any.
public var dataDirectory: URL? {
    CourseEnvironment.current.dataDirectory
}

/// The path of `relative` inside the user's data folder, or nil when there is no data folder or the
/// file is not in it. Lessons use this for data that cannot ship with the course.
public func suppliedDataFile(_ relative: String) -> String? {
    guard let folder = dataDirectory else { return nil }
    let url = folder.appendingPathComponent(relative)
    return FileManager.default.fileExists(atPath: url.path) ? url.path : nil
}

/// The model cache the lessons share: the same target or shadow (same configuration, seed and data)
/// trained by two lessons, or by two runs, is trained once. It lives in `MIL_MODEL_CACHE` or
/// `.lessons-cache/` in the working directory, and its keys include a fingerprint of the course's code,
/// so changing the training code retires every cached model. `MIL_RETRAIN=1` (`lessons build
/// --no-cache`) trains every model afresh and replaces the stored copies.
public enum CourseModelCache {
    public static let shared: ModelCache = cache(for: CourseEnvironment.current)

    /// The cache a lesson process with `environment` uses: its folder, whether it reads stored models, and
    /// the training code's fingerprint (the build's, see `CourseEnvironment.trainingCodeFingerprint`) in every key.
    static func cache(for environment: CourseEnvironment) -> ModelCache {
        ModelCache(directory: environment.modelCache, salt: environment.trainingCodeFingerprint(),
                   readsStoredModels: !environment.retrainsModels)
    }

    /// An MLP recipe for shadow training that goes through the cache; `progress`, if given, advances
    /// once per epoch trained (by all the epochs for a cached model).
    public static func cachedRecipe(_ configuration: MLPClassifier, progress: ProgressBar? = nil)
        -> @Sendable (Dataset, UInt64) throws -> any ProbabilisticClassifier {
        { data, seed in
            var c = configuration
            c.seed = seed
            c.evaluateEachEpoch = false
            let (model, cached) = try shared.mlp(c, data: data, progress: progress.map { bar in { _ in bar.advance() } })
            if cached { progress?.advance(by: c.epochs) }
            return model
        }
    }
}
