import Foundation
import LessonCore

/// The paper's observations O1–O17: each claim in the deck's words and the paper's numbers behind it,
/// one catalogue for the lessons' checks, the observation pages, the slides and the gallery (a lesson
/// states what it measured and how it judged; what the paper said comes from here).
public enum PaperObservations {
    public struct Claim: Sendable, Equatable {
        /// The claim, as the deck states it.
        public var statement: String
        /// What the paper measured, shown beside this run's numbers.
        public var paper: String
    }

    public static let catalogue: [String: Claim] = [
        "O1": Claim(statement: "The bigger the target model's training set, the lower the attack's precision.",
                     paper: "CIFAR-10 and CIFAR-100: precision falls as the training set grows from 2,500 to 15,000 (CIFAR-10) records"),
        "O2": Claim(statement: "The more classes, the more the model leaks about its training data.",
                     paper: "precision 0.505 / 0.550 / 0.590 / 0.860 / 0.935 for K = 2 / 10 / 20 / 50 / 100"),
        "O3": Claim(statement: "The Google-like service leaks more than the Amazon-like service or the local neural network.",
                     paper: "precision: Google 0.935 (Purchase-100), above Amazon and the local network"),
        "O4": Claim(statement: "Less overfitting means less leakage.",
                     paper: "the models that overfit more (bigger train–test gap) leak more"),
        "O5": Claim(statement: "Overfitting is not the only cause of leakage: the model's type and structure matter too.",
                     paper: "models with similar overfitting can leak differently: structure and type matter"),
        "O6": Claim(statement: "The noisier the shadow data, the lower the attack's performance.",
                     paper: "Location: precision 0.678 with real shadow data, 0.666 with 10% noise, 0.613 with 20%"),
        "O7": Claim(statement: "Even with 20% noise in the shadow data, the attack beats the 0.5 baseline.",
                     paper: "with 20% noise the attack still beats the 0.5 baseline (0.613 on Location)"),
        "O8": Claim(statement: "Marginal-based synthetic shadow data costs a lot of precision.",
                     paper: "Purchase-100: precision 0.935 with real data, 0.795 with marginal-based synthesis"),
        "O9": Claim(statement: "Model-based synthetic shadow data comes close to real data, except for classes with few training examples.",
                     paper: "Purchase-100: precision 0.896 with model-based synthesis against 0.935 with real data; classes with few training records do worse"),
        "O10": Claim(statement: "Low prediction uncertainty goes with high target accuracy.",
                     paper: "records the target is less uncertain about are the ones it classifies accurately; the more accurate target has lower uncertainty"),
        "O11": Claim(statement: "More classes mean higher prediction uncertainty and lower accuracy.",
                     paper: "with more classes, the target's uncertainty rises and its accuracy falls"),
        "O12": Claim(statement: "With more classes, the uncertainty distributions of members and non-members differ more.",
                     paper: "with more classes, members' and non-members' uncertainty distributions differ more"),
        "O13": Claim(statement: "Attack precision drops a lot only with label-only output or strong regularization.",
                     paper: "precision 0.87 unprotected; 0.60 label only, 0.54 with L2 1e-2; the other mitigations stay at 0.81–0.87"),
        "O14": Claim(statement: "Attack accuracy drops a lot only with temperature 20 or strong regularization.",
                     paper: "attack accuracy 0.92 unprotected; 0.84 with temperature 20, 0.53 with L2 1e-2 (and 0.66 label only)"),
        "O15": Claim(statement: "The right amount of regularization can even raise the target's test accuracy.",
                     paper: "test accuracy 0.66 unprotected, 0.68 with L2 1e-4 and 0.72 with L2 1e-3"),
        "O16": Claim(statement: "Too much regularization hurts the target's accuracy.",
                     paper: "test accuracy falls to 0.63 with L2 1e-2"),
        "O17": Claim(statement: "Even with mitigations, the attack beats the 0.5 baseline.",
                     paper: "with every mitigation the attack's precision stays above 0.5 (lowest 0.54)"),
    ]

    /// Each observation's claim.
    public static var claims: [String: String] { catalogue.mapValues(\.statement) }
}

/// Records that this cell checked one of the paper's observations (the claim and the paper's numbers
/// come from `PaperObservations`). `verdict` must be computed from the measured numbers by `rule` (the
/// page shows both); the cell's outputs, and those of `evidence` cells, appear on the observation's page.
public func observe(_ id: String, measured: String, rule: String,
                    verdict: Observation.Verdict, why: String, evidence: [String] = []) {
    guard let session = LessonSession.current else {
        fatalError("observe() can only be called while `lessons` runs a lesson")
    }
    guard let claim = PaperObservations.catalogue[id] else {
        fatalError("observe(): no observation \(id); the paper's are O1–O17")
    }
    session.addObservation(Observation(id: id, claim: claim.statement, paper: claim.paper, measured: measured, rule: rule,
                                       verdict: verdict, explanation: why, lessonID: session.lesson.id,
                                       cellLabel: session.currentLabel,
                                       evidenceCells: evidenceCells(observedIn: session.currentLabel, evidence)))
}

/// The cell that observed, then the other evidence cells, each once.
func evidenceCells(observedIn cell: String, _ evidence: [String]) -> [String] {
    var cells = [cell]
    for label in evidence where !cells.contains(label) { cells.append(label) }
    return cells
}

/// The verdict of a rule with parts: held if all parts hold, held in part if some do, else did not hold.
/// A verdict as lessons name it: `.held`, `.heldInPart` or `.didNotHold`.
public typealias Verdict = Observation.Verdict

public func verdict(_ parts: [Bool]) -> Observation.Verdict {
    let held = parts.filter { $0 }.count
    return held == parts.count ? .held : held > 0 ? .heldInPart : .didNotHold
}

/// Formats a number for learners, the one way lessons print numbers: three decimals (the paper quotes
/// accuracies and precisions to three), never "-0.000" (a value that rounds to zero is zero, whatever
/// its sign). Tables show a `Double` the same way.
public func f3(_ v: Double) -> String { v.tableText }

/// How much a measure fell, in words: "a drop of 0.011", "a gain of 0.015" when it rose, "no change"
/// when it moved by less than the third decimal shows.
public func dropText(_ drop: Double) -> String {
    if abs(drop) < 0.0005 { return "no change" }
    return drop > 0 ? "a drop of \(f3(drop))" : "a gain of \(f3(-drop))"
}
